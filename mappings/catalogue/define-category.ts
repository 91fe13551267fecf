import type { AvroRecord } from './avro-types.js';
import {
  ENDPOINT_FIELDS,
  ENDPOINT_TAIL_FIELDS,
  HEAD_FIELDS,
  LEVEL_FIELD,
  MESSAGE_FIELD,
  OBSERVER_FIELDS,
  TAIL_FIELDS,
} from './common-fields.js';
import type { EcsEventCategory, EcsEventType, EcsOutcome } from './ecs-fields.js';
import type { CatalogueField } from './fields.js';
import type { Level } from './levels.js';

/** One entry of a category's message vocabulary. */
export interface EventDefinition<FieldName extends string = string, Subtype extends string = string> {
  /** ECS event.action, and the id scenarios and detections use. */
  readonly id: string;
  readonly subtype: Subtype;
  /** The level EMS writes this event at. */
  readonly level: Level;
  /** The exact `msg` text. */
  readonly msg: string;
  readonly ecs: {
    readonly category: readonly EcsEventCategory[];
    readonly type: readonly EcsEventType[];
    readonly outcome?: EcsOutcome;
  };
  /** Category fields this event always sets. */
  readonly fields?: readonly FieldName[];
  /** True when the event concerns one endpoint and carries the endpoint fields. */
  readonly endpoint?: boolean;
}

export const CATEGORY_NAMES = [
  'ems-client',
  'ems-network',
  'ems-vpn',
  'ems-authentication',
  'ems-policy',
  'ems-adconnector',
  'ems-addaemonworker',
  'ems-update',
  'ems-event',
  'ems-error',
] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}

/** The Avro record schema of a category: the common fields around the category's own, in the observed body order. */
export function categorySchema<
  const Name extends CategoryName,
  const Subtypes extends readonly string[],
  const Fields extends readonly CatalogueField[],
>(name: Name, doc: string, subtypes: Subtypes, fields: Fields) {
  return {
    type: 'record',
    name: pascal(name),
    namespace: 'fortiems.ems',
    doc,
    fields: [
      ...HEAD_FIELDS,
      { name: 'subtype', type: { type: 'enum', name: `${pascal(name)}Subtype`, symbols: subtypes }, doc: 'Log subtype' },
      LEVEL_FIELD,
      ...ENDPOINT_FIELDS,
      ...OBSERVER_FIELDS,
      ...ENDPOINT_TAIL_FIELDS,
      MESSAGE_FIELD,
      ...fields,
      ...TAIL_FIELDS,
    ],
  } as const;
}

export interface CategoryDefinition<
  Schema extends { readonly fields: readonly CatalogueField[] } = { readonly fields: readonly CatalogueField[] },
> {
  readonly name: CategoryName;
  /** data_stream.dataset and event.dataset, e.g. fortiems.client. */
  readonly dataset: string;
  readonly services: readonly string[];
  readonly schema: Schema & { readonly name: string; readonly doc: string };
  readonly events: readonly EventDefinition<Schema['fields'][number]['name']>[];
}

export function defineCategory<
  const Schema extends { readonly fields: readonly CatalogueField[]; readonly name: string; readonly doc: string },
>(definition: CategoryDefinition<Schema>): CategoryDefinition<Schema> {
  return definition;
}

export type CategoryRecord<Definition extends CategoryDefinition> = AvroRecord<Definition['schema']>;
