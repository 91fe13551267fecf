/**
 * The document fortiems indexes for one EMS record, or one record of a producer schema (FortiClient's own lines:
 * `FORTICLIENT`), pure; imports only the catalogue.
 *
 * - Raw vendor fields, typed, under `ems.<raw>` (`ems.hostname`, `ems.type`, `ems.deviceip`, ...); the templates add
 *   top-level aliases (`hostname` → `ems.hostname`) where the raw name is free, so the document never carries them.
 * - ECS fields from each catalogue field's `ecs` target(s), as nested objects (`{ host: { hostname } }`). When two
 *   fields of a record target the same ECS field, the first in schema order wins (every value is in `ems.*` anyway).
 *   `host.mac` gets the ECS form (upper-case, hyphenated); `host.os.type` is derived from the os text; `url.*` from
 *   `url` (and `remotename` for a path alone), `file.name/directory` from `file`, `network.bytes` (sent + received),
 *   `network.direction` (an ECS value), `vulnerability.enumeration/scanner.vendor`.
 * - `@timestamp` comes from the caller: `dtime` has no zone, so only the caller (per-source zone) can place it.
 * - event.kind/category/type/outcome/action from the vocabulary entry (action = entry id): of `msg` for EMS, of the
 *   log id and action for FortiClient (`forticlientVocabulary`: the ems-client entry of EMS's relay of the same event),
 *   event.severity from the level (0-7), event.dataset/module, event.original (raw line), event.ingested.
 * - observer.vendor/product/type; related.ip/user/hosts deduplicated; data_stream.{type,dataset,namespace}.
 * - Keys that are not fields of the category go to ONE flat_object field, `fortiems.extra` (no field explosion).
 */
import { isIP } from 'node:net';
import type { CategoryName, EventDefinition } from '../catalogue/define-category.js';
import type { EcsFieldName } from '../catalogue/ecs-fields.js';
import { type CatalogueField, ecsTargets } from '../catalogue/fields.js';
import type { ProducerDefinition } from '../catalogue/forticlient.js';
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

/** Which derived ECS fields (url.*, file.*, network.*, vulnerability.*) the schema's fields can give. */
interface DerivedPlan {
  readonly url: boolean;
  readonly file: boolean;
  readonly bytes: boolean;
  readonly direction: boolean;
  readonly vulnerability: boolean;
}

interface CategoryPlan {
  readonly dataset: string;
  readonly fields: readonly FieldPlan[];
  readonly names: ReadonlySet<string>;
  readonly filler: EcsFiller;
  readonly vocabulary: (ems: Record<string, unknown>) => EventDefinition | undefined;
  readonly product: string;
  readonly observerType: string;
  /** Undefined when the schema has none of the fields derivations read (every EMS category but ems-client). */
  readonly derived: DerivedPlan | undefined;
}

const EMS_OBSERVER = { product: 'FortiClient EMS', type: 'ems' };

// Compiled once per category or producer schema: this runs for every event on the ingest hot path.
const PLANS = new Map<string, CategoryPlan>();
const PRODUCER_PLANS = new Map<string, CategoryPlan>();

function fieldPlanOf(field: CatalogueField): FieldPlan {
  return {
    name: field.name,
    ip: openSearchTypeOf(field) === 'ip',
    targets: ecsTargets(field)
      .filter((target) => !ECS_FROM_CALLER.has(target))
      .map((target) => ({
        path: target.split('.'),
        mac: target === 'host.mac',
        related: USER_TARGETS.has(target) ? 'user' : HOST_TARGETS.has(target) ? 'host' : undefined,
      })),
  };
}

function derivedPlanOf(names: ReadonlySet<string>): DerivedPlan | undefined {
  const plan = {
    url: names.has('url'),
    file: names.has('file'),
    bytes: names.has('sentbyte') && names.has('rcvdbyte'),
    direction: names.has('direction'),
    vulnerability: names.has('cveid') || names.has('vulnid') || names.has('vulnname'),
  };
  return Object.values(plan).some(Boolean) ? plan : undefined;
}

function makePlan(
  dataset: string,
  schemaFields: readonly CatalogueField[],
  vocabulary: CategoryPlan['vocabulary'],
  observer: { product: string; type: string },
): CategoryPlan {
  const fields = schemaFields.map(fieldPlanOf);
  const names = new Set(fields.map((field) => field.name));
  return {
    dataset,
    fields,
    names,
    filler: compileFiller(fields),
    vocabulary,
    product: observer.product,
    observerType: observer.type,
    derived: derivedPlanOf(names),
  };
}

function planOf(category: CategoryName): CategoryPlan {
  const cached = PLANS.get(category);
  if (cached) return cached;
  const definition = categoryByName(category);
  if (!definition) throw new Error(`unknown EMS log category '${category}'`);
  const vocabulary = (ems: Record<string, unknown>) => (typeof ems.msg === 'string' ? eventByMessage(category, ems.msg) : undefined);
  const plan = makePlan(definition.dataset, fieldsOf(definition), vocabulary, EMS_OBSERVER);
  PLANS.set(category, plan);
  return plan;
}

function producerPlanOf(producer: ProducerDefinition): CategoryPlan {
  const cached = PRODUCER_PLANS.get(producer.name);
  if (cached) return cached;
  const plan = makePlan(producer.dataset, producer.schema.fields, producer.vocabulary, producer.observer);
  PRODUCER_PLANS.set(producer.name, plan);
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

/**
 * Compiles, once per schema, the code that copies each present field to its ECS targets (first field in body
 * order wins) and collects related.*: straight-line code with constant property names, so V8 keeps one shape per
 * category instead of the megamorphic lookups a generic loop over paths makes (fastify compiles its schemas alike).
 * The names come from the catalogue (Avro names and ECS paths), never from input, and are embedded as JSON strings.
 */
function compileFiller(fields: readonly FieldPlan[]): EcsFiller {
  const lines: string[] = ['const ip = [], user = [], hosts = [];', 'let v, n, m;'];
  const q = (name: string) => JSON.stringify(name);
  for (const field of fields) {
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
  return new Function('document', 'ems', 'helpers', lines.join('\n')) as EcsFiller;
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

/** The object under `key`, created when missing (derived fields write into what the filler may have started). */
function child(node: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = node[key];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  node[key] = created;
  return created;
}

export interface UrlParts {
  scheme?: string;
  domain?: string;
  port?: number;
  path?: string;
  query?: string;
}

function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isSchemeChar(code: number): boolean {
  return isAlpha(code) || (code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46;
}

/** Index of the first of `/ ? # \` at or after `from` (an authority ends there), or the length. */
function authorityEnd(url: string, from: number): number {
  for (let i = from; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 47 || code === 63 || code === 35 || code === 92) return i;
  }
  return url.length;
}

/**
 * The parts of a URL as FortiClient logs it: absolute (`https://user@host:8443/p?q`), protocol-relative (`//host/p`),
 * a path alone (`/download/x.exe`, with the host in `remotename`), a bare host (`example.com/p`), or opaque
 * (`javascript:…`, `mailto:…`: a scheme only). One forward scan and one backward `lastIndexOf`: linear on any input,
 * unlike WHATWG `URL`, which also rewrites what it reads (percent-encoding, IDNA) and throws on much of it.
 */
export function urlParts(url: string): UrlParts {
  const parts: UrlParts = {};
  let i = 0;
  if (isAlpha(url.charCodeAt(0))) {
    let j = 1;
    while (j < url.length && j < 32 && isSchemeChar(url.charCodeAt(j))) j++;
    // `example.com:8080/x` is a host and port, not a scheme: a dotted candidate followed by a digit.
    const next = url.charCodeAt(j + 1);
    const dottedPort = url.slice(0, j).includes('.') && next >= 48 && next <= 57;
    if (url.charCodeAt(j) === 58 && !dottedPort) {
      parts.scheme = url.slice(0, j).toLowerCase();
      i = j + 1;
    }
  }
  let authority = false;
  if (url.startsWith('//', i)) {
    authority = true;
    i += 2;
  } else if (parts.scheme !== undefined) return parts;
  else if (url.charCodeAt(0) !== 47) authority = true;
  if (authority) {
    const end = authorityEnd(url, i);
    const at = url.lastIndexOf('@', end - 1);
    const hostStart = at >= i ? at + 1 : i;
    let hostEnd = end;
    if (url.charCodeAt(hostStart) === 91) {
      const close = url.indexOf(']', hostStart);
      if (close !== -1 && close < end) {
        parts.domain = url.slice(hostStart + 1, close).toLowerCase();
        hostEnd = close + 1;
      }
    } else {
      const colon = url.lastIndexOf(':', end - 1);
      if (colon >= hostStart) hostEnd = colon;
      const domain = url.slice(hostStart, hostEnd).toLowerCase();
      if (domain !== '') parts.domain = domain;
    }
    if (url.charCodeAt(hostEnd) === 58) {
      const port = url.slice(hostEnd + 1, end);
      if (port.length > 0 && port.length <= 5 && /^[0-9]+$/.test(port) && Number(port) <= 65535) parts.port = Number(port);
    }
    i = end;
  }
  if (i >= url.length) return parts;
  const hash = url.indexOf('#', i);
  const stop = hash === -1 ? url.length : hash;
  const question = url.indexOf('?', i);
  const pathEnd = question !== -1 && question < stop ? question : stop;
  if (pathEnd > i) parts.path = url.slice(i, pathEnd);
  if (pathEnd < stop) parts.query = url.slice(pathEnd + 1, stop);
  return parts;
}

/** `C:\\Users\\alice\\x.exe` or `/home/alice/x`: the name and its directory (either separator; a drive root keeps its `\\`). */
export function fileParts(path: string): { name?: string; directory?: string } {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (slash === -1) return { name: path };
  const parts: { name?: string; directory?: string } = {};
  if (slash < path.length - 1) parts.name = path.slice(slash + 1);
  const directory = slash === 0 || path.charCodeAt(slash - 1) === 58 ? path.slice(0, slash + 1) : path.slice(0, slash);
  parts.directory = directory;
  return parts;
}

// A Map, not an object literal: the text is attacker-controlled (`__proto__`, `constructor`).
const DIRECTIONS = new Map<string, string>([
  ['inbound', 'inbound'],
  ['incoming', 'inbound'],
  ['in', 'inbound'],
  ['outbound', 'outbound'],
  ['outgoing', 'outbound'],
  ['out', 'outbound'],
  ['ingress', 'ingress'],
  ['egress', 'egress'],
  ['internal', 'internal'],
  ['external', 'external'],
  ['unknown', 'unknown'],
]);

/** ECS network.direction: one of its allowed values, `unknown` for anything else. */
export function networkDirection(text: string): string {
  return DIRECTIONS.get(text) ?? (text.length <= 16 ? DIRECTIONS.get(text.toLowerCase()) : undefined) ?? 'unknown';
}

/** ECS fields computed from raw ones (url.*, file.*, network.bytes/direction, vulnerability.*), not copied. */
function deriveEcs(document: Record<string, unknown>, ems: Record<string, unknown>, derived: DerivedPlan): void {
  if (derived.url && typeof ems.url === 'string' && ems.url !== '') {
    const parts = urlParts(ems.url);
    const url = child(document, 'url');
    if (parts.scheme !== undefined) url.scheme = parts.scheme;
    // A path alone is what FortiClient's web filter logs: its host is `remotename`.
    if (parts.domain !== undefined) url.domain = parts.domain;
    else if (parts.scheme === undefined && typeof ems.remotename === 'string' && ems.remotename !== '') url.domain = ems.remotename;
    if (parts.port !== undefined) url.port = parts.port;
    if (parts.path !== undefined) url.path = parts.path;
    if (parts.query !== undefined) url.query = parts.query;
  }
  if (derived.file && typeof ems.file === 'string' && ems.file !== '') {
    const parts = fileParts(ems.file);
    const file = child(document, 'file');
    if (parts.name !== undefined) file.name = parts.name;
    if (parts.directory !== undefined) file.directory = parts.directory;
  }
  if (derived.bytes && typeof ems.sentbyte === 'number' && typeof ems.rcvdbyte === 'number') {
    child(document, 'network').bytes = ems.sentbyte + ems.rcvdbyte;
  }
  if (derived.direction && typeof ems.direction === 'string' && ems.direction !== '') {
    child(document, 'network').direction = networkDirection(ems.direction);
  }
  if (derived.vulnerability && (ems.cveid !== undefined || ems.vulnid !== undefined || ems.vulnname !== undefined)) {
    const vulnerability = child(document, 'vulnerability');
    if (typeof ems.cveid === 'string') vulnerability.enumeration = 'CVE';
    vulnerability.scanner = { vendor: 'Fortinet' };
  }
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

/**
 * The document to index for one typed record of an EMS category, or of a producer schema (FortiClient's own lines,
 * `FORTICLIENT`), see the header for its shape.
 */
export function toIndexDocument(
  source: CategoryName | ProducerDefinition,
  record: Record<string, unknown>,
  input: IndexDocumentInput,
): IndexDocument {
  const plan = typeof source === 'string' ? planOf(source) : producerPlanOf(source);
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
  const vocabulary = plan.vocabulary(ems);
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
  const related = plan.filler(document, ems, FILLER_HELPERS);
  const relatedIp = related.ip;
  const relatedUser = related.user;
  const relatedHosts = related.hosts;
  if (typeof ems.os === 'string') {
    const type = osType(ems.os);
    if (type) setPath(document, 'host.os.type', type);
  }
  if (plan.derived) deriveEcs(document, ems, plan.derived);
  document.observer ??= {};
  const observer = document.observer as Record<string, unknown>;
  observer.vendor = 'Fortinet';
  observer.product = plan.product;
  observer.type = plan.observerType;
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
