/**
 * Raw vendor names queryable next to ECS. SOC boards written for Fortinet logs (SOCFortress-style) query raw names
 * such as `hostname:` or `subtype:`; the document stores every raw field under `ems.<raw>`, and for each raw name
 * that is free at the top level the templates add a field of type `alias` with that name pointing at `ems.<raw>`.
 *
 * A raw name that collides with a top-level ECS name (`user`, `group`, `service`, `server`, ...) gets no alias:
 * ECS owns that name as an object (`user.name`, ...), so the raw value is queryable as `ems.<raw>` only.
 * Which names are aliased is computed here from the catalogue, never hand-written; `fortiems mappings export`
 * writes the resulting list to `raw-field-aliases.json`.
 */
import { ECS_FIELDS } from '../catalogue/ecs-fields.js';
import { PRODUCER_SCHEMAS } from '../catalogue/forticlient.js';
import { CATALOGUE } from '../catalogue/index.js';
import { type RawFieldSource, rawFieldInventory } from './raw-fields.js';

/**
 * ECS field sets that may appear at the root of an event (ECS 8.x), plus the base fields. Reusable-only sets
 * (`os`, `geo`, `hash`, `as`, ...) are absent on purpose: ECS never puts them at the root.
 */
export const ECS_ROOT_NAMES = [
  '@timestamp',
  'labels',
  'message',
  'tags',
  'agent',
  'client',
  'cloud',
  'container',
  'data_stream',
  'destination',
  'device',
  'dll',
  'dns',
  'ecs',
  'email',
  'error',
  'event',
  'faas',
  'file',
  'group',
  'host',
  'http',
  'log',
  'network',
  'observer',
  'orchestrator',
  'organization',
  'package',
  'process',
  'registry',
  'related',
  'rule',
  'server',
  'service',
  'source',
  'span',
  'threat',
  'tls',
  'trace',
  'transaction',
  'url',
  'user',
  'user_agent',
  'vulnerability',
] as const;

/** Top-level names of our own documents: the raw store and the overflow of unknown keys. */
export const FORTIEMS_ROOT_NAMES = ['ems', 'fortiems'] as const;

/** Every top-level name an alias must not take: ECS roots, the roots of the ECS fields we map, and our own. */
export function reservedTopLevelNames(): Set<string> {
  const fromEcsFields = Object.keys(ECS_FIELDS).map((name) => name.split('.')[0] ?? name);
  return new Set<string>([...ECS_ROOT_NAMES, ...fromEcsFields, ...FORTIEMS_ROOT_NAMES]);
}

export interface RawNameSplit {
  /** Raw names with a top-level alias (`hostname` → `ems.hostname`). */
  aliased: string[];
  /** Raw names that collide with an ECS root: query them as `ems.<raw>`. */
  emsOnly: string[];
}

/** Splits the raw names of the catalogue into aliased and ems-only, sorted. */
export function rawNameSplit(categories: readonly RawFieldSource[] = [...CATALOGUE, ...PRODUCER_SCHEMAS]): RawNameSplit {
  const reserved = reservedTopLevelNames();
  const names = [...rawFieldInventory(categories).keys()].sort();
  return { aliased: names.filter((name) => !reserved.has(name)), emsOnly: names.filter((name) => reserved.has(name)) };
}

export function hasTopLevelAlias(rawName: string): boolean {
  return !reservedTopLevelNames().has(rawName);
}
