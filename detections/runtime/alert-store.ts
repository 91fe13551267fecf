/**
 * The alerts index as the scheduler uses it: created once with our mapping, alerts written with `create` (a 409 is an
 * alert raised before: the dedup), the groups that alerted recently (correlation suppression), and the hand-off
 * flag that lets a restart give the outputs what a crash kept from them. An analyst's changes (status, assignee,
 * note, audit) go through `changeAlert` (`alert-workflow.ts`), never through here.
 */
import type { Client } from '@opensearch-project/opensearch';
import { ALERTS_INDEX_BODY, type AlertDocument } from '../../mappings/index.js';

export interface CreateOutcome {
  readonly created: AlertDocument[];
  /** Alerts whose id was already in the index. */
  readonly duplicates: number;
  /** Alerts the index refused for good (a 4xx other than 409/429), with why: logged and counted, never retried. */
  readonly rejected: readonly string[];
}

export const ALERTS_TEMPLATE = 'fortiems-alerts';

export class AlertStore {
  private ready = false;

  constructor(
    private readonly client: Client,
    readonly index: string,
  ) {}

  async ensureIndex(): Promise<void> {
    if (this.ready) return;
    // A template too: an alerts index deleted by hand or by retention is re-created by the next write with our mapping.
    await this.client.indices.putIndexTemplate({
      name: ALERTS_TEMPLATE,
      body: { index_patterns: ['fortiems-alerts-*'], priority: 200, template: ALERTS_INDEX_BODY } as never,
    });
    const exists = await this.client.indices.exists({ index: this.index });
    if (exists.body) {
      // An index made by an older version lacks the newer fields (assignee, audit): adding fields to a mapping is
      // allowed, and without it they are kept in _source but not searchable.
      await this.client.indices.putMapping({ index: this.index, body: ALERTS_INDEX_BODY.mappings as unknown as Record<string, unknown> });
    } else {
      try {
        await this.client.indices.create({ index: this.index, body: ALERTS_INDEX_BODY as unknown as Record<string, unknown> });
      } catch (error) {
        // Another process (or a previous attempt whose answer was lost) created it first: that is what we wanted.
        if (!String((error as { body?: { error?: { type?: string } } }).body?.error?.type).includes('resource_already_exists')) throw error;
      }
    }
    this.ready = true;
  }

  async create(alerts: readonly AlertDocument[]): Promise<CreateOutcome> {
    if (alerts.length === 0) return { created: [], duplicates: 0, rejected: [] };
    await this.ensureIndex();
    const body = alerts.flatMap((alert) => [{ create: { _index: this.index, _id: alert.event.id } }, alert]);
    // wait_for: the next run's suppression lookup must see these alerts.
    const response = await this.client.bulk({ body, refresh: 'wait_for' });
    const created: AlertDocument[] = [];
    let duplicates = 0;
    const failures: string[] = [];
    const rejected: string[] = [];
    response.body.items.forEach((item, index) => {
      const result = item.create;
      const alert = alerts[index] as AlertDocument;
      const status = result?.status ?? 0;
      const why = `${alert.rule.id} ${alert.event.id}: ${status} ${JSON.stringify(result?.error)}`;
      if (status === 201 || status === 200) created.push(alert);
      else if (status === 409) duplicates += 1;
      // A document the index refuses now it refuses on every retry: holding the window for it would stop detection.
      else if (status >= 400 && status < 500 && status !== 429) rejected.push(why);
      else failures.push(why);
    });
    // Created ones stay created; the failed ones are found again by the next run (same ids), so throw after counting.
    if (failures.length > 0) throw new AlertWriteError(created, duplicates, failures);
    return { created, duplicates, rejected };
  }

  /** group_key → the latest last_seen among the correlation alerts of `ruleId` whose events reach `since` or later. */
  async recentAlerts(ruleId: string, since: number): Promise<Map<string, number>> {
    await this.ensureIndex();
    const body: Record<string, unknown> = {
      size: 0,
      query: {
        bool: {
          filter: [{ term: { 'rule.id': ruleId } }, { range: { 'fortiems.alert.last_seen': { gte: since, format: 'epoch_millis' } } }],
          // Plain alerts of a rule without an id of its own can share the file-name id; they are not groups.
          must_not: [{ term: { 'rule.category': 'query' } }],
        },
      },
      aggs: {
        groups: {
          terms: { field: 'fortiems.alert.group_key', size: 10_000 },
          aggs: { last: { max: { field: 'fortiems.alert.last_seen' } } },
        },
      },
    };
    const response = await this.client.search({ index: this.index, body });
    const buckets =
      (response.body.aggregations as { groups?: { buckets?: { key: string; last?: { value?: number } }[] } } | undefined)?.groups
        ?.buckets ?? [];
    return new Map(buckets.map((bucket) => [String(bucket.key), Number(bucket.last?.value ?? 0)]));
  }

  async markHanded(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const body = ids.flatMap((id) => [
      // An analyst's change can land between the update's own read and write: the flag is ours alone, so try again.
      { update: { _index: this.index, _id: id, retry_on_conflict: 3 } },
      { doc: { fortiems: { alert: { handed_to_outputs: true } } } },
    ]);
    const response = await this.client.bulk({ body });
    if (response.body.errors) throw new Error(`marking ${ids.length} alerts as handed to the outputs failed`);
  }

  /** Alerts created but not yet held by every output (a crash between the two steps), oldest first, page by page. */
  async *notHanded(page = 500): AsyncGenerator<AlertDocument[]> {
    await this.ensureIndex();
    let after: unknown[] | undefined;
    for (;;) {
      const response = await this.client.search({
        index: this.index,
        body: {
          size: page,
          sort: [{ '@timestamp': 'asc' }, { 'event.id': 'asc' }],
          ...(after ? { search_after: after } : {}),
          query: { term: { 'fortiems.alert.handed_to_outputs': false } },
        } as never,
      });
      const hits = response.body.hits.hits;
      if (hits.length === 0) return;
      yield hits.map((hit) => hit._source as unknown as AlertDocument);
      after = hits[hits.length - 1]?.sort as unknown[] | undefined;
      if (hits.length < page || !after) return;
    }
  }
}

export class AlertWriteError extends Error {
  constructor(
    readonly created: AlertDocument[],
    readonly duplicates: number,
    readonly failures: readonly string[],
  ) {
    super(`${failures.length} alerts could not be written: ${failures[0]}`);
  }
}
