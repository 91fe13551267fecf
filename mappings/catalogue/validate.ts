import { isIP } from 'node:net';
import avro from 'avsc';
import type { CategoryName } from './define-category.js';
import { type CatalogueField, isRequiredField, valueType } from './fields.js';
import { CATALOGUE, categoryByName, eventByMessage } from './index.js';

export interface ValidationProblem {
  field: string;
  problem: string;
}

// Compiled once: avsc turns each schema into a fast validator.
const AVRO_TYPES = new Map<string, avro.Type>(
  CATALOGUE.map((category) => [category.name, avro.Type.forSchema(category.schema as unknown as avro.Schema)]),
);

const LOGICAL_CHECKS: Record<string, (value: string) => boolean> = {
  ip: (value) => isIP(value) !== 0,
  mac: (value) => /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/.test(value),
  'ems-datetime': (value) =>
    /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value.replace(' ', 'T')}Z`)),
};

function logicalType(field: CatalogueField): string | undefined {
  const type = valueType(field);
  return typeof type === 'object' && type !== null && 'logicalType' in type
    ? String((type as { logicalType: string }).logicalType)
    : undefined;
}

export function avroTypeOf(category: CategoryName): avro.Type {
  const type = AVRO_TYPES.get(category);
  if (!type) throw new Error(`unknown EMS log category '${category}'`);
  return type;
}

/**
 * Checks a typed record against its category: the Avro schema (types, enums, required fields), the value shapes
 * (IPs, MACs, serials, UIDs, dtime), and the message vocabulary. Problems are returned, never thrown.
 */
export function validateRecord(category: CategoryName, record: Record<string, unknown>): ValidationProblem[] {
  const definition = categoryByName(category);
  if (!definition) return [{ field: '(category)', problem: `unknown EMS log category '${category}'` }];
  const problems: ValidationProblem[] = [];
  const fields = definition.schema.fields as readonly CatalogueField[];
  const complete: Record<string, unknown> = {};
  for (const field of fields) complete[field.name] = record[field.name] ?? null;
  for (const key of Object.keys(record)) {
    if (!fields.some((field) => field.name === key)) problems.push({ field: key, problem: 'not a field of this category' });
  }
  avroTypeOf(category).isValid(complete, {
    errorHook: (path, value) => {
      const field = path.join('.') || '(record)';
      problems.push({ field, problem: value === null ? 'required but missing' : `invalid value ${JSON.stringify(value)}` });
    },
  });
  for (const field of fields) {
    const value = complete[field.name];
    if (typeof value !== 'string') continue;
    const logical = logicalType(field);
    const check = logical ? LOGICAL_CHECKS[logical] : undefined;
    if (check && !check(value)) problems.push({ field: field.name, problem: `not a valid ${logical}: ${JSON.stringify(value)}` });
    if (field.pattern && !new RegExp(field.pattern).test(value))
      problems.push({ field: field.name, problem: `does not match ${field.pattern}` });
  }
  if (typeof complete.msg === 'string' && !eventByMessage(category, complete.msg)) {
    problems.push({ field: 'msg', problem: `not in the ${category} vocabulary: ${JSON.stringify(complete.msg)}` });
  }
  return problems;
}

/** Converts key=value strings to the field types of the category (ints, longs and decimals become numbers); unknown keys are returned aside. */
export function typedRecordFromStrings(
  category: CategoryName,
  pairs: Record<string, string>,
): { record: Record<string, unknown>; unknown: Record<string, string>; problems: ValidationProblem[] } {
  const definition = categoryByName(category);
  if (!definition) throw new Error(`unknown EMS log category '${category}'`);
  const record: Record<string, unknown> = {};
  const unknown: Record<string, string> = {};
  const problems: ValidationProblem[] = [];
  const byName = new Map((definition.schema.fields as readonly CatalogueField[]).map((field) => [field.name, field]));
  for (const [key, text] of Object.entries(pairs)) {
    const field = byName.get(key);
    if (!field) {
      unknown[key] = text;
      continue;
    }
    const type = valueType(field);
    if (type === 'int' || type === 'long') {
      const number = Number(text);
      if (text.trim() === '' || !Number.isInteger(number))
        problems.push({ field: key, problem: `not a whole number: ${JSON.stringify(text)}` });
      else record[key] = number;
    } else if (type === 'double' || type === 'float') {
      const number = Number(text);
      if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text) || !Number.isFinite(number))
        problems.push({ field: key, problem: `not a number: ${JSON.stringify(text)}` });
      else record[key] = number;
    } else if (text === '' && !isRequiredField(field)) {
      // An empty optional value means absent, except where empty is meaningful (emshostname is required and may be "").
    } else {
      record[key] = text;
    }
  }
  return { record, unknown, problems };
}
