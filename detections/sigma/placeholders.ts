/**
 * `expand` placeholders: `%name%` in a rule's value stands for each of a deployment's values (pySigma's
 * ValueListPlaceholderTransformation). The same map comes from a file (`fortiems rules compile --placeholders`) or
 * the configuration (`detections.placeholders`): name → one value or a list of values, each Sigma text.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type Placeholders = Readonly<Record<string, readonly string[]>>;

/** Checks a loaded map; `where` names its origin in errors (a file, a configuration key). */
export function placeholdersFrom(value: unknown, where: string): Placeholders {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a map of placeholder name → value(s)`);
  const result: Record<string, readonly string[]> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!/^\w+$/.test(name)) throw new Error(`${where}: placeholder name '${name}' is not letters, digits and _ (write it without %)`);
    const items: unknown[] = Array.isArray(entry) ? entry : [entry];
    // Numbers are allowed as YAML writes them (`%port%: 4444`); maps, nulls and booleans are a mistake.
    if (!items.every((item) => typeof item === 'string' || typeof item === 'number')) {
      throw new Error(`${where}: placeholder ${name}: expected a string or a list of strings`);
    }
    result[name] = items.map(String);
  }
  return result;
}

/** A YAML (or JSON) file of placeholders. */
export function readPlaceholders(file: string): Placeholders {
  return placeholdersFrom(parse(readFileSync(file, 'utf8')) as unknown, file);
}
