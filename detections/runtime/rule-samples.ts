/**
 * The pieces shared by `fortiems rules test` and the rule integration tests: read a rule's `fortiems_tests`,
 * turn raw EMS lines into documents with their event ids, index them, and count what a compiled rule matches
 * in one namespace.
 */
import type { Client } from '@opensearch-project/opensearch';
import { assignEventId, ContentIds } from '../../ingest/enrich/event-id.js';
import { sharedGeoIp } from '../../ingest/enrich/geoip.js';
import { parseLine } from '../../parsers/parse-line.js';
import type { CompiledRule } from '../sigma/compile.js';
import { yamlDocuments } from '../sigma/load-documents.js';

export interface RuleSamples {
  readonly samples: readonly string[];
  readonly expectedMatches: number;
}

/**
 * The `fortiems_tests:` block of one document of a rule file, or a reason it is missing or malformed. `document`
 * is the compiled rule's position in its file; by default the collection's correlation document, else the first.
 */
export function readRuleSamples(text: string, document?: number): RuleSamples | { readonly problem: string } {
  const roots = yamlDocuments(text).map((entry): unknown => entry.toJS());
  const isMap = (root: unknown): root is Record<string, unknown> => typeof root === 'object' && root !== null;
  const correlation = roots.findIndex((root) => isMap(root) && root.correlation !== undefined);
  const root = roots[document ?? Math.max(0, correlation)];
  const tests = isMap(root) ? root.fortiems_tests : undefined;
  if (typeof tests !== 'object' || tests === null) return { problem: 'no fortiems_tests block' };
  const { samples, expected_matches: expected } = tests as Record<string, unknown>;
  if (!Array.isArray(samples) || samples.length === 0 || !samples.every((line) => typeof line === 'string')) {
    return { problem: 'fortiems_tests.samples must be a non-empty list of raw lines' };
  }
  if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) {
    return { problem: 'fortiems_tests.expected_matches must be a whole number' };
  }
  return { samples, expectedMatches: expected };
}

export interface IndexableEvent {
  readonly index: string;
  readonly id: string;
  readonly document: Record<string, unknown>;
}

/**
 * Parses raw lines as ingest would (receivedAt now, the given namespace), adds the country and autonomous system of
 * public addresses as ingest's enrichment does by default (rules may key on source.geo), and gives each its event id.
 */
export function eventsOf(lines: readonly string[], namespace: string, receivedAt = Date.now()): IndexableEvent[] {
  const ids = new ContentIds();
  const geoip = sharedGeoIp();
  return lines.map((line) => {
    const parsed = parseLine(line, { receivedAt, namespace });
    geoip.enrichDocument(parsed.document);
    const occurrence = ids.occurrence(parsed.dataset, line);
    const id = assignEventId(parsed.document, parsed.dataset, occurrence) ?? `${parsed.dataset}-${occurrence}`;
    return { index: `logs-${parsed.dataset}-${namespace}`, id, document: parsed.document };
  });
}

/** Bulk `create`s the events (a repeat of an existing id is no error) and refreshes the namespace. */
export async function indexEvents(client: Client, events: readonly IndexableEvent[], namespace: string, chunk = 5000): Promise<void> {
  for (let start = 0; start < events.length; start += chunk) {
    const body = events
      .slice(start, start + chunk)
      .flatMap((event) => [{ create: { _index: event.index, _id: event.id } }, event.document]);
    const response = await client.bulk({ body });
    const failed = response.body.items.filter((item) => item.create?.error && item.create.status !== 409);
    if (failed.length > 0) throw new Error(`bulk indexing failed for ${failed.length} events: ${JSON.stringify(failed[0]?.create?.error)}`);
  }
  await client.indices.refresh({ index: `logs-fortiems.*-${namespace}`, allow_no_indices: true });
}

/** A rule's index pattern (`logs-fortiems.vpn-*`, `logs-fortiems.*-*`, `logs-*`) narrowed to one namespace. */
export function indexInNamespace(index: string, namespace: string): string {
  if (index === 'logs-*') return `logs-*-${namespace}`;
  return index.endsWith('-*') ? `${index.slice(0, -1)}${namespace}` : index;
}

/** A comma list of index patterns (a correlation's `index`), each narrowed to one namespace. */
export function indicesInNamespace(index: string, namespace: string): string {
  return index
    .split(',')
    .map((part) => indexInNamespace(part.trim(), namespace))
    .join(',');
}

/** How many documents of the namespace the rule matches; with `ids`, only among those documents. */
export async function countMatches(client: Client, rule: CompiledRule, namespace: string, ids?: readonly string[]): Promise<number> {
  const query = ids === undefined ? rule.dsl : { bool: { filter: [rule.dsl, { ids: { values: [...ids] } }] } };
  const response = await client.count({
    index: indexInNamespace(rule.index, namespace),
    body: { query },
    allow_no_indices: true,
    ignore_unavailable: true,
  });
  return response.body.count;
}
