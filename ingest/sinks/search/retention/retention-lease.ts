/**
 * The retention lease: one document in an OpenSearch index, so that of several fortiems processes writing to one
 * cluster only one runs retention at a time. Taken with `op_type=create` when there is none, or by overwriting an
 * expired one (or our own) with `if_seq_no`/`if_primary_term`: two takers race on the same version, OpenSearch lets one
 * write and answers 409 to the other. It carries an expiry, so a holder that crashed stops blocking the others once it
 * lapses; the holder renews it (the same conditional write) before each destructive step, and learns there that it lost
 * it (its run took longer than the lease and someone took over).
 *
 * Expiry times come from the holder's clock: lease_seconds must be far longer than the clocks' skew between hosts.
 */
import type { Client } from '@opensearch-project/opensearch';

export const LEASE_INDEX = 'fortiems-lease';

interface LeaseDocument {
  holder: string;
  acquired_at: number;
  expires_at: number;
}

export type LeaseOutcome = { acquired: true } | { acquired: false; holder: string; expiresAt: number };

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}

export class RetentionLease {
  private version: { seqNo: number; primaryTerm: number } | undefined;

  constructor(
    private readonly client: Client,
    /** One lease per namespace: `retention-<namespace>`. */
    private readonly id: string,
    readonly holder: string,
    private readonly durationMs: number,
  ) {}

  /** Takes the lease when nobody holds it, its holder's time ran out, or we hold it already. */
  async acquire(now: number): Promise<LeaseOutcome> {
    await this.ensureIndex();
    const current = await this.read();
    if (!current) return this.write(now, { op_type: 'create' });
    if (current.doc.holder !== this.holder && current.doc.expires_at > now)
      return { acquired: false, holder: current.doc.holder, expiresAt: current.doc.expires_at };
    return this.write(now, { if_seq_no: current.seqNo, if_primary_term: current.primaryTerm });
  }

  /** Extends the lease we hold; false when it is no longer ours (it lapsed and another process took it). */
  async renew(now: number): Promise<boolean> {
    if (!this.version) return false;
    const outcome = await this.write(now, { if_seq_no: this.version.seqNo, if_primary_term: this.version.primaryTerm });
    return outcome.acquired;
  }

  /** Gives the lease up (only the version we wrote: never one another process has taken since). */
  async release(): Promise<void> {
    const version = this.version;
    this.version = undefined;
    if (!version) return;
    await this.client.delete(
      { index: LEASE_INDEX, id: this.id, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm },
      { ignore: [404, 409] },
    );
  }

  private async write(now: number, condition: Record<string, unknown>): Promise<LeaseOutcome> {
    const body: LeaseDocument = { holder: this.holder, acquired_at: now, expires_at: now + this.durationMs };
    try {
      const response = await this.client.index({ index: LEASE_INDEX, id: this.id, body, ...condition } as never);
      const written = response.body as unknown as { _seq_no: number; _primary_term: number };
      this.version = { seqNo: written._seq_no, primaryTerm: written._primary_term };
      return { acquired: true };
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      this.version = undefined;
      const winner = await this.read();
      return { acquired: false, holder: winner?.doc.holder ?? 'unknown', expiresAt: winner?.doc.expires_at ?? now };
    }
  }

  private async read(): Promise<{ doc: LeaseDocument; seqNo: number; primaryTerm: number } | undefined> {
    // A GET by id is real-time: it sees the last write without a refresh.
    const response = await this.client.get({ index: LEASE_INDEX, id: this.id }, { ignore: [404] });
    const body = response.body as unknown as { found: boolean; _source: LeaseDocument; _seq_no: number; _primary_term: number };
    if (!body.found) return undefined;
    return { doc: body._source, seqNo: body._seq_no, primaryTerm: body._primary_term };
  }

  private async ensureIndex(): Promise<void> {
    const exists = await this.client.indices.exists({ index: LEASE_INDEX });
    if (exists.body) return;
    // Two processes may both find it missing: the second creation's resource_already_exists (400) is harmless.
    await this.client.indices.create(
      {
        index: LEASE_INDEX,
        body: {
          settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
          mappings: {
            dynamic: false,
            properties: { holder: { type: 'keyword' }, acquired_at: { type: 'date' }, expires_at: { type: 'date' } },
          },
        },
      },
      { ignore: [400] },
    );
  }
}
