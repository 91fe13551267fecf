/**
 * The raw vendor fields of the catalogue as OpenSearch sees them: one OpenSearch type per raw field name.
 *
 * Every raw field is stored typed under `ems.<rawname>` (e.g. `ems.hostname`), the same name in every data stream,
 * so a raw name must have ONE type across all ten categories: two categories that disagree (say `duration` int in
 * one, string in another) would make a cross-category query (`logs-fortiems.*`) see two types for one field.
 * The producer schemas (FortiClient's own lines, `fortiems.forticlient`) share the `ems.*` namespace, so they are in
 * the inventory too. `rawFieldInventory()` fails loudly on a conflict instead of generating templates that disagree.
 *
 * Avro → OpenSearch: string → keyword; int → integer; long → long; float/double → double; boolean → boolean;
 * enum → keyword; logicalType ip → ip; mac → keyword (the raw lower-case form; ECS host.mac gets the ECS form);
 * ems-datetime → keyword (the raw `dtime` text; the parsed instant is @timestamp).
 */
import type { CategoryDefinition } from '../catalogue/define-category.js';
import { type CatalogueField, valueType } from '../catalogue/fields.js';
import { PRODUCER_SCHEMAS } from '../catalogue/forticlient.js';
import { CATALOGUE } from '../catalogue/index.js';

export type RawFieldType = 'keyword' | 'ip' | 'integer' | 'long' | 'double' | 'boolean';

export interface RawField {
  readonly name: string;
  readonly type: RawFieldType;
  readonly doc: string;
  /** The categories (and producer schemas, e.g. `forticlient`) that carry the field, in catalogue order. */
  readonly categories: readonly string[];
}

const PRIMITIVES: Record<string, RawFieldType> = {
  string: 'keyword',
  int: 'integer',
  long: 'long',
  float: 'double',
  double: 'double',
  boolean: 'boolean',
};

const LOGICAL_TYPES: Record<string, RawFieldType> = { ip: 'ip', mac: 'keyword', 'ems-datetime': 'keyword' };

/** The OpenSearch type of a catalogue field, from its Avro type (null branch removed). */
export function openSearchTypeOf(field: CatalogueField): RawFieldType {
  const type = valueType(field);
  const primitive = typeof type === 'string' ? PRIMITIVES[type] : undefined;
  if (primitive) return primitive;
  if (typeof type === 'object' && type !== null) {
    const schema = type as { type?: unknown; logicalType?: unknown };
    if (schema.type === 'enum') return 'keyword';
    const logical = typeof schema.logicalType === 'string' ? LOGICAL_TYPES[schema.logicalType] : undefined;
    if (logical) return logical;
    const underlying = typeof schema.type === 'string' ? PRIMITIVES[schema.type] : undefined;
    if (underlying) return underlying;
  }
  throw new Error(`no OpenSearch type for field '${field.name}' of Avro type ${JSON.stringify(type)}`);
}

/** What carries raw fields: an EMS category or a producer schema. */
export interface RawFieldSource {
  readonly name: string;
  readonly schema: { readonly fields: readonly CatalogueField[] };
}

export function fieldsOf(category: RawFieldSource): readonly CatalogueField[] {
  return category.schema.fields;
}

/**
 * Every raw field name of the given categories (and, by default, the producer schemas) with its one OpenSearch type.
 * Throws when two of them give the same raw name different OpenSearch types.
 */
export function rawFieldInventory(categories: readonly RawFieldSource[] = [...CATALOGUE, ...PRODUCER_SCHEMAS]): Map<string, RawField> {
  const inventory = new Map<string, RawField>();
  for (const category of categories) {
    for (const field of fieldsOf(category)) {
      const type = openSearchTypeOf(field);
      const known = inventory.get(field.name);
      if (!known) {
        inventory.set(field.name, { name: field.name, type, doc: field.doc, categories: [category.name] });
        continue;
      }
      if (known.type !== type) {
        throw new Error(
          `raw field '${field.name}' is ${known.type} in ${known.categories.join(', ')} but ${type} in ${category.name}: ` +
            'one raw name must have one type in every category (it is indexed as ems.' +
            `${field.name} in all data streams)`,
        );
      }
      inventory.set(field.name, { ...known, categories: [...known.categories, category.name] });
    }
  }
  return inventory;
}

/** Raw names every category carries (the common head, endpoint, observer and tail fields, and subtype). */
export function sharedFieldNames(categories: readonly CategoryDefinition[] = CATALOGUE): Set<string> {
  const [first, ...rest] = categories;
  if (!first) return new Set();
  return new Set(
    fieldsOf(first)
      .map((field) => field.name)
      .filter((name) => rest.every((category) => fieldsOf(category).some((field) => field.name === name))),
  );
}

/** The category's own fields: those not shared by every category. */
export function ownFields(category: CategoryDefinition, categories: readonly CategoryDefinition[] = CATALOGUE): CatalogueField[] {
  const shared = sharedFieldNames(categories);
  return fieldsOf(category).filter((field) => !shared.has(field.name));
}
