/**
 * An analyst's change to an alert, checked before anything is written (`planChange`): which status may follow which,
 * a closing note, the limits on assignee and note, and the audit entries (one per field that really changes).
 * The writes with optimistic concurrency are in tests/integration/alert-workflow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_AUDIT_ENTRIES, MAX_NOTE, planChange, STATUS_TRANSITIONS, workState } from '../../detections/runtime/alert-workflow.js';
import type { AlertAuditEntry, AlertDocument, AlertStatus } from '../../mappings/index.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const WHEN = new Date(NOW).toISOString();

function stored(fields: Partial<AlertDocument['fortiems']['alert']> = {}): Partial<AlertDocument> {
  return { fortiems: { alert: { status: 'open', ...fields } as AlertDocument['fortiems']['alert'] } };
}

describe('planChange', () => {
  it('follows the status transitions and refuses the others, naming where the alert can go', () => {
    const all: AlertStatus[] = ['open', 'acknowledged', 'closed'];
    for (const from of all)
      for (const to of all) {
        if (from === to) continue;
        const plan = planChange(stored({ status: from }), { status: to, ...(to === 'closed' ? { note: 'done' } : {}) }, 'ana', NOW);
        expect(plan.ok, `${from} → ${to}`).toBe(STATUS_TRANSITIONS[from].includes(to));
        if (!plan.ok)
          expect(plan.problem).toBe(
            `an alert that is ${from} cannot become ${to} (it can become ${STATUS_TRANSITIONS[from].join(' or ')})`,
          );
      }
    expect(STATUS_TRANSITIONS).toEqual({ open: ['acknowledged', 'closed'], acknowledged: ['open', 'closed'], closed: ['open'] });
  });

  it('acknowledges with one audit entry: who, when, from, to', () => {
    const plan = planChange(stored(), { status: 'acknowledged' }, 'ana', NOW);
    expect(plan).toEqual({
      ok: true,
      fields: { status: 'acknowledged', assignee: null, note: null },
      entries: [{ who: 'ana', when: WHEN, field: 'status', from: 'open', to: 'acknowledged' }],
    });
  });

  it('closes only with a note given in the same change', () => {
    expect(planChange(stored({ status: 'acknowledged' }), { status: 'closed' }, 'ana', NOW)).toEqual({
      ok: false,
      problem: 'closing an alert needs a note saying why',
    });
    // A note left earlier is not the reason for closing.
    expect(planChange(stored({ status: 'acknowledged', note: 'looking' }), { status: 'closed' }, 'ana', NOW).ok).toBe(false);
    expect(planChange(stored(), { status: 'closed', note: '   ' }, 'ana', NOW).ok).toBe(false);
    const plan = planChange(
      stored({ status: 'acknowledged', assignee: 'ana' }),
      { status: 'closed', note: ' false positive: a scanner ' },
      'bob',
      NOW,
    );
    expect(plan.ok && plan.entries).toEqual([
      { who: 'bob', when: WHEN, field: 'status', from: 'acknowledged', to: 'closed' },
      { who: 'bob', when: WHEN, field: 'note', from: null, to: 'false positive: a scanner' },
    ]);
    expect(plan.ok && plan.fields).toEqual({ status: 'closed', assignee: 'ana', note: 'false positive: a scanner' });
  });

  it('assigns, reassigns and unassigns; an empty assignee or note is none', () => {
    const assign = planChange(stored(), { assignee: ' ana ' }, 'ana', NOW);
    expect(assign.ok && assign.entries).toEqual([{ who: 'ana', when: WHEN, field: 'assignee', from: null, to: 'ana' }]);
    const reassign = planChange(stored({ assignee: 'ana' }), { assignee: 'bob' }, 'ana', NOW);
    expect(reassign.ok && reassign.entries).toEqual([{ who: 'ana', when: WHEN, field: 'assignee', from: 'ana', to: 'bob' }]);
    for (const none of ['', null]) {
      const unassign = planChange(stored({ assignee: 'bob' }), { assignee: none }, 'bob', NOW);
      expect(unassign.ok && unassign.fields.assignee).toBe(null);
      expect(unassign.ok && unassign.entries).toEqual([{ who: 'bob', when: WHEN, field: 'assignee', from: 'bob', to: null }]);
    }
  });

  it('refuses a change that changes nothing, and an empty or unknown change', () => {
    expect(
      planChange(stored({ status: 'acknowledged', assignee: 'ana' }), { status: 'acknowledged', assignee: 'ana' }, 'ana', NOW),
    ).toEqual({
      ok: false,
      problem: 'nothing to change: the alert is already acknowledged, assigned to ana',
    });
    expect(planChange(stored(), {}, 'ana', NOW)).toEqual({ ok: false, problem: 'nothing to change: give a status, an assignee or a note' });
    expect(planChange(stored(), { level: 'low' } as never, 'ana', NOW)).toEqual({ ok: false, problem: 'unknown fields: level' });
    expect(planChange(stored(), { status: 'resolved' } as never, 'ana', NOW).ok).toBe(false);
  });

  it('keeps hostile text as it is (the console shows it as text), within limits and without control characters', () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    const plan = planChange(stored(), { assignee: hostile, note: `${hostile}\nsecond line` }, 'ana', NOW);
    expect(plan.ok && plan.fields).toEqual({ status: 'open', assignee: hostile, note: `${hostile}\nsecond line` });
    expect(planChange(stored(), { assignee: 'ana\rbob' }, 'ana', NOW).ok).toBe(false);
    expect(planChange(stored(), { note: 'a\u0000b' }, 'ana', NOW).ok).toBe(false);
    expect(planChange(stored(), { note: 'x'.repeat(MAX_NOTE + 1) }, 'ana', NOW).ok).toBe(false);
    expect(planChange(stored(), { note: 'x'.repeat(MAX_NOTE) }, 'ana', NOW).ok).toBe(true);
    expect(planChange(stored(), { assignee: 'x'.repeat(129) }, 'ana', NOW).ok).toBe(false);
    expect(planChange(stored(), { status: 'acknowledged' }, '', NOW)).toEqual({ ok: false, problem: 'the change has no valid author' });
  });

  it('reads an older alert without the fields as open, unassigned, without a note', () => {
    expect(workState({})).toEqual({ status: 'open', assignee: null, note: null });
    expect(workState(undefined)).toEqual({ status: 'open', assignee: null, note: null });
    const plan = planChange({}, { status: 'acknowledged' }, 'ana', NOW);
    expect(plan.ok && plan.entries[0]?.from).toBe('open');
  });

  it('stops an alert at the audit trail limit', () => {
    const entry: AlertAuditEntry = { who: 'ana', when: WHEN, field: 'note', from: null, to: 'x' };
    const full = stored({ audit: Array.from({ length: MAX_AUDIT_ENTRIES }, () => entry) });
    expect(planChange(full, { note: 'one more' }, 'ana', NOW)).toEqual({
      ok: false,
      problem: `the alert holds ${MAX_AUDIT_ENTRIES} changes already, the most one alert keeps`,
    });
  });
});
