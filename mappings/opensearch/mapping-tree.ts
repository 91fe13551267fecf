/**
 * OpenSearch mapping properties as plain data, built from dotted paths (`host.os.full`) into nested objects, so the
 * generators can say "this path has this mapping" and get the tree OpenSearch expects.
 */

export interface LeafMapping {
  readonly type: string;
  readonly [parameter: string]: unknown;
}

export interface ObjectMapping {
  readonly type?: 'object';
  readonly properties: MappingProperties;
}

export type FieldMapping = LeafMapping | ObjectMapping;
export type MappingProperties = { [name: string]: FieldMapping };

export interface TypeMapping {
  dynamic?: boolean | 'strict';
  properties: MappingProperties;
}

export function isObjectMapping(mapping: FieldMapping): mapping is ObjectMapping {
  return 'properties' in mapping;
}

/** Adds `mapping` at the dotted `path`; the same leaf twice is fine, a different one (or leaf vs object) throws. */
export function addField(properties: MappingProperties, path: string, mapping: LeafMapping): void {
  const [head, ...rest] = path.split('.');
  if (!head) throw new Error(`empty field path '${path}'`);
  const existing = properties[head];
  if (rest.length === 0) {
    if (existing && JSON.stringify(existing) !== JSON.stringify(mapping)) {
      throw new Error(`field '${path}' is mapped twice: ${JSON.stringify(existing)} and ${JSON.stringify(mapping)}`);
    }
    properties[head] = mapping;
    return;
  }
  if (existing && !isObjectMapping(existing)) throw new Error(`'${head}' is a ${existing.type} field and cannot hold '${path}'`);
  const child: ObjectMapping = existing ?? { properties: {} };
  properties[head] = child;
  addField(child.properties, rest.join('.'), mapping);
}

/** Deep merge of property trees, as OpenSearch merges the mappings of an index template's component templates. */
export function mergeProperties(...trees: readonly MappingProperties[]): MappingProperties {
  const merged: MappingProperties = {};
  for (const tree of trees) {
    for (const [path, mapping] of flattenProperties(tree)) addField(merged, path, mapping);
  }
  return merged;
}

/** Every leaf as [dotted path, mapping]. */
export function flattenProperties(properties: MappingProperties, prefix = ''): [string, LeafMapping][] {
  return Object.entries(properties).flatMap(([name, mapping]): [string, LeafMapping][] =>
    isObjectMapping(mapping) ? flattenProperties(mapping.properties, `${prefix}${name}.`) : [[`${prefix}${name}`, mapping]],
  );
}

/** The leaf at a dotted path, or undefined. */
export function fieldAt(properties: MappingProperties, path: string): LeafMapping | undefined {
  return flattenProperties(properties).find(([leaf]) => leaf === path)?.[1];
}
