/**
 * An analyst working an alert: status (`open` → `acknowledged` → `closed`, and back), assignee and note. Every change
 * goes through `changeAlert`, which checks it against the stored alert (`planChange`), appends one audit entry per
 * changed field to the document itself, and writes with OpenSearch's optimistic concurrency (`if_seq_no` /
 * `if_primary_term`): a change made against a version someone else changed in between is refused with 409, never
 * written over theirs.
 */
import { type Client, errors } from '@opensearch-project/opensearch';
import {
  ALERT_STATUSES,
  type AlertAuditEntry,
  type AlertChange,
  type AlertChangeOutcome,
  type AlertDocument,
  type AlertStatus,
  type AlertVersion,
} from '../../mappings/index.js';

/** Where each status may go. Closed is done: it goes back to open (reopened), not straight to acknowledged. */
export const STATUS_TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = {
  open: ['acknowledged', 'closed'],
  acknowledged: ['open', 'closed'],
  closed: ['open'],
};

export const MAX_ASSIGNEE = 128;
export const MAX_NOTE = 4000;
export const MAX_WHO = 256;
/** A document grows by each change; past this many entries an alert takes no more (it is not a chat). */
export const MAX_AUDIT_ENTRIES = 1000;

// Control characters would make the audit trail lie about what it shows (a carriage return over a name); a note may
// hold line breaks and tabs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters other than tab and line breaks are refused
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The three fields as a stored alert holds them (an older document may lack them: it is open, unassigned, no note). */
export function workState(alert: Partial<AlertDocument> | undefined): {
  status: AlertStatus;
  assignee: string | null;
  note: string | null;
} {
  const body = alert?.fortiems?.alert;
  const status = (ALERT_STATUSES as readonly unknown[]).includes(body?.status) ? (body?.status as AlertStatus) : 'open';
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return { status, assignee: text(body?.assignee), note: text(body?.note) };
}

export type ChangePlan =
  | { ok: true; fields: { status: AlertStatus; assignee: string | null; note: string | null }; entries: AlertAuditEntry[] }
  | { ok: false; problem: string };

/**
 * Checks one change against the alert as stored and says what to write: the three fields afterwards and the audit
 * entries (one per field that really changes). Pure: `changeAlert` calls it on the version it then writes over.
 */
export function planChange(current: Partial<AlertDocument> | undefined, change: AlertChange, who: string, now: number): ChangePlan {
  if (typeof who !== 'string' || who.trim() === '' || who.length > MAX_WHO || CONTROL.test(who))
    return { ok: false, problem: 'the change has no valid author' };
  if (change === null || typeof change !== 'object') return { ok: false, problem: 'the change must be an object' };
  const unknown = Object.keys(change).filter((key) => !['status', 'assignee', 'note'].includes(key));
  if (unknown.length > 0) return { ok: false, problem: `unknown fields: ${unknown.join(', ')}` };
  if (change.status === undefined && change.assignee === undefined && change.note === undefined)
    return { ok: false, problem: 'nothing to change: give a status, an assignee or a note' };

  const before = workState(current);
  const after = { ...before };
  if (change.status !== undefined) {
    if (!(ALERT_STATUSES as readonly unknown[]).includes(change.status))
      return { ok: false, problem: `status must be one of ${ALERT_STATUSES.join(', ')}` };
    if (change.status !== before.status && !STATUS_TRANSITIONS[before.status].includes(change.status))
      return {
        ok: false,
        problem: `an alert that is ${before.status} cannot become ${change.status} (it can become ${STATUS_TRANSITIONS[before.status].join(' or ')})`,
      };
    after.status = change.status;
  }
  if (change.assignee !== undefined) {
    if (change.assignee !== null && typeof change.assignee !== 'string') return { ok: false, problem: 'assignee must be text or null' };
    const assignee = change.assignee?.trim() ?? '';
    if (assignee.length > MAX_ASSIGNEE || CONTROL.test(assignee))
      return { ok: false, problem: `assignee must be at most ${MAX_ASSIGNEE} characters, without control characters` };
    after.assignee = assignee === '' ? null : assignee;
  }
  if (change.note !== undefined) {
    if (change.note !== null && typeof change.note !== 'string') return { ok: false, problem: 'note must be text or null' };
    const note = change.note?.trim() ?? '';
    if (note.length > MAX_NOTE || NOTE_CONTROL.test(note))
      return { ok: false, problem: `note must be at most ${MAX_NOTE} characters, without control characters` };
    after.note = note === '' ? null : note;
  }
  // Closing says why: the note of that same change (a note left earlier may be about something else).
  if (after.status === 'closed' && before.status !== 'closed' && (change.note === undefined || after.note === null))
    return { ok: false, problem: 'closing an alert needs a note saying why' };

  const when = new Date(now).toISOString();
  const entries: AlertAuditEntry[] = [];
  for (const field of ['status', 'assignee', 'note'] as const)
    if (after[field] !== before[field]) entries.push({ who, when, field, from: before[field], to: after[field] });
  if (entries.length === 0) return { ok: false, problem: `nothing to change: the alert is already ${describe(before)}` };
  const trail = Array.isArray(current?.fortiems?.alert?.audit) ? current.fortiems.alert.audit : [];
  if (trail.length + entries.length > MAX_AUDIT_ENTRIES)
    return { ok: false, problem: `the alert holds ${trail.length} changes already, the most one alert keeps` };
  return { ok: true, fields: after, entries };
}

function describe(state: { status: AlertStatus; assignee: string | null; note: string | null }): string {
  return [state.status, state.assignee === null ? 'unassigned' : `assigned to ${state.assignee}`].join(', ');
}

export interface ChangeRequest {
  /** An alerts index, or a pattern (`fortiems-alerts-*`): the alert is looked up by id in it. */
  index: string;
  id: string;
  change: AlertChange;
  /** Who makes the change (the console's session user). */
  who: string;
  /** The version the change was decided on (what the analyst saw); absent: the version read here. */
  expected?: AlertVersion | undefined;
  now?: number | undefined;
}

const isConflict = (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 409;
const isMissing = (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 404;

/** Where the alert with this id is: its one concrete index, or why not. */
async function locate(client: Client, index: string, id: string): Promise<string | AlertChangeOutcome> {
  if (!/[*,]/.test(index)) return index;
  const found = await client.search({
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    body: { size: 2, _source: false, query: { ids: { values: [id] } } },
  });
  const hits = found.body.hits.hits;
  if (hits.length === 0) return { ok: false, status: 404, message: 'no alert has that id' };
  if (hits.length > 1)
    return { ok: false, status: 409, message: `the id is in several indices (${hits.map((hit) => hit._index).join(', ')})` };
  return String(hits[0]?._index);
}

/**
 * The one way an alert's status, assignee or note changes. Reads the alert (real time, with its `_seq_no` and
 * `_primary_term`), refuses when it is not the expected version, plans the change, and writes only the work fields
 * with `if_seq_no` / `if_primary_term`: anything written in between (another analyst, the scheduler's hand-off flag)
 * makes OpenSearch answer 409, which is passed on. Answers what was stored, or why nothing was.
 */
export async function changeAlert(client: Client, request: ChangeRequest): Promise<AlertChangeOutcome> {
  const located = await locate(client, request.index, request.id);
  if (typeof located !== 'string') return located;
  let current: { _source?: unknown; _seq_no?: number; _primary_term?: number; found?: boolean };
  try {
    current = (await client.get({ index: located, id: request.id })).body as typeof current;
  } catch (error) {
    if (isMissing(error)) return { ok: false, status: 404, message: 'no alert has that id' };
    throw error;
  }
  if (!current.found || typeof current._seq_no !== 'number' || typeof current._primary_term !== 'number')
    return { ok: false, status: 404, message: 'no alert has that id' };
  const seen: AlertVersion = { seq_no: current._seq_no, primary_term: current._primary_term };
  if (request.expected && (request.expected.seq_no !== seen.seq_no || request.expected.primary_term !== seen.primary_term))
    return { ok: false, status: 409, message: 'the alert was changed since it was loaded: reload it and decide again' };

  const alert = current._source as AlertDocument;
  const plan = planChange(alert, request.change, request.who, request.now ?? Date.now());
  if (!plan.ok) return { ok: false, status: 400, message: plan.problem };
  const audit = [...(Array.isArray(alert.fortiems?.alert?.audit) ? alert.fortiems.alert.audit : []), ...plan.entries];
  try {
    const response = await client.update({
      index: located,
      id: request.id,
      if_seq_no: seen.seq_no,
      if_primary_term: seen.primary_term,
      // The list and the next read show the change at once.
      refresh: 'wait_for',
      _source: 'true',
      body: { doc: { fortiems: { alert: { ...plan.fields, audit } } } },
    } as never);
    const body = response.body as { _seq_no: number; _primary_term: number; get?: { _source?: unknown } };
    const stored = (body.get?._source as AlertDocument | undefined) ?? {
      ...alert,
      fortiems: { ...alert.fortiems, alert: { ...alert.fortiems.alert, ...plan.fields, audit } },
    };
    return {
      ok: true,
      index: located,
      alert: stored,
      version: { seq_no: body._seq_no, primary_term: body._primary_term },
      entries: plan.entries,
    };
  } catch (error) {
    if (isConflict(error))
      return { ok: false, status: 409, message: 'the alert was changed by someone else at the same time: reload it and decide again' };
    if (isMissing(error)) return { ok: false, status: 404, message: 'no alert has that id' };
    throw error;
  }
}
