/**
 * The entries of `options` that are set: spread over defaults (`{ ...DEFAULTS, ...definedOnly(options) }`), an option
 * passed as `undefined` keeps its default instead of erasing it.
 */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
