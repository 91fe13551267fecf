/**
 * Which events a forwarding destination gets. All conditions that are set must hold (AND).
 *
 * - `categories`: the EMS category of the event (`ems-client`, …). Events without one (FortiGate/FortiClient neighbour
 *   lines) do not pass. An empty list is the same as no list.
 * - `min_level`: at least this severe (`warning` passes warning, error, …, emergency).
 * - `query`: the field query language of filter-query.ts, on the ECS document.
 *
 * Pipeline errors (event.kind `pipeline_error`) have neither a category nor a real level, so they pass only a filter that
 * sets no `categories` and no `min_level` (a `query` still applies to them, e.g. `NOT event.kind:pipeline_error`). A
 * destination that asks for "client warnings" must not receive unparsable garbage; a catch-all one must not lose it.
 */
import { type Level, meetsMinimum, normalizeLevel } from '../../mappings/index.js';
import { levelOf } from '../../parsers/event-fields.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { compileQuery } from './filter-query.js';

export interface ForwardFilterSpec {
  categories?: string[];
  min_level?: Level;
  query?: string;
}

export type ForwardFilter = (event: ParsedEvent) => boolean;

export function compileForwardFilter(spec: ForwardFilterSpec): ForwardFilter {
  const categories = spec.categories && spec.categories.length > 0 ? new Set(spec.categories) : undefined;
  let minimum: Level | undefined;
  if (spec.min_level !== undefined) {
    minimum = normalizeLevel(spec.min_level);
    if (!minimum) throw new Error(`forward filter: unknown min_level '${String(spec.min_level)}'`);
  }
  const query = spec.query === undefined ? undefined : compileQuery(spec.query);
  const selective = categories !== undefined || minimum !== undefined;
  return (event) => {
    if (event.kind === 'pipeline_error' && selective) return false;
    if (categories && (event.category === undefined || !categories.has(event.category))) return false;
    if (minimum && !meetsMinimum(levelOf(event), minimum)) return false;
    return query ? query(event.document) : true;
  };
}
