/**
 * The document fortiems indexes for one EMS record (pure; imports only the catalogue).
 *
 * - Raw vendor fields, typed, under `ems.<raw>` (`ems.hostname`, `ems.type`, `ems.deviceip`, ...); the templates add
 *   top-level aliases (`hostname` → `ems.hostname`) where the raw name is free, so the document never carries them.
 * - ECS fields from each catalogue field's `ecs` target(s), as nested objects (`{ host: { hostname } }`). When two
 *   fields of a record target the same ECS field, the first in body order wins (every value is in `ems.*` anyway).
 *   `host.mac` gets the ECS form (upper-case, hyphenated); `host.os.type` is derived from the os text.
 * - `@timestamp` comes from the caller: `dtime` has no zone, so only the caller (per-source zone) can place it.
 * - event.kind/category/type/outcome/action from the vocabulary entry of `msg` (action = entry id),
 *   event.severity from the level (0-7), event.dataset/module, event.original (raw line), event.ingested.
 * - observer.vendor/product/type; related.ip/user/hosts deduplicated; data_stream.{type,dataset,namespace}.
 * - Keys that are not fields of the category go to ONE flat_object field, `fortiems.extra` (no field explosion).
 */
import { isIP } from 'node:net';
import type { CategoryName } from '../catalogue/define-category.js';
import type { EcsFieldName } from '../catalogue/ecs-fields.js';
import { type CatalogueField, ecsTargets } from '../catalogue/fields.js';
import { categoryByName, eventByMessage } from '../catalogue/index.js';
import { type Level, normalizeLevel, severityOf } from '../catalogue/levels.js';
import { fieldsOf, openSearchTypeOf } from './raw-fields.js';

export interface IndexDocumentInput {
  /** The instant of the event: dtime placed in its source's zone by the caller. */
  timestamp: Date | string;
  /** When fortiems received the line. */
  ingested: Date | string;
  /** The raw line, kept as event.original. */
  original?: string;
  /** Keys the parser did not know (e.g. `typedRecordFromStrings().unknown`); merged with unknown keys of the record. */
  unknown?: Record<string, unknown>;
  /** data_stream.namespace; `default` unless multi-tenant. */
  namespace?: string;
}

export type IndexDocument = {
  '@timestamp': string;
  event: Record<string, unknown>;
  ems: Record<string, unknown>;
  data_stream: { type: 'logs'; dataset: string; namespace: string };
  [key: string]: unknown;
};

const ECS_FROM_CALLER = new Set<EcsFieldName>(['@timestamp']);
const USER_TARGETS = new Set<EcsFieldName>(['user.name', 'user.target.name']);
const HOST_TARGETS = new Set<EcsFieldName>(['host.hostname', 'host.name', 'observer.hostname', 'server.address', 'destination.address']);

function setPath(document: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = document;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(document: Record<string, unknown>, path: string): unknown {
  let node: unknown = document;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** `a1-b2-c3-4d-38-a6` or `a1:b2:...` → `A1-B2-C3-4D-38-A6` (ECS: upper-case, hyphen-separated). */
export function ecsMac(mac: string): string {
  return mac.trim().replace(/[:.]/g, '-').toUpperCase();
}

/** ECS host.os.type from the free-text os EMS reports, or undefined when it is not recognisable. */
export function osType(os: string): string | undefined {
  const text = os.toLowerCase();
  if (/windows|win(7|8|10|11|xp)\b/.test(text)) return 'windows';
  if (/chrome ?os|chromebook/.test(text)) return 'chromeos';
  if (/android/.test(text)) return 'android';
  if (/\bi(pad)?os\b|iphone|ipad/.test(text)) return 'ios';
  if (/mac ?os|os x|darwin/.test(text)) return 'macos';
  if (/linux|ubuntu|debian|red ?hat|rhel|centos|fedora|suse|rocky|alma/.test(text)) return 'linux';
  return undefined;
}

function ecsValue(target: EcsFieldName, value: unknown): unknown {
  if (target === 'host.mac' && typeof value === 'string') return ecsMac(value);
  return value;
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

function levelOf(value: unknown): Level | undefined {
  return typeof value === 'string' || typeof value === 'number' ? normalizeLevel(value) : undefined;
}

/** The document to index for one typed record of `category` (see the header for its shape). */
export function toIndexDocument(category: CategoryName, record: Record<string, unknown>, input: IndexDocumentInput): IndexDocument {
  const definition = categoryByName(category);
  if (!definition) throw new Error(`unknown EMS log category '${category}'`);
  const fields = fieldsOf(definition);
  const byName = new Map<string, CatalogueField>(fields.map((field) => [field.name, field]));
  const namespace = input.namespace ?? 'default';

  const ems: Record<string, unknown> = {};
  const extra: Record<string, unknown> = { ...(input.unknown ?? {}) };
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    if (byName.has(key)) ems[key] = value;
    else extra[key] = value;
  }

  const document: IndexDocument = {
    '@timestamp': iso(input.timestamp),
    event: {},
    ems,
    data_stream: { type: 'logs', dataset: definition.dataset, namespace },
  };
  const related = { ip: [] as string[], user: [] as string[], hosts: [] as string[] };
  const relate = (list: string[], value: string) => {
    if (!list.includes(value)) list.push(value);
  };

  // Body order: the first field that fills an ECS target keeps it.
  for (const field of fields) {
    const value = ems[field.name];
    if (!isPresent(value)) continue;
    for (const target of ecsTargets(field)) {
      if (ECS_FROM_CALLER.has(target)) continue;
      if (getPath(document, target) === undefined) setPath(document, target, ecsValue(target, value));
      if (typeof value !== 'string') continue;
      if (USER_TARGETS.has(target)) relate(related.user, value);
      if (HOST_TARGETS.has(target)) relate(isIP(value) ? related.ip : related.hosts, value);
    }
    if (openSearchTypeOf(field) === 'ip' && typeof value === 'string') relate(related.ip, value);
  }
  if (typeof ems.os === 'string') {
    const type = osType(ems.os);
    if (type) setPath(document, 'host.os.type', type);
  }

  const level = levelOf(ems.level);
  const vocabulary = typeof ems.msg === 'string' ? eventByMessage(category, ems.msg) : undefined;
  document.event = {
    kind: 'event',
    ...(vocabulary
      ? {
          action: vocabulary.id,
          category: [...vocabulary.ecs.category],
          type: [...vocabulary.ecs.type],
          ...(vocabulary.ecs.outcome ? { outcome: vocabulary.ecs.outcome } : {}),
        }
      : {}),
    ...(level !== undefined ? { severity: severityOf(level) } : {}),
    dataset: definition.dataset,
    module: 'fortiems',
    ...(input.original !== undefined ? { original: input.original } : {}),
    ingested: iso(input.ingested),
    ...document.event, // event.code / event.reason filled from the catalogue above
  };
  setPath(document, 'observer.vendor', 'Fortinet');
  setPath(document, 'observer.product', 'FortiClient EMS');
  setPath(document, 'observer.type', 'ems');
  const relatedPresent = Object.fromEntries(Object.entries(related).filter(([, values]) => values.length > 0));
  if (Object.keys(relatedPresent).length > 0) document.related = relatedPresent;
  if (Object.keys(extra).length > 0) setPath(document, 'fortiems.extra', extra);
  return document;
}
