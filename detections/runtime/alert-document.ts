/**
 * A rule's match → the AlertDocument the scheduler indexes and hands to the outputs. Alert ids are deterministic:
 * a plain rule's alert is (rule, event), so overlapping windows find the same event again and `create` answers 409;
 * a correlation's alert is (rule, group, first matching event), and the scheduler suppresses a group that already
 * alerted on events still inside the window.
 */
import { createHash } from 'node:crypto';
import { basename, relative } from 'node:path';
import { ALERT_LEVELS, ALERT_SEVERITY, type AlertDocument, type AlertLevel, type AlertRuleType } from '../../mappings/index.js';
import { fieldAt } from '../../parsers/event-fields.js';
import type { CompiledCorrelation, CompiledRule } from '../sigma/compile.js';
import type { FiringGroup } from '../sigma/correlation-search.js';

export interface Window {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, inclusive. */
  readonly to: number;
}

/** The fields of a matching event the scheduler fetches for a plain rule's alert. */
export interface MatchedEvent {
  readonly id: string;
  readonly index: string;
  readonly source: Record<string, unknown>;
}

export const MATCHED_EVENT_FIELDS = [
  '@timestamp',
  'message',
  'data_stream.dataset',
  'host.hostname',
  'user.name',
  'source.ip',
  'ems.hostname',
  'ems.user',
] as const;

export function alertId(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

/** `detections/rules/ems_policy_changed.yml` → `ems_policy_changed`: how `disabled_rules` and id-less rules name a rule. */
export function ruleFileName(file: string): string {
  return basename(file).replace(/\.ya?ml$/, '');
}

/**
 * The rule's stable id: its Sigma `id`, else the file name (with the document's position when it is not the first of
 * its file), so a rule without an id still dedups across runs and two id-less rules of one file stay apart.
 */
export function ruleIdOf(compiled: CompiledRule | CompiledCorrelation): string {
  if (compiled.rule.id !== undefined) return compiled.rule.id;
  const name = ruleFileName(compiled.file);
  return compiled.document > 0 ? `${name}#${compiled.document}` : name;
}

export function levelOf(level: string | undefined): AlertLevel {
  return (ALERT_LEVELS as readonly string[]).includes(level ?? '') ? (level as AlertLevel) : 'medium';
}

/** `attack.t1110.001` → technique T1110.001; `attack.credential-access` → tactic credential-access. */
function threatOf(tags: readonly string[]): AlertDocument['threat'] | undefined {
  const techniques: string[] = [];
  const tactics: string[] = [];
  for (const tag of tags) {
    const match = /^attack\.(.+)$/i.exec(tag);
    if (!match?.[1]) continue;
    if (/^t\d{4}(\.\d{3})?$/i.test(match[1])) techniques.push(match[1].toUpperCase());
    else if (!/^[gs]\d{4}$/i.test(match[1])) tactics.push(match[1]);
  }
  if (techniques.length === 0 && tactics.length === 0) return undefined;
  return {
    ...(tactics.length > 0 ? { tactic: { name: tactics } } : {}),
    ...(techniques.length > 0 ? { technique: { id: techniques } } : {}),
  };
}

function at(source: Record<string, unknown>, path: string): string | undefined {
  const value = fieldAt(source, path);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

export interface AlertContext {
  readonly rulesRoot: string;
  readonly window: Window;
  readonly now: number;
}

type AlertBody = AlertDocument['fortiems']['alert'];

/** Everything an alert takes from its rule and run; the caller adds what it matched. */
function alertFrame(
  compiled: CompiledRule | CompiledCorrelation,
  category: AlertRuleType,
  context: AlertContext,
  id: string,
  message: string,
): {
  head: Omit<AlertDocument, 'fortiems'>;
  base: Pick<AlertBody, 'level' | 'status' | 'handed_to_outputs' | 'window' | 'query' | 'false_positives'>;
} {
  const { rule } = compiled;
  const level = levelOf(rule.level);
  const threat = threatOf(rule.tags);
  return {
    head: {
      '@timestamp': new Date(context.now).toISOString(),
      message,
      event: { kind: 'alert', id, severity: ALERT_SEVERITY[level], dataset: 'fortiems.alert' },
      rule: {
        id: ruleIdOf(compiled),
        name: rule.title,
        ...(rule.description !== undefined ? { description: rule.description } : {}),
        category,
        reference: relative(context.rulesRoot, compiled.file) || compiled.file,
        ...(rule.author !== undefined ? { author: rule.author } : {}),
      },
      ...(threat ? { threat } : {}),
      tags: [...rule.tags],
    },
    base: {
      level,
      status: 'open',
      handed_to_outputs: false,
      window: { start: new Date(context.window.from).toISOString(), end: new Date(context.window.to).toISOString() },
      query: compiled.lucene,
      ...(rule.falsepositives.length > 0 ? { false_positives: [...rule.falsepositives] } : {}),
    },
  };
}

/** One alert for one event a plain rule matched. */
export function plainAlert(compiled: CompiledRule, event: MatchedEvent, context: AlertContext): AlertDocument {
  const host = at(event.source, 'host.hostname') ?? at(event.source, 'ems.hostname');
  const user = at(event.source, 'user.name') ?? at(event.source, 'ems.user');
  const sourceIp = at(event.source, 'source.ip');
  const timestamp = at(event.source, '@timestamp') ?? new Date(context.now).toISOString();
  const subject = [host, user, sourceIp].filter((part) => part !== undefined).join(' ');
  const { head, base } = alertFrame(
    compiled,
    'query',
    context,
    alertId(ruleIdOf(compiled), event.id),
    `${compiled.rule.title}${subject ? `: ${subject}` : ''}`,
  );
  return {
    ...head,
    fortiems: {
      alert: {
        ...base,
        group_key: '',
        count: 1,
        first_seen: timestamp,
        last_seen: timestamp,
        event_ids: [event.id],
        event_index: event.index,
        source_event: {
          ...optional('dataset', at(event.source, 'data_stream.dataset')),
          ...optional('message', at(event.source, 'message')),
          ...optional('host', host),
          ...optional('user', user),
          ...optional('source_ip', sourceIp),
          timestamp,
        },
      },
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** One alert for one firing group of a correlation rule. */
export function correlationAlert(compiled: CompiledCorrelation, group: FiringGroup, context: AlertContext): AlertDocument {
  const { rule } = compiled;
  const measured =
    rule.type === 'value_count' ? `${group.distinct ?? 0} distinct ${compiled.valueField ?? 'values'}` : `${group.count} events`;
  const { head, base } = alertFrame(
    compiled,
    rule.type,
    context,
    alertId(ruleIdOf(compiled), group.groupKey, group.firstSeen),
    `${rule.title}: ${measured}${group.groupKey ? ` for ${group.groupKey}` : ''}`,
  );
  return {
    ...head,
    fortiems: {
      alert: {
        ...base,
        ...(group.groupKey ? { group: group.group } : {}),
        group_key: group.groupKey,
        count: group.count,
        ...(group.distinct !== undefined ? { distinct: group.distinct } : {}),
        first_seen: group.firstSeen,
        last_seen: group.lastSeen,
        event_ids: group.eventIds,
        event_index: group.eventIndex,
      },
    },
  };
}
