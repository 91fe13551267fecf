/**
 * The component contract (after the OpenTelemetry Collector's factories and Vector's component specs). Each source and
 * sink type is one factory that owns everything about the type: its schema fragment (validated with the rest of the
 * file, so messages keep file:line:column), its defaults, its semantic checks, and how to make a running component.
 * The configuration schema, `load-config.ts` and the service look a type up in a registry (`registry.ts`) and never
 * branch on type names.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/logging/logger.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import type { EventBuffer } from '../buffers/event-buffer.js';
import type { FortiemsConfig } from '../config/types.js';
import type { PipelineIntake } from '../pipeline/raw-line.js';
import type { Sink } from '../sinks/sink.js';

/** What every component's configuration has: the `type` that selects its factory. */
export interface ComponentConfig {
  type: string;
}

/** A JSON-schema object fragment for one type: `properties.type` is `{ const: <type> }` (the discriminator's tag). */
export interface ComponentSchema {
  readonly type: 'object';
  readonly required: readonly string[];
  readonly properties: { readonly type: { readonly const: string } } & Readonly<Record<string, unknown>>;
  readonly [keyword: string]: unknown;
}

/** One problem a semantic check finds: where (a path from the top of the file), what, and how to fix it. */
export interface ComponentProblem {
  path: (string | number)[];
  message: string;
  fix: string;
  /** 0-based character offset inside the value at `path` (a filter query's syntax error), for an exact column. */
  offset?: number;
}

/** What a semantic check sees: the whole configuration (defaults applied) and where this component is written. */
export interface CheckContext {
  config: FortiemsConfig;
  /** e.g. `['sinks', 'siem']`: prefix every problem's path with it. */
  path: readonly (string | number)[];
}

/** The part every factory has, whatever it makes. */
export interface ComponentSpec<C extends ComponentConfig> {
  readonly type: string;
  readonly schema: ComponentSchema;
  /** The defaults the schema applies (read from `schema`: see `schemaDefaults`). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Checks the schema cannot express; called only on a configuration the schema accepted. */
  check?(config: C, context: CheckContext): ComponentProblem[];
}

/** A running listener, whatever its protocol. */
export interface RunningSource {
  readonly id: string;
  readonly description: string;
  /** The bound port (useful when the configuration asked for 0). */
  readonly port: number;
  stop(): Promise<void>;
}

export interface SourceContext {
  intake: PipelineIntake;
  telemetry: ComponentTelemetry;
  /** Zone of zone-less times when the source sets none. */
  pipelineZone: string;
  dataDir: string;
  /** The service's metrics, for a source with gauges of its own (the Kafka consumer lag). */
  registry?: MetricsRegistry;
}

/** A source with its own socket: started, and on reload replaced, on its own. */
export interface ListenerSourceFactory<C extends ComponentConfig = ComponentConfig> extends ComponentSpec<C> {
  readonly kind: 'listener';
  /** The port it binds, so two listeners that would collide are refused at validation. */
  listensOn?(config: C): { protocol: 'udp' | 'tcp'; port: string | undefined };
  start(id: string, config: C, context: SourceContext): Promise<RunningSource>;
}

/** A source that is a route on the one HTTP server: mounted, and on reload rebuilt, with the server. */
export interface RouteSourceFactory<C extends ComponentConfig = ComponentConfig> extends ComponentSpec<C> {
  readonly kind: 'route';
  /** The URL path it takes, for the start-up banner. */
  path(config: C): string;
  register(app: FastifyInstance, id: string, config: C, context: SourceContext): Promise<void>;
}

export type SourceFactory<C extends ComponentConfig = ComponentConfig> = ListenerSourceFactory<C> | RouteSourceFactory<C>;

export interface SinkContext {
  /** The sink's buffer (`config.buffer`, default a disk spool under `<data_dir>/spool/<id>`), opened; the sink closes it. */
  buffer: EventBuffer;
  registry: MetricsRegistry;
  dataDir: string;
  logger: Logger;
  /** The default cluster (OPENSEARCH_URL or the managed node), for a search sink that names no `url`. */
  target?: OpenSearchTarget;
}

export interface SinkFactory<C extends ComponentConfig = ComponentConfig> extends ComponentSpec<C> {
  create(id: string, config: C, context: SinkContext): Sink | Promise<Sink>;
  /** A search sink's namespace; the pipeline's (and the alerts') is the first such sink's. */
  namespace?(config: C): string;
  /**
   * The OpenSearch cluster this sink writes to, if the console and the detections can read it there (`undefined`: the
   * default cluster). The first sink with this decides.
   */
  searchCluster?(config: C): Pick<OpenSearchTarget, 'url' | 'urls' | 'username' | 'password' | 'caFile'> | undefined;
  /** True when this sink writes to the default cluster (it names no `url` or `urls`), which must then be provided or started. */
  usesDefaultCluster?(config: C): boolean;
}

/** One registry per kind: one line per type. */
export interface ComponentRegistry {
  readonly sources: readonly SourceFactory[];
  readonly sinks: readonly SinkFactory[];
}

function lookup<F extends { type: string }>(factories: readonly F[], kind: string, type: string): F {
  const factory = factories.find((candidate) => candidate.type === type);
  if (!factory) throw new Error(`no ${kind} type '${type}' (known: ${factories.map((candidate) => candidate.type).join(', ')})`);
  return factory;
}

export const sourceFactory = (registry: ComponentRegistry, type: string): SourceFactory => lookup(registry.sources, 'source', type);
export const sinkFactory = (registry: ComponentRegistry, type: string): SinkFactory => lookup(registry.sinks, 'sink', type);

/** The `default` values of a schema fragment's properties, nested objects included (the factory's `defaults`). */
export function schemaDefaults(schema: { properties?: Readonly<Record<string, unknown>> }): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const node = property as { default?: unknown; properties?: Readonly<Record<string, unknown>> };
    if (node.default !== undefined) defaults[key] = node.default;
    else if (node.properties) {
      const nested = schemaDefaults(node);
      if (Object.keys(nested).length > 0) defaults[key] = nested;
    }
  }
  return defaults;
}
