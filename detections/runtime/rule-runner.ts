/**
 * One detection run: each rule searches from where it got to last time (its own cursor) up to now. Plain rules go in
 * one multi-search (one alert per matching event, at most `maxAlertsPerRun`, the rest left for the next run by a
 * search_after cursor); correlation rules are evaluated over every window ending at a matching event since their last
 * run (one alert per incident of a group not already alerted). A rule that fails, or whose answer is partial, keeps
 * its cursor, so the next run searches that range again: nothing is skipped.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { AlertDocument } from '../../mappings/index.js';
import type { CompiledCorrelation, CompiledRule } from '../sigma/compile.js';
import { correlationAlert, MATCHED_EVENT_FIELDS, type MatchedEvent, plainAlert, ruleIdOf, type Window } from './alert-document.js';
import type { AlertStore } from './alert-store.js';

/** What suppression needs from the alerts index: the latest incident per group of a rule. */
export type IncidentHistory = Pick<AlertStore, 'recentAlerts'>;

import { correlationFirings, isPartial } from './correlation-evaluate.js';
import { type NewTermsRule, newTerms } from './new-terms.js';
import { indexInNamespace, indicesInNamespace } from './rule-samples.js';

export interface RunContext {
  readonly client: Client;
  /** Events are searched in this namespace's data streams only. */
  readonly namespace: string;
  readonly timeField: string;
  readonly maxAlertsPerRun: number;
  readonly rulesRoot: string;
  readonly now: number;
}

/** Where a rule got to: the end of its last searched range, and for a plain rule cut at maxAlertsPerRun, the last hit. */
export interface RuleCursor {
  readonly end: number;
  /** The sort values of the last hit handled (time, event.id); the next search continues after it. */
  readonly after?: readonly [number, string];
}

export interface RuleFailure {
  readonly ruleId: string;
  readonly error: string;
}

export interface RunFindings {
  readonly alerts: AlertDocument[];
  readonly failures: RuleFailure[];
  /** Plain rules that matched more than maxAlertsPerRun events (the rest come next run); correlation groups cut. */
  readonly truncated: { ruleId: string; matched: number }[];
  /** Correlation incidents left out because their group alerted already on events still in the window. */
  suppressed: number;
  /** The cursors to keep once the alerts are stored: only rules that ran completely. */
  readonly cursors: Map<string, RuleCursor>;
}

export function emptyFindings(): RunFindings {
  return { alerts: [], failures: [], truncated: [], suppressed: 0, cursors: new Map() };
}

type SearchError = { reason?: string; root_cause?: { reason?: string }[] };

/** OpenSearch's most specific reason: the root cause's, else the error's own. */
const reasonOf = (error: SearchError | undefined): string | undefined => error?.root_cause?.[0]?.reason ?? error?.reason;

const errorText = (error: unknown): string =>
  reasonOf((error as { meta?: { body?: { error?: SearchError } } }).meta?.body?.error) ??
  (error instanceof Error ? error.message : String(error));

const MSEARCH_CHUNK = 50;

interface SearchAnswer {
  error?: SearchError;
  hits?: {
    total?: { value: number };
    hits: { _id: string; _index: string; _source?: Record<string, unknown>; sort?: [number, string] }[];
  };
}

function plainSearch(rule: CompiledRule, context: RunContext, window: Window, cursor: RuleCursor | undefined): Record<string, unknown> {
  return {
    size: context.maxAlertsPerRun,
    track_total_hits: true,
    // unmapped_type: a data stream of the pattern without the field must not fail the whole search.
    sort: [{ [context.timeField]: { order: 'asc', unmapped_type: 'date' } }, { 'event.id': { order: 'asc', unmapped_type: 'keyword' } }],
    ...(cursor?.after ? { search_after: [...cursor.after] } : {}),
    _source: [...MATCHED_EVENT_FIELDS],
    query: {
      bool: {
        filter: [rule.dsl, { range: { [context.timeField]: { gte: window.from, lte: window.to, format: 'epoch_millis' } } }],
      },
    },
  };
}

export async function plainRuleFindings(
  context: RunContext,
  rules: readonly CompiledRule[],
  windowOf: (ruleId: string) => { window: Window; cursor: RuleCursor | undefined },
): Promise<RunFindings> {
  const findings = emptyFindings();
  for (let start = 0; start < rules.length; start += MSEARCH_CHUNK) {
    const chunk = rules.slice(start, start + MSEARCH_CHUNK).map((rule) => ({ rule, id: ruleIdOf(rule), ...windowOf(ruleIdOf(rule)) }));
    const body = chunk.flatMap(({ rule, window, cursor }) => [
      { index: indicesInNamespace(rule.index, context.namespace), allow_no_indices: true, ignore_unavailable: true },
      plainSearch(rule, context, window, cursor),
    ]);
    let answers: SearchAnswer[];
    try {
      answers = (await context.client.msearch({ body })).body.responses as SearchAnswer[];
    } catch (error) {
      for (const { id } of chunk) findings.failures.push({ ruleId: id, error: errorText(error) });
      continue;
    }
    chunk.forEach(({ rule, id, window }, index) => {
      const answer = answers[index];
      if (!answer?.hits || answer.error || isPartial(answer)) {
        const reason = reasonOf(answer?.error) ?? 'partial or missing answer';
        findings.failures.push({ ruleId: id, error: reason });
        return;
      }
      const { hits } = answer.hits;
      for (const hit of hits) {
        const event: MatchedEvent = { id: hit._id, index: hit._index, source: hit._source ?? {} };
        findings.alerts.push(plainAlert(rule, event, { rulesRoot: context.rulesRoot, window, now: context.now }));
      }
      const last = hits[hits.length - 1];
      const matched = answer.hits.total?.value ?? hits.length;
      if (hits.length === context.maxAlertsPerRun && matched > hits.length && last?.sort) {
        findings.truncated.push({ ruleId: id, matched });
        findings.cursors.set(id, { end: last.sort[0], after: last.sort });
      } else findings.cursors.set(id, { end: window.to });
    });
  }
  return findings;
}

export async function correlationFindings(
  context: RunContext,
  correlations: readonly CompiledCorrelation[],
  store: IncidentHistory,
  rangeOf: (ruleId: string) => Window,
  recentlyAlerted: Map<string, number>,
): Promise<RunFindings> {
  const findings = emptyFindings();
  for (const correlation of correlations) {
    const ruleId = ruleIdOf(correlation);
    const range = rangeOf(ruleId);
    try {
      let cut = 0;
      const firings = await correlationFirings(context.client, correlation, indicesInNamespace(correlation.index, context.namespace), {
        timeField: context.timeField,
        range,
        onGroupsCut: (other) => {
          cut = Math.max(cut, other);
        },
      });
      if (cut > 0) findings.truncated.push({ ruleId, matched: cut });
      if (firings.length > 0) {
        const earliest = Math.min(...firings.map((firing) => firing.window.from));
        // An incident whose group alerted on events still inside its window is the one already raised.
        const alerted = await store.recentAlerts(ruleId, earliest);
        for (const { group, window } of firings) {
          const memoryKey = `${ruleId}\u0000${group.groupKey}`;
          const before = Math.max(alerted.get(group.groupKey) ?? -1, recentlyAlerted.get(memoryKey) ?? -1);
          if (before >= window.from) {
            findings.suppressed += 1;
            continue;
          }
          findings.alerts.push(correlationAlert(correlation, group, { rulesRoot: context.rulesRoot, window, now: context.now }));
        }
      }
      findings.cursors.set(ruleId, { end: range.to });
    } catch (error) {
      findings.failures.push({ ruleId, error: errorText(error) });
    }
  }
  return findings;
}

/**
 * First-seen rules: one alert per value new in the range, on its first event (alert id: rule and event, as for a
 * plain rule). Beyond maxAlertsPerRun new values, the cursor stops at the last one alerted: the rest are still new
 * next run (their first events lie after it), the ones alerted come back as the same ids.
 */
export async function newTermsFindings(
  context: RunContext,
  rules: readonly NewTermsRule[],
  rangeOf: (ruleId: string) => Window,
): Promise<RunFindings> {
  const findings = emptyFindings();
  for (const rule of rules) {
    const ruleId = ruleIdOf(rule);
    const range = rangeOf(ruleId);
    try {
      const fresh = await newTerms(context.client, rule, indexInNamespace(rule.index, context.namespace), {
        timeField: context.timeField,
        range,
      });
      const taken = fresh.slice(0, context.maxAlertsPerRun);
      for (const term of taken)
        findings.alerts.push(plainAlert(rule, term.event, { rulesRoot: context.rulesRoot, window: range, now: context.now }));
      const last = taken[taken.length - 1];
      if (fresh.length > taken.length && last) {
        findings.truncated.push({ ruleId, matched: fresh.length });
        findings.cursors.set(ruleId, { end: last.firstSeen });
      } else findings.cursors.set(ruleId, { end: range.to });
    } catch (error) {
      findings.failures.push({ ruleId, error: errorText(error) });
    }
  }
  return findings;
}
