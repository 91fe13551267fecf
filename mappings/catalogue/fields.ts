import type { EcsFieldName } from './ecs-fields.js';
import { LEVELS } from './levels.js';

/** Vendor value shapes the parsers convert (Avro logical types: unknown to Avro itself, read by our decoders). */
export const IP = { type: 'string', logicalType: 'ip' } as const;
export const MAC = { type: 'string', logicalType: 'mac' } as const;
/** `dtime="YYYY-MM-DD HH:MM:SS"`: EMS local time with no zone. */
export const EMS_DATETIME = { type: 'string', logicalType: 'ems-datetime' } as const;
export const LEVEL = { type: 'enum', name: 'Level', symbols: LEVELS } as const;

interface FieldMeta {
  doc: string;
  /** Where the value goes in ECS, besides its raw name. */
  ecs?: EcsFieldName | readonly EcsFieldName[];
  /** The observed value shape, checked by validation (a regular expression source). */
  pattern?: string;
}

export interface CatalogueField {
  readonly name: string;
  readonly type: unknown;
  readonly doc: string;
  readonly default?: null;
  readonly ecs?: EcsFieldName | readonly EcsFieldName[];
  readonly pattern?: string;
}

/** A field every line of the category carries. */
export function required<const Name extends string, const Type>(name: Name, type: Type, meta: FieldMeta) {
  return { name, type, ...meta } as const;
}

/** A field only some lines carry; absent means null. */
export function optional<const Name extends string, const Type>(name: Name, type: Type, meta: FieldMeta) {
  return { name, type: ['null', type] as const, default: null, ...meta } as const;
}

export function isRequiredField(field: CatalogueField): boolean {
  return !(Array.isArray(field.type) && field.type[0] === 'null');
}

/** The Avro type without the null branch, e.g. `{type: 'string', logicalType: 'ip'}`. */
export function valueType(field: CatalogueField): unknown {
  return Array.isArray(field.type) && field.type[0] === 'null' ? field.type[1] : field.type;
}

export function ecsTargets(field: CatalogueField): readonly EcsFieldName[] {
  if (!field.ecs) return [];
  return typeof field.ecs === 'string' ? [field.ecs] : field.ecs;
}
