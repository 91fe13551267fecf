/**
 * `changeAlert` against the real OpenSearch: a status change with its audit entry in the document, a change made
 * against a version someone else changed (409, theirs kept), two changes racing (one wins, the other 409), the
 * scheduler's hand-off flag beside an analyst's change, and an alerts index of an older mapping brought up to date.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { plainAlert } from '../../detections/runtime/alert-document.js';
import { AlertStore } from '../../detections/runtime/alert-store.js';
import { changeAlert } from '../../detections/runtime/alert-workflow.js';
import type { CompiledRule } from '../../detections/sigma/compile.js';
import { type AlertDocument, alertsIndex } from '../../mappings/index.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';

const RULE = {
  file: '/rules/ems_test.yml',
  document: 0,
  lucene: 'event.action:test',
  rule: { id: 'b0c4e3a2-7f55-4d0e-8a43-2d7b1c9e0001', title: 'Workflow test rule', level: 'high', tags: [], falsepositives: [] },
} as unknown as CompiledRule;

describe('alert workflow on a real OpenSearch', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const namespace = `work${randomUUID().slice(0, 8)}`;
  const index = alertsIndex(namespace);
  const store = new AlertStore(client, index);
  const now = Date.parse('2026-12-01T10:00:00Z');
  const alerts: AlertDocument[] = [];

  const raise = async (n: number) => {
    const alert = plainAlert(
      RULE,
      { id: `event-${namespace}-${n}`, index: `logs-fortiems.test-${namespace}`, source: { '@timestamp': new Date(now).toISOString() } },
      { rulesRoot: '/rules', window: { from: now - 60_000, to: now }, now },
    );
    await store.create([alert]);
    alerts.push(alert);
    return alert.event.id;
  };
  const read = async (id: string) => {
    const got = await client.get({ index, id });
    return {
      source: got.body._source as unknown as AlertDocument,
      version: { seq_no: Number(got.body._seq_no), primary_term: Number(got.body._primary_term) },
    };
  };

  beforeAll(async () => {
    await store.ensureIndex();
  });
  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('acknowledges, then closes with a note: the fields and the audit trail are in the alert document', async () => {
    const id = await raise(1);
    const acknowledged = await changeAlert(client, {
      index: alertsIndex('*'),
      id,
      change: { status: 'acknowledged', assignee: 'ana' },
      who: 'ana',
      now: now + 1000,
    });
    expect(acknowledged.ok).toBe(true);
    if (!acknowledged.ok) return;
    expect(acknowledged.index).toBe(index);
    expect(acknowledged.alert.fortiems.alert.status).toBe('acknowledged');
    const closed = await changeAlert(client, {
      index,
      id,
      change: { status: 'closed', note: 'a scanner of our own <b>' },
      who: 'bob',
      expected: acknowledged.version,
      now: now + 2000,
    });
    expect(closed.ok).toBe(true);
    const { source } = await read(id);
    expect(source.fortiems.alert).toMatchObject({
      status: 'closed',
      assignee: 'ana',
      note: 'a scanner of our own <b>',
      handed_to_outputs: false,
    });
    expect(source.fortiems.alert.audit).toEqual([
      { who: 'ana', when: new Date(now + 1000).toISOString(), field: 'status', from: 'open', to: 'acknowledged' },
      { who: 'ana', when: new Date(now + 1000).toISOString(), field: 'assignee', from: null, to: 'ana' },
      { who: 'bob', when: new Date(now + 2000).toISOString(), field: 'status', from: 'acknowledged', to: 'closed' },
      { who: 'bob', when: new Date(now + 2000).toISOString(), field: 'note', from: null, to: 'a scanner of our own <b>' },
    ]);
    // What the rule wrote is untouched.
    expect({
      ...source,
      fortiems: { alert: { ...source.fortiems.alert, status: 'open', audit: undefined, assignee: undefined, note: undefined } },
    }).toEqual(
      JSON.parse(
        JSON.stringify({
          ...alerts[0],
          fortiems: { alert: { ...alerts[0]?.fortiems.alert, audit: undefined, assignee: undefined, note: undefined } },
        }),
      ),
    );
    // The status and the assignee are searchable (the alerts list filters on them).
    const found = await client.search({
      index,
      body: {
        query: { bool: { filter: [{ term: { 'fortiems.alert.status': 'closed' } }, { term: { 'fortiems.alert.assignee': 'ana' } }] } },
      },
    });
    expect(found.body.hits.hits.map((hit) => hit._id)).toEqual([id]);
    // Closed goes back to open only.
    expect(await changeAlert(client, { index, id, change: { status: 'acknowledged' }, who: 'ana' })).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('answers 409 to a change made against a version someone else changed, and keeps theirs', async () => {
    const id = await raise(2);
    const seen = (await read(id)).version;
    const first = await changeAlert(client, { index, id, change: { assignee: 'ana' }, who: 'ana', expected: seen });
    expect(first.ok).toBe(true);
    const stale = await changeAlert(client, { index, id, change: { assignee: 'bob' }, who: 'bob', expected: seen });
    expect(stale).toEqual({ ok: false, status: 409, message: 'the alert was changed since it was loaded: reload it and decide again' });
    const { source } = await read(id);
    expect(source.fortiems.alert.assignee).toBe('ana');
    expect(source.fortiems.alert.audit).toHaveLength(1);
  });

  it('lets one of two racing changes through and answers 409 to the other (OpenSearch checks the version)', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await raise(10 + round);
      const seen = (await read(id)).version;
      const outcomes = await Promise.all(
        ['ana', 'bob'].map((who) =>
          changeAlert(client, { index, id, change: { status: 'acknowledged', assignee: who }, who, expected: seen }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      const refused = outcomes.find((outcome) => !outcome.ok);
      expect(refused).toMatchObject({ ok: false, status: 409 });
      const winner = outcomes.find((outcome) => outcome.ok);
      const { source } = await read(id);
      expect(source.fortiems.alert.audit).toHaveLength(2);
      expect(source.fortiems.alert.assignee).toBe(winner?.ok ? winner.alert.fortiems.alert.assignee : undefined);
    }
  });

  it('answers 404 for an unknown id and 400 for an invalid change, writing nothing', async () => {
    expect(
      await changeAlert(client, { index: alertsIndex('*'), id: 'no-such-alert', change: { status: 'acknowledged' }, who: 'ana' }),
    ).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await changeAlert(client, { index, id: 'no-such-alert', change: { status: 'acknowledged' }, who: 'ana' })).toMatchObject({
      ok: false,
      status: 404,
    });
    const id = await raise(3);
    const before = await read(id);
    expect(await changeAlert(client, { index, id, change: { status: 'closed' }, who: 'ana' })).toEqual({
      ok: false,
      status: 400,
      message: 'closing an alert needs a note saying why',
    });
    expect((await read(id)).version).toEqual(before.version);
  });

  it('keeps the hand-off flag and the analyst change apart: marking handed after a change keeps the change', async () => {
    const id = await raise(4);
    const changed = await changeAlert(client, { index, id, change: { status: 'acknowledged' }, who: 'ana' });
    expect(changed.ok).toBe(true);
    await store.markHanded([id]);
    const { source } = await read(id);
    expect(source.fortiems.alert).toMatchObject({ status: 'acknowledged', handed_to_outputs: true });
    expect(source.fortiems.alert.audit).toHaveLength(1);
  });

  it('brings an alerts index made with the older mapping up to date, so the assignee becomes searchable', async () => {
    const old = alertsIndex(`${namespace}old`);
    await client.indices.create({
      index: old,
      body: {
        mappings: { dynamic: false, properties: { fortiems: { properties: { alert: { properties: { status: { type: 'keyword' } } } } } } },
      },
    });
    try {
      await new AlertStore(client, old).ensureIndex();
      const mapping = await client.indices.getMapping({ index: old });
      const mappings = (mapping.body as Record<string, { mappings: unknown }>)[old]?.mappings as
        | { properties: { fortiems: { properties: { alert: { properties: Record<string, unknown> } } } } }
        | undefined;
      const alertFields = mappings?.properties.fortiems.properties.alert.properties ?? {};
      expect(alertFields.assignee).toEqual({ type: 'keyword' });
      expect(Object.keys(alertFields)).toContain('audit');
    } finally {
      await client.indices.delete({ index: old, ignore_unavailable: true });
    }
  });
});
