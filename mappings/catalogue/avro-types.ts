/**
 * TypeScript types derived from the Avro schemas at compile time, so the types can never drift from the
 * schemas: a field added to a schema appears in its record type, with no second hand-written copy.
 */
interface AvroPrimitives {
  null: null;
  boolean: boolean;
  int: number;
  long: number;
  float: number;
  double: number;
  string: string;
  bytes: Uint8Array;
}

export type AvroValue<T> = T extends keyof AvroPrimitives
  ? AvroPrimitives[T]
  : T extends readonly (infer Member)[]
    ? AvroValue<Member>
    : T extends { type: 'enum'; symbols: readonly (infer Symbol)[] }
      ? Symbol
      : T extends { type: 'array'; items: infer Items }
        ? AvroValue<Items>[]
        : T extends { type: 'map'; values: infer Values }
          ? Record<string, AvroValue<Values>>
          : T extends { type: infer Inner }
            ? AvroValue<Inner>
            : never;

export interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly doc?: string;
  readonly default?: unknown;
}

/** The record type of an Avro record schema: every field, nullable where its type is a union with null. */
export type AvroRecord<Schema extends { readonly fields: readonly AvroField[] }> = {
  -readonly [Field in Schema['fields'][number] as Field['name']]: AvroValue<Field['type']>;
};
