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
  /**
   * The record holds only fields of the category, none null: it becomes `ems` as it is, without a copy
   * (the parser's decoder guarantees this; the ingest hot path saves a property copy per field).
   */
  recordIsClean?: boolean;
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

interface TargetPlan {
  readonly path: readonly string[];
  readonly mac: boolean;
  readonly related: 'user' | 'host' | undefined;
}

interface FieldPlan {
  readonly name: string;
  readonly targets: readonly TargetPlan[];
  readonly ip: boolean;
}

interface CategoryPlan {
  readonly dataset: string;
  readonly fields: readonly FieldPlan[];
  readonly names: ReadonlySet<string>;
}

// Compiled once per category: this runs for every event on the ingest hot path.
const PLANS = new Map<string, CategoryPlan>();

function planOf(category: CategoryName): CategoryPlan {
  const cached = PLANS.get(category);
  if (cached) return cached;
  const definition = categoryByName(category);
  if (!definition) throw new Error(`unknown EMS log category '${category}'`);
  const fields = fieldsOf(definition).map(
    (field: CatalogueField): FieldPlan => ({
      name: field.name,
      ip: openSearchTypeOf(field) === 'ip',
      targets: ecsTargets(field)
        .filter((target) => !ECS_FROM_CALLER.has(target))
        .map((target) => ({
          path: target.split('.'),
          mac: target === 'host.mac',
          related: USER_TARGETS.has(target) ? 'user' : HOST_TARGETS.has(target) ? 'host' : undefined,
        })),
    }),
  );
  const plan = { dataset: definition.dataset, fields, names: new Set(fields.map((field) => field.name)) };
  PLANS.set(category, plan);
  return plan;
}

/** What the compiled ECS filler needs from this module. */
interface FillerHelpers {
  ecsMac(mac: string): string;
  looksLikeIp(value: string): boolean;
}

type EcsFiller = (
  document: Record<string, unknown>,
  ems: Record<string, unknown>,
  helpers: FillerHelpers,
) => { ip: string[]; user: string[]; hosts: string[] };

const FILLERS = new Map<string, EcsFiller>();

/**
 * Compiles, once per category, the code that copies each present field to its ECS targets (first field in body
 * order wins) and collects related.*: straight-line code with constant property names, so V8 keeps one shape per
 * category instead of the megamorphic lookups a generic loop over paths makes (fastify compiles its schemas alike).
 * The names come from the catalogue (Avro names and ECS paths), never from input, and are embedded as JSON strings.
 */
function fillerOf(category: CategoryName): EcsFiller {
  const cached = FILLERS.get(category);
  if (cached) return cached;
  const plan = planOf(category);
  const lines: string[] = ['const ip = [], user = [], hosts = [];', 'let v, n, m;'];
  const q = (name: string) => JSON.stringify(name);
  for (const field of plan.fields) {
    const body: string[] = [];
    for (const target of field.targets) {
      const walk: string[] = ['n = document;'];
      for (const part of target.path.slice(0, -1)) {
        walk.push(`m = n[${q(part)}]; if (typeof m !== 'object' || m === null || Array.isArray(m)) { m = {}; n[${q(part)}] = m; } n = m;`);
      }
      const leaf = q(target.path[target.path.length - 1] as string);
      const value = target.mac ? `(typeof v === 'string' ? helpers.ecsMac(v) : v)` : 'v';
      walk.push(`if (n[${leaf}] === undefined) n[${leaf}] = ${value};`);
      if (target.related === 'user') walk.push(`if (typeof v === 'string' && !user.includes(v)) user.push(v);`);
      if (target.related === 'host')
        walk.push(`if (typeof v === 'string') { const list = helpers.looksLikeIp(v) ? ip : hosts; if (!list.includes(v)) list.push(v); }`);
      body.push(walk.join(' '));
    }
    if (field.ip) body.push(`if (typeof v === 'string' && !ip.includes(v)) ip.push(v);`);
    if (body.length === 0) continue;
    lines.push(`v = ems[${q(field.name)}]; if (v !== undefined && v !== null && v !== '') { ${body.join(' ')} }`);
  }
  lines.push('return { ip, user, hosts };');
  const filler = new Function('document', 'ems', 'helpers', lines.join('\n')) as EcsFiller;
  FILLERS.set(category, filler);
  return filler;
}

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

/** `a1-b2-c3-4d-38-a6` or `a1:b2:...` → `A1-B2-C3-4D-38-A6` (ECS: upper-case, hyphen-separated). */
export function ecsMac(mac: string): string {
  const upper = mac.toUpperCase();
  return upper.includes(':') || upper.includes('.') || upper.includes(' ') ? upper.trim().replace(/[:.]/g, '-') : upper;
}

const OS_TYPES = new Map<string, string | undefined>();
/** Real `os` values are well under 100 characters. */
const MAX_CACHED_OS_LENGTH = 256;

/** ECS host.os.type from the free-text os EMS reports, or undefined when it is not recognisable. */
export function osType(os: string): string | undefined {
  if (OS_TYPES.has(os)) return OS_TYPES.get(os);
  const text = os.toLowerCase();
  let type: string | undefined;
  // Unanchored, but only alternations of short words: each attempt reads a few characters, so linear in the text.
  if (/windows|win(7|8|10|11|xp)\b/.test(text)) type = 'windows';
  else if (/chrome ?os|chromebook/.test(text)) type = 'chromeos';
  else if (/android/.test(text)) type = 'android';
  else if (/\bi(pad)?os\b|iphone|ipad/.test(text)) type = 'ios';
  else if (/mac ?os|os x|darwin/.test(text)) type = 'macos';
  else if (/linux|ubuntu|debian|red ?hat|rhel|centos|fedora|suse|rocky|alma/.test(text)) type = 'linux';
  // Endpoint OS strings repeat endlessly; remember them (bounded, since the text is attacker-controlled: in number, and
  // in length, or 10,000 distinct 64 KiB values would pin 640 MB).
  if (OS_TYPES.size < 10_000 && os.length <= MAX_CACHED_OS_LENGTH) OS_TYPES.set(os, type);
  return type;
}

function iso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

function levelOf(value: unknown): Level | undefined {
  return typeof value === 'string' || typeof value === 'number' ? normalizeLevel(value) : undefined;
}

/** Host targets may hold an address; a digits-and-dots test spares the full IP check for ordinary host names. */
function looksLikeIp(value: string): boolean {
  const first = value.charCodeAt(0);
  if (first >= 48 && first <= 57 && /^[\d.]+$/.test(value)) return isIP(value) === 4;
  return value.includes(':') && isIP(value) === 6;
}

const FILLER_HELPERS: FillerHelpers = { ecsMac, looksLikeIp };

/** The document to index for one typed record of `category` (see the header for its shape). */
export function toIndexDocument(category: CategoryName, record: Record<string, unknown>, input: IndexDocumentInput): IndexDocument {
  const plan = planOf(category);
  const namespace = input.namespace ?? 'default';

  let ems: Record<string, unknown> = record;
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  if (input.unknown) {
    for (const key in input.unknown) {
      extra[key] = input.unknown[key];
      hasExtra = true;
    }
  }
  if (!input.recordIsClean) {
    ems = {};
    for (const key in record) {
      const value = record[key];
      if (value === null || value === undefined) continue;
      if (plan.names.has(key)) ems[key] = value;
      else {
        extra[key] = value;
        hasExtra = true;
      }
    }
  }

  const level = levelOf(ems.level);
  const vocabulary = typeof ems.msg === 'string' ? eventByMessage(category, ems.msg) : undefined;
  const event: Record<string, unknown> = { kind: 'event' };
  if (vocabulary) {
    event.action = vocabulary.id;
    // Shared, read-only arrays from the catalogue: nothing downstream mutates them, and copying costs on every event.
    event.category = vocabulary.ecs.category;
    event.type = vocabulary.ecs.type;
    if (vocabulary.ecs.outcome) event.outcome = vocabulary.ecs.outcome;
  }
  if (level !== undefined) event.severity = severityOf(level);
  event.dataset = plan.dataset;
  event.module = 'fortiems';
  if (input.original !== undefined) event.original = input.original;
  event.ingested = iso(input.ingested);

  const document: IndexDocument = {
    '@timestamp': iso(input.timestamp),
    event,
    ems,
    data_stream: { type: 'logs', dataset: plan.dataset, namespace },
  };
  const related = fillerOf(category)(document, ems, FILLER_HELPERS);
  const relatedIp = related.ip;
  const relatedUser = related.user;
  const relatedHosts = related.hosts;
  if (typeof ems.os === 'string') {
    const type = osType(ems.os);
    if (type) setPath(document, 'host.os.type', type);
  }
  document.observer ??= {};
  const observer = document.observer as Record<string, unknown>;
  observer.vendor = 'Fortinet';
  observer.product = 'FortiClient EMS';
  observer.type = 'ems';
  if (relatedIp.length + relatedUser.length + relatedHosts.length > 0) {
    const related: Record<string, string[]> = {};
    if (relatedIp.length > 0) related.ip = relatedIp;
    if (relatedUser.length > 0) related.user = relatedUser;
    if (relatedHosts.length > 0) related.hosts = relatedHosts;
    document.related = related;
  }
  if (hasExtra) setPath(document, 'fortiems.extra', extra);
  return document;
}
