/**
 * Our extension of Sigma, a "first seen" rule (Elastic's new_terms): a plain detection plus
 *
 *   fortiems:
 *     new_terms:
 *       fields: [srcip]        # one to three fields; several fields mean the combination of their values
 *       history: 30d           # how far back a value counts as known (s, m, h or d)
 *
 * The detection selects the events (administrator logins); the rule alerts once per value of `fields` that none of
 * the selected events carried within `history` before it. Sigma has no such rule type, so it lives under our own
 * top-level key: another Sigma tool reads the rule as the plain detection (every login), never as something else.
 */

import { invalid, unsupported } from './errors.js';
import { mapField } from './field-mapping.js';
import { spanMs } from './load-correlation.js';
import { isObject, type JsonMap } from './yaml-values.js';

/** As written in the rule. */
export interface NewTermsSpec {
  readonly fields: readonly string[];
  readonly historyMs: number;
}

/** Compiled: the fields as index field names. */
export interface CompiledNewTerms {
  readonly fields: readonly string[];
  readonly historyMs: number;
}

const KEYS = new Set(['new_terms']);
const NEW_TERMS_KEYS = new Set(['fields', 'history']);
const MAX_FIELDS = 3;

/** `fortiems.new_terms` of a rule's root map, or undefined when the rule has no `fortiems:` section. */
export function newTermsOf(root: JsonMap): NewTermsSpec | undefined {
  const section = root.fortiems;
  if (section === undefined || section === null) return undefined;
  if (!isObject(section)) throw invalid('fortiems', 'not a map');
  for (const key of Object.keys(section)) if (!KEYS.has(key)) throw unsupported(`fortiems.${key}`, `fortiems extension '${key}'`);
  const spec = section.new_terms;
  if (!isObject(spec)) throw invalid('fortiems.new_terms', 'missing or not a map of fields and history');
  for (const key of Object.keys(spec)) if (!NEW_TERMS_KEYS.has(key)) throw invalid(`fortiems.new_terms.${key}`, 'unknown key');
  const fields = Array.isArray(spec.fields) ? spec.fields : spec.fields === undefined || spec.fields === null ? [] : [spec.fields];
  if (fields.length === 0) throw invalid('fortiems.new_terms.fields', 'missing: one to three field names');
  if (fields.length > MAX_FIELDS) throw unsupported('fortiems.new_terms.fields', `more than ${MAX_FIELDS} fields`);
  const names = fields.map((field, index) => {
    if (typeof field !== 'string' || field === '') throw invalid(`fortiems.new_terms.fields[${index}]`, 'not a field name');
    return field;
  });
  if (new Set(names).size !== names.length) throw invalid('fortiems.new_terms.fields', 'a field is listed twice');
  const history = spec.history;
  const historyMs = typeof history === 'string' ? spanMs(history) : undefined;
  if (historyMs === undefined) throw invalid('fortiems.new_terms.history', `bad history '${String(history)}': a number and s, m, h or d`);
  return { fields: names, historyMs };
}

/** `fortinet`: the rule's logsource is ours, so raw EMS names (`srcip`) map to their index fields, as in its detection. */
export function compileNewTerms(spec: NewTermsSpec, fortinet: boolean): CompiledNewTerms {
  return { fields: spec.fields.map((field) => mapField(field, fortinet).name), historyMs: spec.historyMs };
}
