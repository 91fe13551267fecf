/**
 * One detection run over one window: plain rules in one multi-search (one alert per matching event), correlation
 * rules one aggregation each (one alert per firing group not already alerted on events still in its timespan).
 * A rule that fails (a query OpenSearch refuses) is reported and the others go on.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { CompiledCorrelation, CompiledRule } from '../../detections/sigma/compile.js';
import { correlationSearchBody, firingGroups } from '../../detections/sigma/correlation-search.js';
import type { AlertDocument } from '../../mappings/index.js';
import { correlationAlert, MATCHED_EVENT_FIELDS, type MatchedEvent, plainAlert, ruleIdOf, type Window } from './alert-document.js';
import type { AlertStore } from './alert-store.js';
import { indexInNamespace } from './rule-samples.js';

export interface RunContext {
  readonly client: Client;
  /** Events are searched in this namespace's data streams only. */
  readonly namespace: string;
  readonly timeField: string;
  readonly maxAlertsPerRun: number;
  readonly rulesRoot: string;
  readonly now: number;
}

export interface RuleFailure {
  readonly ruleId: string;
  readonly error: string;
}

export interface RunFindings {
  readonly alerts: AlertDocument[];
  readonly failures: RuleFailure[];
  /** Rules that matched more than maxAlertsPerRun events in the window: how many they matched. */
  readonly truncated: { ruleId: string; matched: number }[];
  /** Correlation groups left out because they alerted already on events still in the window. */
  readonly suppressed: number;
}

/** `logs-fortiems.vpn-*,logs-fortiems.client-*` → the same patterns narrowed to one namespace. */
function namespaced(index: string, namespace: string): string {
  return index
    .split(',')
    .map((part) => indexInNamespace(part.trim(), namespace))
    .join(',');
}

function rangeOn(timeField: string, window: Window): Record<string, unknown> {
  return {
    range: {
      [timeField]: {
        gte: new Date(window.from).toISOString(),
        lte: new Date(window.to).toISOString(),
        format: 'strict_date_optional_time',
      },
    },
  };
}

const errorText = (error: unknown): string => {
  const body = (error as { meta?: { body?: { error?: { reason?: string; root_cause?: { reason?: string }[] } } } }).meta?.body?.error;
  return body?.root_cause?.[0]?.reason ?? body?.reason ?? (error instanceof Error ? error.message : String(error));
};

const MSEARCH_CHUNK = 50;

export async function plainRuleFindings(context: RunContext, rules: readonly CompiledRule[], window: Window): Promise<RunFindings> {
  const findings: RunFindings = { alerts: [], failures: [], truncated: [], suppressed: 0 };
  for (let start = 0; start < rules.length; start += MSEARCH_CHUNK) {
    const chunk = rules.slice(start, start + MSEARCH_CHUNK);
    const body = chunk.flatMap((rule) => [
      { index: namespaced(rule.index, context.namespace), allow_no_indices: true, ignore_unavailable: true },
      {
        size: context.maxAlertsPerRun,
        track_total_hits: true,
        sort: [{ [context.timeField]: 'asc' }],
        _source: [...MATCHED_EVENT_FIELDS],
        query: { bool: { filter: [rule.dsl, rangeOn(context.timeField, window)] } },
      },
    ]);
    const response = await context.client.msearch({ body });
    const answers = response.body.responses as {
      error?: { reason?: string; root_cause?: { reason?: string }[] };
      hits?: { total?: { value: number }; hits: { _id: string; _index: string; _source?: Record<string, unknown> }[] };
    }[];
    chunk.forEach((rule, index) => {
      const answer = answers[index];
      const ruleId = ruleIdOf(rule);
      if (!answer || answer.error || !answer.hits) {
        findings.failures.push({ ruleId, error: answer?.error?.root_cause?.[0]?.reason ?? answer?.error?.reason ?? 'no answer' });
        return;
      }
      const matched = answer.hits.total?.value ?? answer.hits.hits.length;
      if (matched > context.maxAlertsPerRun) findings.truncated.push({ ruleId, matched });
      for (const hit of answer.hits.hits) {
        const event: MatchedEvent = { id: hit._id, index: hit._index, source: hit._source ?? {} };
        findings.alerts.push(plainAlert(rule, event, { rulesRoot: context.rulesRoot, window, now: context.now }));
      }
    });
  }
  return findings;
}

export async function correlationFindings(
  context: RunContext,
  correlations: readonly CompiledCorrelation[],
  store: AlertStore,
  recentlyAlerted: Map<string, number>,
): Promise<RunFindings> {
  const findings = { alerts: [] as AlertDocument[], failures: [] as RuleFailure[], truncated: [], suppressed: 0 };
  for (const correlation of correlations) {
    const ruleId = ruleIdOf(correlation);
    const window: Window = { from: context.now - correlation.rule.timespanMs, to: context.now };
    try {
      const response = await context.client.search({
        index: namespaced(correlation.index, context.namespace),
        allow_no_indices: true,
        ignore_unavailable: true,
        body: correlationSearchBody(correlation, window, { timeField: context.timeField }),
      });
      const groups = firingGroups(correlation, response.body);
      if (groups.length === 0) continue;
      // A group whose earlier alert still has events inside this window is the same incident, not a new one.
      const alerted = await store.recentGroupKeys(ruleId, window.from);
      for (const group of groups) {
        const memoryKey = `${ruleId}\u0000${group.groupKey}`;
        if (alerted.has(group.groupKey) || (recentlyAlerted.get(memoryKey) ?? -1) >= window.from) {
          findings.suppressed += 1;
          continue;
        }
        findings.alerts.push(correlationAlert(correlation, group, { rulesRoot: context.rulesRoot, window, now: context.now }));
      }
    } catch (error) {
      findings.failures.push({ ruleId, error: errorText(error) });
    }
  }
  return findings;
}
