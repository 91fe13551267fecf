/**
 * `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in configuration values, as in Vector and shells; `$$` is a
 * literal `$`. Done on parsed string values, never on the YAML text, so a variable cannot inject structure.
 */
export interface InterpolationProblem {
  path: (string | number)[];
  message: string;
  fix: string;
}

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[] = [],
  problems: InterpolationProblem[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
      if (match === '$$') return '$';
      const found = env[name as string];
      if (found !== undefined && found !== '') return found;
      if (operator === ':-') return argument ?? '';
      problems.push({
        path,
        message: operator === ':?' ? `${name} is not set: ${argument}` : `environment variable ${name} is not set`,
        fix: `export ${name}=… before starting, or write a default as \${${name}:-value}`,
      });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, [...path, index], problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key], problems)]));
  }
  return value;
}
