/**
 * OpenSearch index templates generated from the catalogue: nothing here is hand-written per field.
 *
 * - One data stream per category: `logs-<dataset>-<namespace>`, e.g. `logs-fortiems.client-default`
 *   (`dataStreamName()`); the composable index template `logs-fortiems.<short>` matches `logs-fortiems.<short>-*`.
 * - Component templates, composed in this order:
 *   `fortiems@settings` (single-node friendly: 1 shard, `auto_expand_replicas: 0-1` so one node is green),
 *   `fortiems-ecs@mappings` (every ECS field of the catalogue vocabulary, event.*, related.*, data_stream.*,
 *   `fortiems.extra`), `fortiems-ems@mappings` (the raw fields every category shares, under `ems.*`, plus their
 *   top-level aliases) and `fortiems-<short>@mappings` (the category's own raw fields and aliases).
 * - `dynamic: false` at the root: a key nobody mapped stays in `_source` but never becomes a field. Unknown vendor
 *   keys go to ONE `flat_object` field, `fortiems.extra` (no field explosion, reference §8).
 * - `event.original` is kept in `_source` only (`index: false, doc_values: false`); `@timestamp` and
 *   `event.ingested` are dates.
 * - Raw names free at the top level get an `alias` field pointing at `ems.<raw>` (see raw-aliases.ts).
 * - priority 200, above any built-in `logs-*` template; `_meta` carries the template version and a fingerprint of the
 *   catalogue, so an installed template can be compared with the code.
 */
import { createHash } from 'node:crypto';
import type { CategoryDefinition, CategoryName } from '../catalogue/define-category.js';
import { ECS_FIELDS } from '../catalogue/ecs-fields.js';
import type { CatalogueField } from '../catalogue/fields.js';
import { CATALOGUE, categoryByName } from '../catalogue/index.js';
import { addField, type LeafMapping, type MappingProperties, mergeProperties, type TypeMapping } from './mapping-tree.js';
import { hasTopLevelAlias } from './raw-aliases.js';
import { fieldsOf, openSearchTypeOf, ownFields, type RawFieldType, rawFieldInventory, sharedFieldNames } from './raw-fields.js';

/** Bump when the generated templates change shape without the catalogue changing. */
export const TEMPLATE_VERSION = 2;
export const TEMPLATE_PRIORITY = 200;
/**
 * The datasets that are not EMS categories — neighbours' lines (`fortiems.forticlient`, `fortiems.fortigate`), other
 * hosts' syslog (`fortiems.syslog`: `process.*`, `log.syslog.*`, structured data in one flat_object) and pipeline errors
 * (`fortiems.unparsed`) — get one catch-all template below the categories' priority, so they too land in data streams
 * with our ECS mapping and `dynamic: false`, never in an index with dynamically guessed fields.
 */
export const OTHER_DATASETS_TEMPLATE = 'logs-fortiems.other';
export const OTHER_DATASETS_PRIORITY = 150;
export const SETTINGS_COMPONENT = 'fortiems@settings';
export const ECS_COMPONENT = 'fortiems-ecs@mappings';
export const EMS_COMPONENT = 'fortiems-ems@mappings';
export const EXTRA_FIELD = 'fortiems.extra';
/** Pipeline fields of our own: the producer, validation problems, and the endpoint context enrichment adds. */
export const FORTIEMS_KEYWORDS = [
  'fortiems.producer',
  'fortiems.problems',
  'fortiems.endpoint.groups',
  'fortiems.endpoint.tags',
  'fortiems.endpoint.owner',
  'fortiems.endpoint.status',
  'fortiems.endpoint.policy',
] as const;
/** Longer keyword values stay in _source but are not indexed (Lucene refuses terms over 32 KB; ECS uses 1024). */
export const KEYWORD_IGNORE_ABOVE = 1024;

export interface ComponentTemplate {
  template: { settings?: Record<string, unknown>; mappings?: TypeMapping };
  version: number;
  _meta: Record<string, unknown>;
}

export interface IndexTemplate {
  index_patterns: string[];
  data_stream: Record<string, never>;
  composed_of: string[];
  priority: number;
  version: number;
  _meta: Record<string, unknown>;
}

export interface OpenSearchTemplates {
  /** In install order: every component before the index templates that use it. */
  componentTemplates: Record<string, ComponentTemplate>;
  indexTemplates: Record<string, IndexTemplate>;
}

/** `fortiems.client` → `client`. */
export function shortName(category: CategoryDefinition): string {
  return category.dataset.replace(/^fortiems\./, '');
}

export function categoryComponentName(category: CategoryDefinition): string {
  return `fortiems-${shortName(category)}@mappings`;
}

export function indexTemplateName(category: CategoryDefinition): string {
  return `logs-${category.dataset}`;
}

/** A short hash of the catalogue schemas: changes whenever a field, type or doc changes. */
export function catalogueFingerprint(categories: readonly CategoryDefinition[] = CATALOGUE): string {
  const schemas = categories.map((category) => ({ dataset: category.dataset, schema: category.schema }));
  return createHash('sha256').update(JSON.stringify(schemas)).digest('hex').slice(0, 16);
}

function leaf(type: string): LeafMapping {
  return type === 'keyword' ? { type, ignore_above: KEYWORD_IGNORE_ABOVE } : { type };
}

/** The mapping of each ECS field the catalogue may fill, plus the fields every fortiems document carries. */
export function ecsProperties(): MappingProperties {
  const properties: MappingProperties = {};
  for (const [name, type] of Object.entries(ECS_FIELDS)) {
    // The raw line is for reading and re-parsing, never for searching: keep it out of the index.
    if (name === 'event.original') addField(properties, name, { type: 'keyword', index: false, doc_values: false });
    else addField(properties, name, leaf(type));
  }
  for (const name of ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace']) addField(properties, name, leaf('keyword'));
  addField(properties, EXTRA_FIELD, { type: 'flat_object' });
  for (const name of FORTIEMS_KEYWORDS) addField(properties, name, leaf('keyword'));
  return properties;
}

function rawMapping(type: RawFieldType): LeafMapping {
  return leaf(type);
}

/** `ems.<raw>` for each field, and the top-level alias where the raw name is free. */
export function rawProperties(fields: readonly CatalogueField[]): MappingProperties {
  const properties: MappingProperties = {};
  for (const field of fields) {
    addField(properties, `ems.${field.name}`, rawMapping(openSearchTypeOf(field)));
    if (hasTopLevelAlias(field.name)) addField(properties, field.name, { type: 'alias', path: `ems.${field.name}` });
  }
  return properties;
}

function component(mappings: TypeMapping | undefined, settings: Record<string, unknown> | undefined, meta: Record<string, unknown>) {
  const template: ComponentTemplate['template'] = {};
  if (settings) template.settings = settings;
  if (mappings) template.mappings = mappings;
  return { template, version: TEMPLATE_VERSION, _meta: { managed_by: 'fortiems', ...meta } } satisfies ComponentTemplate;
}

export const INDEX_SETTINGS = {
  index: {
    number_of_shards: 1,
    // One node: 0 replicas (green); two or more: 1 replica.
    auto_expand_replicas: '0-1',
    refresh_interval: '5s',
    codec: 'default',
  },
} as const;

/** Every component and index template, generated from the catalogue; throws on a raw-field type conflict. */
export function buildTemplates(categories: readonly CategoryDefinition[] = CATALOGUE): OpenSearchTemplates {
  rawFieldInventory(categories); // fails loudly when two categories disagree on a raw field's type
  const fingerprint = catalogueFingerprint(categories);
  const meta = { template_version: TEMPLATE_VERSION, catalogue_fingerprint: fingerprint };
  const shared = sharedFieldNames(categories);
  const [first] = categories;
  const sharedFields = first ? fieldsOf(first).filter((field) => shared.has(field.name)) : [];

  const componentTemplates: Record<string, ComponentTemplate> = {
    [SETTINGS_COMPONENT]: component(undefined, INDEX_SETTINGS, { ...meta, description: 'fortiems index settings' }),
    [ECS_COMPONENT]: component({ dynamic: false, properties: ecsProperties() }, undefined, {
      ...meta,
      description: 'ECS fields, data_stream.* and fortiems.extra',
    }),
    [EMS_COMPONENT]: component({ dynamic: false, properties: rawProperties(sharedFields) }, undefined, {
      ...meta,
      description: 'raw EMS fields every category carries, under ems.*, with top-level aliases',
    }),
  };
  const indexTemplates: Record<string, IndexTemplate> = {};
  for (const category of categories) {
    const own = categoryComponentName(category);
    componentTemplates[own] = component({ dynamic: false, properties: rawProperties(ownFields(category, categories)) }, undefined, {
      ...meta,
      category: category.name,
      description: `raw fields of ${category.name}, under ems.*, with top-level aliases`,
    });
    indexTemplates[indexTemplateName(category)] = {
      index_patterns: [`logs-${category.dataset}-*`],
      data_stream: {},
      composed_of: [SETTINGS_COMPONENT, ECS_COMPONENT, EMS_COMPONENT, own],
      priority: TEMPLATE_PRIORITY,
      version: TEMPLATE_VERSION,
      _meta: { managed_by: 'fortiems', category: category.name, dataset: category.dataset, ...meta },
    };
  }
  indexTemplates[OTHER_DATASETS_TEMPLATE] = {
    index_patterns: ['logs-fortiems.*-*'],
    data_stream: {},
    composed_of: [SETTINGS_COMPONENT, ECS_COMPONENT, EMS_COMPONENT],
    priority: OTHER_DATASETS_PRIORITY,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'fortiems', description: 'neighbours (FortiClient, FortiGate), generic syslog and pipeline errors', ...meta },
  };
  return { componentTemplates, indexTemplates };
}

/** The mapping a category's data stream ends up with: its components' mappings merged, as OpenSearch merges them. */
export function mergedMappingFor(category: CategoryName, templates: OpenSearchTemplates = buildTemplates()): TypeMapping {
  const definition = categoryByName(category);
  if (!definition) throw new Error(`unknown EMS log category '${category}'`);
  const indexTemplate = templates.indexTemplates[indexTemplateName(definition)];
  if (!indexTemplate) throw new Error(`no index template for ${category}`);
  const trees = indexTemplate.composed_of.flatMap((name) => {
    const mappings = templates.componentTemplates[name]?.template.mappings;
    return mappings ? [mappings.properties] : [];
  });
  return { dynamic: false, properties: mergeProperties(...trees) };
}
