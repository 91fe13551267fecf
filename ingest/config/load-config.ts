import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { CATALOGUE, isValidZone } from '../../mappings/index.js';
import { parseListenAddress, trustProxySetting } from '../../platform/http/http-server.js';
import { compileQuery } from '../forward/filter-query.js';
import { interpolate } from './interpolate.js';
import { CONFIG_SCHEMA, DEFAULT_CONFIG_YAML } from './schema.js';
import type { FortiemsConfig, SyslogSinkConfig } from './types.js';

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

// Compiled once: the schema never changes while the process runs.
const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, verbose: true });
const validateSchema = ajv.compile(CONFIG_SCHEMA);

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

function describeError(error: ErrorObject): { path: string[]; message: string; fix: string } {
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
    case 'minLength':
      return { path, message: `must be at least ${params.limit} characters long`, fix: `use a longer value (${params.limit}+ characters)` };
    case 'discriminator':
      return {
        path: [...path, 'type'],
        message: `'type' must name a known kind here (${String(params.tagValue ?? 'missing')} is not one)`,
        fix: 'sources: syslog or http; sinks: opensearch, elasticsearch or syslog',
      };
    case 'propertyNames':
      return {
        path,
        message: 'component names are lower-case letters, digits and _ , starting with a letter',
        fix: 'rename it, e.g. syslog_tcp',
      };
    default:
      return { path, message: error.message ?? error.keyword, fix: 'see docs/configuration in the README' };
  }
}

interface SemanticProblem {
  path: (string | number)[];
  message: string;
  fix: string;
  /** 0-based character offset inside the value at `path` (a filter query's syntax error), for an exact column. */
  offset?: number;
}

/** A syslog forwarding sink's settings that only make sense together. */
function syslogSinkProblems(
  name: string,
  sink: Omit<SyslogSinkConfig, 'type'> & { filter?: SyslogSinkConfig['filter'] },
  section: readonly string[] = ['sinks'],
): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const mode = sink.mode ?? 'tcp';
  if (mode === 'udp' && sink.framing)
    problems.push({
      path: [...section, name, 'framing'],
      message: 'framing on a UDP destination',
      fix: "remove 'framing' (a datagram is one message), or use mode: tcp or tls",
    });
  if (mode !== 'tls' && sink.tls)
    problems.push({
      path: [...section, name, 'tls'],
      message: `tls settings on a ${mode} destination`,
      fix: "set mode: tls, or remove 'tls'",
    });
  if (sink.tls && Boolean(sink.tls.cert_file) !== Boolean(sink.tls.key_file))
    problems.push({
      path: [...section, name, 'tls'],
      message: 'cert_file and key_file come together',
      fix: 'give both (a client certificate), or neither',
    });
  const known = new Set(CATALOGUE.map((category) => category.name as string));
  (sink.filter?.categories ?? []).forEach((category, index) => {
    if (!known.has(category))
      problems.push({
        path: [...section, name, 'filter', 'categories', index],
        message: `unknown category '${category}'`,
        fix: `use one of ${[...known].join(', ')}`,
      });
  });
  if (sink.filter?.query !== undefined) {
    try {
      compileQuery(sink.filter.query);
    } catch (error) {
      const message = (error as Error).message;
      const position = Number(/at position (\d+)/.exec(message)?.[1]);
      problems.push({
        path: [...section, name, 'filter', 'query'],
        message: message.replace(/^forward filter query: /, 'filter query: '),
        fix: 'fix the query (field:value, AND, OR, NOT, parentheses, "quoted values")',
        ...(position > 0 ? { offset: position - 1 } : {}),
      });
    }
  }
  return problems;
}

/** The detection scheduler's settings: its rules must exist, its outputs make sense, it needs a cluster to search. */
function detectionProblems(config: FortiemsConfig): SemanticProblem[] {
  const detections = config.detections;
  if (!detections || detections.enabled === false) return [];
  const problems: SemanticProblem[] = [];
  if (detections.rules !== undefined && !existsSync(detections.rules))
    problems.push({
      path: ['detections', 'rules'],
      message: `no such rule file or folder '${detections.rules}'`,
      fix: 'give a Sigma rule file or a folder of rules (relative paths start at the working directory), or leave it out for the shipped pack',
    });
  if (!Object.values(config.sinks ?? {}).some((sink) => sink.type === 'opensearch'))
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
    if (output.type === 'syslog') problems.push(...syslogSinkProblems(name, output, ['detections', 'outputs']));
    else if (output.tls && output.url.startsWith('http://'))
      problems.push({
        path: ['detections', 'outputs', name, 'tls'],
        message: 'tls settings on an http:// webhook',
        fix: "use an https:// URL, or remove 'tls'",
      });
  }
  return problems;
}

/** Whether a listen host only takes connections from this machine (a name other than localhost may resolve anywhere). */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** An HTTP source without a token on a reachable address lets anyone write events: only when the operator says so. */
function anonymousHttpProblems(config: FortiemsConfig): SemanticProblem[] {
  const address = config.http?.address ?? '127.0.0.1:8080';
  let host: string;
  try {
    host = parseListenAddress(address).host;
  } catch (error) {
    return [{ path: ['http', 'address'], message: (error as Error).message, fix: 'use a port from 0 to 65535' }];
  }
  if (isLoopbackHost(host)) return [];
  return Object.entries(config.sources ?? {})
    .filter(([, source]) => source.type === 'http' && !source.token && source.allow_anonymous !== true)
    .map(([name]) => ({
      path: ['sources', name, 'token'],
      message: `no token, and http.address ${address} is not a loopback address: anyone who reaches it can write events`,
      fix: 'set token (16+ characters; an environment reference keeps it out of the file), or allow_anonymous: true if a proxy or firewall does the access control',
    }));
}

/** Checks the schema cannot express: time zones, listeners that would collide, TLS settings that must come in pairs. */
function semanticProblems(config: FortiemsConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const zones: [string[], string | undefined][] = [[['pipeline', 'timezone'], config.pipeline?.timezone]];
  const listeners = new Map<string, string>();
  for (const [name, source] of Object.entries(config.sources ?? {})) {
    zones.push([['sources', name, 'timezone'], source.timezone]);
    if (source.type === 'syslog') {
      const port = source.address?.split(':').pop();
      const key = `${source.mode === 'udp' ? 'udp' : 'tcp'}:${port}`;
      // Port 0 asks the system for any free port: two such listeners never collide.
      const other = port === '0' ? undefined : listeners.get(key);
      if (other)
        problems.push({
          path: ['sources', name, 'address'],
          message: `listens on the same ${source.mode === 'udp' ? 'UDP' : 'TCP'} port as ${other}`,
          fix: 'give one of them another port',
        });
      listeners.set(key, `sources.${name}`);
      for (const key of ['max_connections', 'idle_timeout_seconds'] as const)
        if (source.mode === 'udp' && source[key] !== undefined)
          problems.push({
            path: ['sources', name, key],
            message: `${key} on a UDP listener (it has no connections)`,
            fix: `remove '${key}', or use mode: tcp or tls`,
          });
      if (source.mode !== 'tls' && source.tls)
        problems.push({
          path: ['sources', name, 'tls'],
          message: 'tls settings on a non-TLS listener',
          fix: "set mode: tls, or remove 'tls'",
        });
      if (source.tls && Boolean(source.tls.cert_file) !== Boolean(source.tls.key_file)) {
        problems.push({
          path: ['sources', name, 'tls'],
          message: 'cert_file and key_file come together',
          fix: 'give both, or neither (a self-signed certificate is then generated)',
        });
      }
      if (source.tls?.verify_client && !source.tls.ca_file)
        problems.push({
          path: ['sources', name, 'tls', 'ca_file'],
          message: 'verify_client needs the CA that signs client certificates',
          fix: 'set ca_file',
        });
    }
  }
  problems.push(...anonymousHttpProblems(config));
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
    if (sink.type === 'syslog') problems.push(...syslogSinkProblems(name, sink));
  problems.push(...detectionProblems(config));
  if (Object.keys(config.sinks ?? {}).length === 0)
    problems.push({
      path: ['sinks'],
      message: 'no sink: events would have nowhere to go',
      fix: 'add one, e.g. sinks: { opensearch: { type: opensearch } }',
    });
  return problems;
}

/** Parses, interpolates `${ENV}` references, applies defaults and validates; throws a ConfigError listing every problem. */
export function parseConfig(text: string, file = '<config>', env: NodeJS.ProcessEnv = process.env): FortiemsConfig {
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
      const described = describeError(error);
      problems.push({ path: dotted(described.path), ...position(described.path), message: described.message, fix: described.fix });
    }
  } else {
    for (const problem of semanticProblems(config))
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
export function checkConfig(config: FortiemsConfig, source: string): FortiemsConfig {
  const problems: ConfigProblem[] = [];
  if (!validateSchema(config)) {
    for (const error of validateSchema.errors ?? []) {
      if (error.keyword === 'oneOf' || error.keyword === 'if') continue;
      const described = describeError(error);
      problems.push({ path: dotted(described.path), message: described.message, fix: described.fix });
    }
  } else
    for (const problem of semanticProblems(config))
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
