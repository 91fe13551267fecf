/**
 * The alerts index as the scheduler uses it: created once with our mapping, alerts written with `create` (a 409 is an
 * alert raised before: the dedup), the groups that alerted recently (correlation suppression), and the hand-off
 * flag that lets a restart give the outputs what a crash kept from them.
 */
import type { Client } from '@opensearch-project/opensearch';
import { ALERTS_INDEX_BODY, type AlertDocument } from '../../mappings/index.js';

export interface CreateOutcome {
  readonly created: AlertDocument[];
  /** Alerts whose id was already in the index. */
  readonly duplicates: number;
}

export class AlertStore {
  private ready = false;

  constructor(
    private readonly client: Client,
    readonly index: string,
  ) {}

  async ensureIndex(): Promise<void> {
    if (this.ready) return;
    const exists = await this.client.indices.exists({ index: this.index });
    if (!exists.body) {
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
    if (alerts.length === 0) return { created: [], duplicates: 0 };
    await this.ensureIndex();
    const body = alerts.flatMap((alert) => [{ create: { _index: this.index, _id: alert.event.id } }, alert]);
    // wait_for: the next run's suppression lookup must see these alerts.
    const response = await this.client.bulk({ body, refresh: 'wait_for' });
    const created: AlertDocument[] = [];
    let duplicates = 0;
    const failures: string[] = [];
    response.body.items.forEach((item, index) => {
      const result = item.create;
      const alert = alerts[index] as AlertDocument;
      if (result?.status === 201 || result?.status === 200) created.push(alert);
      else if (result?.status === 409) duplicates += 1;
      else failures.push(`${alert.event.id}: ${result?.status} ${JSON.stringify(result?.error)}`);
    });
    // Created ones stay created; the failed ones are found again by the next run (same ids), so throw after counting.
    if (failures.length > 0) throw new AlertWriteError(created, duplicates, failures);
    return { created, duplicates };
  }

  /** group_key of every alert of `ruleId` whose matching events reach `since` or later. */
  async recentGroupKeys(ruleId: string, since: number): Promise<Set<string>> {
    await this.ensureIndex();
    const body: Record<string, unknown> = {
      size: 0,
      query: {
        bool: {
          filter: [{ term: { 'rule.id': ruleId } }, { range: { 'fortiems.alert.last_seen': { gte: new Date(since).toISOString() } } }],
        },
      },
      aggs: { groups: { terms: { field: 'fortiems.alert.group_key', size: 10_000 } } },
    };
    const response = await this.client.search({ index: this.index, body });
    const buckets = (response.body.aggregations as { groups?: { buckets?: { key: string }[] } } | undefined)?.groups?.buckets ?? [];
    return new Set(buckets.map((bucket) => String(bucket.key)));
  }

  async markHanded(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const body = ids.flatMap((id) => [
      { update: { _index: this.index, _id: id } },
      { doc: { fortiems: { alert: { handed_to_outputs: true } } } },
    ]);
    const response = await this.client.bulk({ body });
    if (response.body.errors) throw new Error(`marking ${ids.length} alerts as handed to the outputs failed`);
  }

  /** Alerts created but not yet held by every output (a crash between the two steps), oldest first. */
  async notHanded(limit = 1000): Promise<AlertDocument[]> {
    await this.ensureIndex();
    const response = await this.client.search({
      index: this.index,
      body: { size: limit, sort: [{ '@timestamp': 'asc' }], query: { term: { 'fortiems.alert.handed_to_outputs': false } } },
    });
    return response.body.hits.hits.map((hit) => hit._source as unknown as AlertDocument);
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
