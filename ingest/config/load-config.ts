import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { isValidZone } from '../../mappings/index.js';
import { trustProxySetting } from '../../platform/http/http-server.js';
import {
  type ComponentProblem,
  type ComponentRegistry,
  type ListenerSourceFactory,
  sinkFactory,
  sourceFactory,
} from '../components/contract.js';
import { COMPONENTS } from '../components/registry.js';
import { syslogSinkProblems } from '../forward/syslog-sink-component.js';
import { interpolate } from './interpolate.js';
import { configSchema, DEFAULT_CONFIG_YAML } from './schema.js';
import type { FortiemsConfig } from './types.js';

/** One problem in a configuration: where (file, line, column, path), what, and how to fix it. */
export interface ConfigProblem {
  path: string;
  line?: number;
  column?: number;
  message: string;
  fix: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => formatProblem(file, p)).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  return `${where} ${problem.path || '(top level)'}: ${problem.message}\n    fix: ${problem.fix}`;
}

// Compiled once per registry: the schema never changes while the process runs.
const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, verbose: true });
const validators = new WeakMap<ComponentRegistry, ReturnType<typeof ajv.compile>>();
function validatorFor(components: ComponentRegistry): ReturnType<typeof ajv.compile> {
  let validate = validators.get(components);
  if (!validate) {
    // Each registry's schema is its own: no shared $id in Ajv's cache.
    const { $id: _id, ...schema } = configSchema(components);
    validate = ajv.compile(schema);
    validators.set(components, validate);
  }
  return validate;
}

/** `a, b or c`. */
function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

function dotted(path: (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${part}`)).join('');
}

function pointerToPath(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

function describeError(error: ErrorObject, components: ComponentRegistry): { path: string[]; message: string; fix: string } {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const close = known.filter((name) => distance(name, key) <= 2);
      return {
        path: [...path, key],
        message: `unknown setting '${key}'`,
        fix:
          close.length > 0
            ? `did you mean '${close[0]}'? (known here: ${known.join(', ')})`
            : `remove it; known here: ${known.join(', ') || 'none'}`,
      };
    }
    case 'required':
      return { path, message: `'${params.missingProperty}' is required here`, fix: `add ${String(params.missingProperty)}: …` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}`,
        fix: `use one of ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}`, fix: `write ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return {
        path,
        // A union (`http.trust_proxy`) comes as "boolean,string".
        message: `must be ${params.type === 'integer' ? 'a whole number' : `a ${String(params.type).replaceAll(',', ' or ')}`}`,
        fix: `write a ${params.type === 'integer' ? 'whole number' : String(params.type).replaceAll(',', ' or ')} value`,
      };
    case 'minimum':
    case 'maximum':
      return {
        path,
        message: `must be ${error.keyword === 'minimum' ? '≥' : '≤'} ${params.limit}`,
        fix: `choose a value ${error.keyword === 'minimum' ? 'of at least' : 'of at most'} ${params.limit}`,
      };
    case 'pattern': {
      const description = (error.parentSchema as { description?: string }).description;
      return {
        path,
        message: `does not have the expected form${description ? ` (${description})` : ''}`,
        fix: description ? `write it as ${description}` : `match ${params.pattern}`,
      };
    }
    case 'minItems':
      return {
        path,
        message: `must list at least ${params.limit}`,
        fix: `add ${params.limit === 1 ? 'an entry' : 'entries'}, or leave the setting out`,
      };
    case 'not': {
      // `not: { required: [a, b] }`: settings that exclude each other (a search sink's url and urls).
      const both = (error.schema as { required?: string[] }).required;
      if (both)
        return {
          path,
          message: `${both.map((key) => `'${key}'`).join(' and ')} cannot be used together`,
          fix: `keep one of ${both.join(', ')}`,
        };
      return { path, message: error.message ?? 'not allowed here', fix: 'see docs/configuration in the README' };
    }
    case 'minLength':
      return { path, message: `must be at least ${params.limit} characters long`, fix: `use a longer value (${params.limit}+ characters)` };
    case 'discriminator':
      return {
        path: [...path, 'type'],
        message: `'type' must name a known kind here (${String(params.tagValue ?? 'missing')} is not one)`,
        fix: `sources: ${orList(components.sources.map((factory) => factory.type))}; sinks: ${orList(components.sinks.map((factory) => factory.type))}`,
      };
    case 'propertyNames':
      if (path[path.length - 1] === 'placeholders') {
        return { path, message: 'placeholder names are letters, digits and _', fix: 'write %Name% as Name' };
      }
      return {
        path,
        message: 'component names are lower-case letters, digits and _ , starting with a letter',
        fix: 'rename it, e.g. syslog_tcp',
      };
    default:
      return { path, message: error.message ?? error.keyword, fix: 'see docs/configuration in the README' };
  }
}

type SemanticProblem = ComponentProblem;

/** The detection scheduler's settings: its rules must exist, its outputs make sense, it needs a cluster to search. */
function detectionProblems(config: FortiemsConfig, components: ComponentRegistry): SemanticProblem[] {
  const detections = config.detections;
  if (!detections || detections.enabled === false) return [];
  const problems: SemanticProblem[] = [];
  if (detections.rules !== undefined && !existsSync(detections.rules))
    problems.push({
      path: ['detections', 'rules'],
      message: `no such rule file or folder '${detections.rules}'`,
      fix: 'give a Sigma rule file or a folder of rules (relative paths start at the working directory), or leave it out for the shipped pack',
    });
  // The sinks whose cluster the detections can search (opensearch).
  if (!Object.values(config.sinks ?? {}).some((sink) => sinkFactory(components, sink.type).searchCluster))
    problems.push({
      path: ['detections'],
      message: 'detections search OpenSearch, and no sink is of type opensearch',
      fix: 'add an opensearch sink, or set detections.enabled: false',
    });
  for (const [name, output] of Object.entries(detections.outputs ?? {})) {
    // Ids name metric series and dead-letter files: an output sharing a sink's id would mix their accounting.
    if (config.sinks?.[name])
      problems.push({
        path: ['detections', 'outputs', name],
        message: `the id '${name}' is also a sink's`,
        fix: `give the alert output another name, e.g. alerts_${name}`,
      });
    if (output.type === 'syslog') problems.push(...syslogSinkProblems(output, ['detections', 'outputs', name]));
    else if (output.tls && output.url.startsWith('http://'))
      problems.push({
        path: ['detections', 'outputs', name, 'tls'],
        message: 'tls settings on an http:// webhook',
        fix: "use an https:// URL, or remove 'tls'",
      });
  }
  return problems;
}

/**
 * Checks the schema cannot express: time zones and listeners that would collide here; each type's own (TLS settings in
 * pairs, a filter query's syntax, …) in its factory's `check`.
 */
function semanticProblems(config: FortiemsConfig, components: ComponentRegistry): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const zones: [string[], string | undefined][] = [[['pipeline', 'timezone'], config.pipeline?.timezone]];
  const listeners = new Map<string, string>();
  for (const [name, source] of Object.entries(config.sources ?? {})) {
    zones.push([['sources', name, 'timezone'], source.timezone]);
    const factory = sourceFactory(components, source.type);
    const listen = factory.kind === 'listener' ? (factory as ListenerSourceFactory).listensOn?.(source) : undefined;
    if (listen) {
      const key = `${listen.protocol}:${listen.port}`;
      // Port 0 asks the system for any free port: two such listeners never collide.
      const other = listen.port === '0' ? undefined : listeners.get(key);
      if (other)
        problems.push({
          path: ['sources', name, 'address'],
          message: `listens on the same ${listen.protocol.toUpperCase()} port as ${other}`,
          fix: 'give one of them another port',
        });
      listeners.set(key, `sources.${name}`);
    }
    problems.push(...(factory.check?.(source, { config, path: ['sources', name] }) ?? []));
  }
  try {
    trustProxySetting(config.http?.trust_proxy);
  } catch (error) {
    problems.push({
      path: ['http', 'trust_proxy'],
      message: (error as Error).message,
      fix: "give the proxies' IP addresses or CIDRs, comma-separated (e.g. 10.0.0.5, 10.1.0.0/16), loopback, or true",
    });
  }
  for (const [path, zone] of zones)
    if (zone !== undefined && !isValidZone(zone))
      problems.push({ path, message: `unknown time zone '${zone}'`, fix: 'use an IANA zone such as UTC or Europe/Paris' });
  for (const [name, sink] of Object.entries(config.sinks ?? {}))
    problems.push(...(sinkFactory(components, sink.type).check?.(sink, { config, path: ['sinks', name] }) ?? []));
  problems.push(...detectionProblems(config, components));
  if (Object.keys(config.sinks ?? {}).length === 0)
    problems.push({
      path: ['sinks'],
      message: 'no sink: events would have nowhere to go',
      fix: 'add one, e.g. sinks: { opensearch: { type: opensearch } }',
    });
  return problems;
}

/**
 * Parses, interpolates `${ENV}` references, applies defaults and validates; throws a ConfigError listing every problem.
 * `components` is the registry whose types `sources:` and `sinks:` may name (tests add their own).
 */
export function parseConfig(
  text: string,
  file = '<config>',
  env: NodeJS.ProcessEnv = process.env,
  components: ComponentRegistry = COMPONENTS,
): FortiemsConfig {
  const validateSchema = validatorFor(components);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  // Where a path is written: the key of its last segment (so an unknown key points at itself), else the nearest node above.
  const position = (path: (string | number)[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const parent = depth === 0 ? document.contents : document.getIn(path.slice(0, depth - 1), true);
      let range: [number, number, number] | undefined;
      if (depth > 0 && isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[depth - 1]);
        range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      } else if (depth === 0) range = (parent as { range?: [number, number, number] } | null)?.range;
      if (range) {
        const { line, col } = lineCounter.linePos(range[0]);
        return { line, column: col };
      }
    }
    return {};
  };
  // Where character `offset` of a scalar value is (past its opening quote); falls back to the key's position.
  const valuePosition = (path: (string | number)[], offset: number) => {
    const node = document.getIn(path, true) as { range?: [number, number, number]; type?: string } | undefined;
    if (!isScalar(node) || !node.range) return position(path);
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    const { line, col } = lineCounter.linePos(node.range[0] + quoted + offset);
    return { line, column: col };
  };
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => {
        const where = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
        return {
          path: '',
          line: where.line,
          column: where.col,
          message: `not valid YAML: ${error.message.split('\n')[0]}`,
          fix: 'check the indentation and quoting at that place',
        };
      }),
    );
  }
  const raw = document.toJS() ?? {};
  const interpolationProblems: Parameters<typeof interpolate>[3] = [];
  const config = interpolate(raw, env, [], interpolationProblems) as FortiemsConfig;
  const problems: ConfigProblem[] = interpolationProblems.map((p) => ({
    path: dotted(p.path),
    ...position(p.path),
    message: p.message,
    fix: p.fix,
  }));
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(file, [
      { path: '', message: 'the configuration must be a mapping of sections', fix: 'start with sources:, pipeline:, sinks: …' },
    ]);
  }
  if (!validateSchema(config)) {
    for (const error of validateSchema.errors ?? []) {
      if (error.keyword === 'oneOf' || error.keyword === 'if') continue; // the discriminated branch reports the details
      const described = describeError(error, components);
      problems.push({ path: dotted(described.path), ...position(described.path), message: described.message, fix: described.fix });
    }
  } else {
    for (const problem of semanticProblems(config, components))
      problems.push({
        path: dotted(problem.path),
        ...(problem.offset !== undefined ? valuePosition(problem.path, problem.offset) : position(problem.path)),
        message: problem.message,
        fix: problem.fix,
      });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/**
 * Checks a configuration built in code (the file plus `--forward` sinks): the same schema (defaults applied) and
 * semantic checks as a file, reported without positions.
 */
export function checkConfig(config: FortiemsConfig, source: string, components: ComponentRegistry = COMPONENTS): FortiemsConfig {
  const validateSchema = validatorFor(components);
  const problems: ConfigProblem[] = [];
  if (!validateSchema(config)) {
    for (const error of validateSchema.errors ?? []) {
      if (error.keyword === 'oneOf' || error.keyword === 'if') continue;
      const described = describeError(error, components);
      problems.push({ path: dotted(described.path), message: described.message, fix: described.fix });
    }
  } else
    for (const problem of semanticProblems(config, components))
      problems.push({ path: dotted(problem.path), message: problem.message, fix: problem.fix });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): FortiemsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      {
        path: '',
        message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        fix: 'check the path and its permissions',
      },
    ]);
  }
  return parseConfig(text, file, env);
}

/** The defaults that run out of the box. */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env): FortiemsConfig {
  return parseConfig(DEFAULT_CONFIG_YAML, '<defaults>', env);
}
