/** Typed reads of a loaded YAML map, shared by the rule and the correlation loaders; problems are placed errors. */
import { invalid } from './errors.js';
import type { RuleMetadata, SigmaScalar } from './types.js';

export type Json = SigmaScalar | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

export function isObject(value: Json | undefined): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requiredString(root: JsonMap, key: string): string {
  const value = root[key];
  if (typeof value !== 'string' || value === '') throw invalid(key, 'missing or not a string');
  return value;
}

export function optionalString(root: JsonMap, key: string): Record<string, string> {
  const value = root[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(key, 'not a string');
  return { [key]: String(value) };
}

/** A list of strings; `place` defaults to `key` (a nested map passes its own path). */
export function stringList(root: JsonMap, key: string, place = key): string[] {
  const value = root[key];
  if (value === undefined || value === null) return [];
  // Some rules write a single string where a list is expected; accept it as a list of one.
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (item === null || typeof item === 'object') throw invalid(`${place}[${index}]`, 'not a string');
    return String(item);
  });
}

/** The describing keys every rule has, plain or correlation. */
export function metadataOf(root: JsonMap, file: string): RuleMetadata {
  return {
    file,
    title: requiredString(root, 'title'),
    ...optionalString(root, 'id'),
    ...optionalString(root, 'name'),
    ...optionalString(root, 'status'),
    ...optionalString(root, 'level'),
    ...informational(root, 'description'),
    ...informational(root, 'author'),
    tags: stringList(root, 'tags'),
    falsepositives: stringList(root, 'falsepositives'),
  };
}

/** Text that only describes the rule: kept when it is a string, ignored (never an error) when written otherwise. */
function informational(root: JsonMap, key: 'description' | 'author'): Partial<Record<typeof key, string>> {
  const value = root[key];
  return typeof value === 'string' && value !== '' ? { [key]: value } : {};
}
