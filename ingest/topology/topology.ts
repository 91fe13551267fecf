/**
 * The pipeline built from a configuration: the sources, the parse → enrich stage, the sinks with their buffers, each
 * made by its factory from the component registry. `reload()` applies a new configuration component by component: a
 * source or sink whose settings changed is replaced (a replaced sink drains first, its disk spool carries over),
 * unchanged ones keep running. The service on top (app/service/) adds the HTTP server, the console and the detections.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/logging/logger.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';
import { type ComponentKind, ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { createBuffer } from '../buffers/create-buffer.js';
import { type ComponentRegistry, type SinkFactory, sinkFactory, sourceFactory } from '../components/contract.js';
import { COMPONENTS } from '../components/registry.js';
import type { FortiemsConfig, SinkConfig, SourceConfig } from '../config/types.js';
import { createEnrichStage, type EnrichStage } from '../enrich/enrich-stage.js';
import { DEFAULT_QUEUE_BYTES, DEFAULT_QUEUE_EVENTS, Pipeline } from '../pipeline/pipeline.js';
import { registerPipelineGauges } from '../pipeline/pipeline-gauges.js';
import { PARSE_COMPONENT, TapHub, type TapKind } from '../pipeline/tap-hub.js';
import { workerCount } from '../pipeline/worker-pool.js';
import type { WorkerEnrichOptions } from '../pipeline/worker-protocol.js';
import type { Sink } from '../sinks/sink.js';
import { type RunningSource, startListenerSource } from '../sources/build-sources.js';

export interface TopologyOptions {
  /** Where sinks spool and the generated TLS certificate lives, unless the configuration sets `data_dir`. */
  dataDir: string;
  registry: MetricsRegistry;
  logger: Logger;
  /** The cluster for search sinks that name no `url` (OPENSEARCH_URL or the managed node). */
  target?: OpenSearchTarget;
  /** How long a replaced sink may take to deliver what it holds (default 10 s); the rest stays spooled. */
  drainTimeoutMs?: number;
  /** The source and sink types the configuration may name (default: the shipped registry). */
  components?: ComponentRegistry;
}

/** True when some sink writes to the default cluster (names no `url`): the caller provides one (OPENSEARCH_URL or the managed node). */
export function needsDefaultCluster(config: FortiemsConfig, components: ComponentRegistry = COMPONENTS): boolean {
  return Object.values(config.sinks ?? {}).some((sink) => sinkFactory(components, sink.type).usesDefaultCluster?.(sink) === true);
}

/** A configuration's enrichment settings as plain values (the pipeline's stage, its workers', a dead-letter replay's). */
export function enrichOptionsOf(config: FortiemsConfig): WorkerEnrichOptions {
  const enrich = config.pipeline?.enrich;
  const inventory = enrich?.inventory;
  return {
    geoip: enrich?.geoip ?? true,
    ...(inventory
      ? {
          inventory: {
            url: inventory.url,
            token: inventory.token ?? '',
            ...(inventory.timeout_ms ? { timeoutMs: inventory.timeout_ms } : {}),
          },
        }
      : {}),
  };
}

export type SearchCluster = Pick<OpenSearchTarget, 'url' | 'urls' | 'username' | 'password' | 'caFile'>;

export class Topology {
  private pipeline: Pipeline | undefined;
  private enrich: EnrichStage | undefined;
  private readonly sources = new Map<string, { config: string; running: RunningSource }>();
  private readonly sinkConfigs = new Map<string, string>();
  private readonly telemetryById = new Map<string, ComponentTelemetry>();
  private config!: FortiemsConfig;
  /** Tap points (`fortiems tap`): one hub for the topology's life, so a reload keeps the taps of unchanged components. */
  readonly tap: TapHub;

  constructor(private readonly options: TopologyOptions) {
    const dropped = options.registry.counter(
      'fortiems_tap_dropped_events_total',
      'Events a tap (fortiems tap) did not show because its reader was slower than the pipeline; never a pipeline loss.',
      ['component_id'],
    );
    this.tap = new TapHub((componentId, count) => dropped.labels({ component_id: componentId }).inc(count));
  }

  /** The components a tap may name, by id: the sources, the parse stage, the sinks of the running configuration. */
  tapComponents(): Map<string, TapKind> {
    const components = new Map<string, TapKind>();
    for (const id of Object.keys(this.config?.sources ?? {})) components.set(id, 'source');
    components.set(PARSE_COMPONENT, 'transform');
    for (const id of Object.keys(this.config?.sinks ?? {})) components.set(id, 'sink');
    return components;
  }

  private get components(): ComponentRegistry {
    return this.options.components ?? COMPONENTS;
  }

  private get dataDir(): string {
    return this.config.data_dir ?? this.options.dataDir;
  }

  telemetry(id: string, kind: ComponentKind, type: string): ComponentTelemetry {
    const key = `${kind}:${id}`;
    let telemetry = this.telemetryById.get(key);
    if (!telemetry) {
      telemetry = new ComponentTelemetry(this.options.registry, { id, kind, type });
      this.telemetryById.set(key, telemetry);
    }
    return telemetry;
  }

  /** Builds and starts the sinks, the pipeline, then the sources with their own listeners (routes: `registerRoutes`). */
  async start(config: FortiemsConfig): Promise<void> {
    this.config = config;
    const workers = workerCount(config.pipeline?.workers);
    this.enrich = this.buildEnrich(config);
    // With workers, this thread's stage only serves a batch whose worker died: its GeoIP loads when first needed.
    if (workers === 0) this.enrich.preload();
    const sinks = await this.buildSinks(config);
    this.pipeline = new Pipeline({
      namespace: this.namespace(config),
      queueEvents: config.pipeline?.queue_events ?? DEFAULT_QUEUE_EVENTS,
      queueBytes: config.pipeline?.queue_bytes ?? DEFAULT_QUEUE_BYTES,
      enrich: this.enrich,
      workers,
      enrichOptions: this.enrichOptions(config),
      onWorkerCrash: (error) => this.options.logger.error({ err: error }, 'a parse worker died; its batch is parsed again'),
      sinks: sinks.map(([, sink]) => sink),
      telemetry: this.telemetry('parse', 'transform', 'parse'),
      onError: (error) => this.options.logger.error({ err: error }, 'a sink buffer refused events'),
      tap: this.tap,
    });
    registerPipelineGauges(
      this.options.registry,
      () => this.pipeline,
      () => {
        const pipeline = this.pipeline;
        return pipeline ? { metrics: () => pipeline.enrichMetrics() ?? {} } : undefined;
      },
    );
    this.pipeline.start();
    for (const [, sink] of sinks) await sink.start();
    for (const [id, source] of Object.entries(config.sources ?? {})) await this.startSource(id, source);
  }

  /** What is listening on its own socket, one line each. */
  listening(): string[] {
    return [...this.sources.values()].map(({ running }) => running.description);
  }

  /** Bound ports by source id (the route sources share the HTTP server's). */
  ports(): Record<string, number> {
    return Object.fromEntries([...this.sources].map(([id, { running }]) => [id, running.port]));
  }

  /** The route sources of a configuration: what the HTTP server is built from, besides its own settings. */
  routeSources(config: FortiemsConfig): [string, SourceConfig][] {
    return Object.entries(config.sources ?? {}).filter(([, source]) => sourceFactory(this.components, source.type).kind === 'route');
  }

  /** The URL paths the route sources take. */
  routePaths(): string[] {
    return this.routeSources(this.config).flatMap(([, source]) => {
      const factory = sourceFactory(this.components, source.type);
      return factory.kind === 'route' ? [factory.path(source)] : [];
    });
  }

  /** Mounts the route sources (the HTTP ingest API) of a configuration (default: the running one) on a server being built. */
  async registerRoutes(app: FastifyInstance, config: FortiemsConfig = this.config): Promise<void> {
    for (const [id, source] of this.routeSources(config)) {
      const factory = sourceFactory(this.components, source.type);
      if (factory.kind !== 'route') continue;
      await factory.register(app, id, source, {
        intake: this.pipeline as Pipeline,
        telemetry: this.telemetry(id, 'source', source.type),
        pipelineZone: config.pipeline?.timezone ?? 'UTC',
        dataDir: this.dataDir,
      });
    }
  }

  /** The namespace of the first search sink: forwarding sinks have none. */
  namespace(config: FortiemsConfig): string {
    const found = this.firstSink(config, 'namespace');
    return found?.factory.namespace?.(found.config) ?? 'default';
  }

  /** The cluster the console and the detections read: the first OpenSearch sink's, else the default target. */
  searchCluster(config: FortiemsConfig): SearchCluster | undefined {
    const found = this.firstSink(config, 'searchCluster');
    return found?.factory.searchCluster?.(found.config) ?? this.options.target;
  }

  /** Every search sink's cluster and namespace, each pair once: what fortiems' own retention looks after. */
  searchTargets(config: FortiemsConfig): { cluster: SearchCluster; namespace: string }[] {
    const targets = new Map<string, { cluster: SearchCluster; namespace: string }>();
    for (const sink of Object.values(config.sinks ?? {})) {
      const factory = sinkFactory(this.components, sink.type);
      if (!factory.searchCluster || !factory.namespace) continue;
      const cluster = factory.searchCluster(sink) ?? this.options.target;
      if (!cluster) continue;
      const namespace = factory.namespace(sink);
      targets.set(JSON.stringify([cluster.urls ?? [cluster.url], namespace]), { cluster, namespace });
    }
    return [...targets.values()];
  }

  /** The first sink whose factory has `capability` (a search cluster to read, a namespace). */
  private firstSink(
    config: FortiemsConfig,
    capability: 'searchCluster' | 'namespace',
  ): { factory: SinkFactory; config: SinkConfig } | undefined {
    for (const sink of Object.values(config.sinks ?? {})) {
      const factory = sinkFactory(this.components, sink.type);
      if (factory[capability]) return { factory, config: sink };
    }
    return undefined;
  }

  private buildEnrich(config: FortiemsConfig): EnrichStage {
    return createEnrichStage(this.enrichOptions(config));
  }

  /** The enrichment settings as plain values: this thread's stage and each parse worker's are built from them. */
  private enrichOptions(config: FortiemsConfig): WorkerEnrichOptions {
    return enrichOptionsOf(config);
  }

  private async buildSinks(config: FortiemsConfig): Promise<[string, Sink][]> {
    const built: [string, Sink][] = [];
    for (const [id, sinkConfig] of Object.entries(config.sinks ?? {})) {
      built.push([id, await this.buildSink(id, sinkConfig)]);
      this.sinkConfigs.set(id, JSON.stringify(sinkConfig));
    }
    return built;
  }

  private async buildSink(id: string, config: SinkConfig): Promise<Sink> {
    const logger = this.options.logger.child({ component_id: id, component_kind: 'sink' });
    const buffer = await createBuffer(config.buffer ?? {}, join(this.dataDir, 'spool', id), {
      onWarning: (message) => logger.warn(message),
    });
    return sinkFactory(this.components, config.type).create(id, config, {
      buffer,
      registry: this.options.registry,
      dataDir: this.dataDir,
      logger,
      ...(this.options.target ? { target: this.options.target } : {}),
    });
  }

  private async startSink(id: string, config: SinkConfig): Promise<Sink> {
    const sink = await this.buildSink(id, config);
    await sink.start();
    this.sinkConfigs.set(id, JSON.stringify(config));
    return sink;
  }

  /** Starts a source with its own listener; a route source is mounted with the server instead (`registerRoutes`). */
  private async startSource(id: string, config: SourceConfig): Promise<void> {
    const running = await startListenerSource(this.components, id, config, {
      intake: this.pipeline as Pipeline,
      telemetry: this.telemetry(id, 'source', config.type),
      pipelineZone: this.config.pipeline?.timezone ?? 'UTC',
      dataDir: this.dataDir,
      registry: this.options.registry,
    });
    if (!running) return;
    this.sources.set(id, { config: JSON.stringify([config, this.config.pipeline?.timezone]), running });
    this.options.logger.info({ component_id: id }, `listening: ${running.description}`);
  }

  /**
   * Applies a new configuration to the pipeline: enrichment, sources and sinks whose settings changed are replaced
   * (a replaced sink drains first; its spool carries over), unchanged ones keep running. Queue size needs a restart.
   * Returns what changed, one line each.
   */
  async reload(config: FortiemsConfig): Promise<string[]> {
    const pipeline = this.pipeline as Pipeline;
    const changes: string[] = [];
    const previous = this.config;
    this.config = config;
    if (JSON.stringify(previous.pipeline?.queue_events) !== JSON.stringify(config.pipeline?.queue_events))
      changes.push('pipeline.queue_events changes at the next restart');
    if (previous.pipeline?.queue_bytes !== config.pipeline?.queue_bytes) changes.push('pipeline.queue_bytes changes at the next restart');
    if (previous.pipeline?.workers !== config.pipeline?.workers) changes.push('pipeline.workers changes at the next restart');
    if (JSON.stringify(previous.pipeline?.enrich) !== JSON.stringify(config.pipeline?.enrich)) {
      this.enrich = this.buildEnrich(config);
      pipeline.setEnrich(this.enrich, this.enrichOptions(config));
      changes.push('pipeline.enrich replaced');
    }
    for (const [id, { config: before, running }] of [...this.sources]) {
      const next = config.sources?.[id];
      if (next && JSON.stringify([next, config.pipeline?.timezone]) === before) continue;
      await running.stop();
      this.sources.delete(id);
      changes.push(`sources.${id} stopped`);
    }
    for (const [id, source] of Object.entries(config.sources ?? {})) {
      if (this.sources.has(id)) continue;
      await this.startSource(id, source);
      if (this.sources.has(id)) changes.push(`sources.${id} started`);
    }
    await pipeline.replaceSinks(async (current) => {
      const next: Sink[] = [];
      const wanted = new Map(Object.entries(config.sinks ?? {}));
      for (const sink of current) {
        const sinkConfig = wanted.get(sink.id);
        if (sinkConfig && JSON.stringify(sinkConfig) === this.sinkConfigs.get(sink.id)) next.push(sink);
        else {
          await sink.stop(this.options.drainTimeoutMs ?? 10_000);
          this.sinkConfigs.delete(sink.id);
          changes.push(`sinks.${sink.id} stopped`);
        }
      }
      for (const [id, sinkConfig] of wanted) {
        if (this.sinkConfigs.has(id)) continue;
        try {
          next.push(await this.startSink(id, sinkConfig));
          changes.push(`sinks.${id} started`);
        } catch (error) {
          // The new settings do not work (unwritable spool, bad CA file, …): keep delivering with the old ones.
          const before = previous.sinks?.[id];
          this.options.logger.error({ err: error, component_id: id }, 'reload: the new sink settings failed; keeping the previous ones');
          if (!before) throw error;
          next.push(await this.startSink(id, before));
          changes.push(`sinks.${id} kept its previous settings (the new ones failed)`);
        }
      }
      return next;
    });
    return changes;
  }

  /** Whether each sink's target answers, keyed `sink:<id>`, and whether the pipeline runs. */
  async checks(): Promise<Record<string, boolean>> {
    const checks: Record<string, boolean> = {};
    for (const sink of this.pipeline?.currentSinks() ?? []) checks[`sink:${sink.id}`] = await sink.ready().catch(() => false);
    checks.pipeline = Boolean(this.pipeline);
    return checks;
  }

  /** Stops the listeners: no new events come in. */
  async stopSources(): Promise<void> {
    for (const { running } of this.sources.values()) await running.stop();
    this.sources.clear();
  }

  /** Parses what is queued into the sink buffers (bounded by the caller: a full spool blocks until the sinks close). */
  async stopPipeline(): Promise<void> {
    this.tap.closeAll();
    await this.pipeline?.stop();
  }

  /** Lets each sink deliver what it holds within `timeoutMs`, then closes it; the rest stays spooled. */
  async stopSinks(timeoutMs: number): Promise<void> {
    await Promise.all((this.pipeline?.currentSinks() ?? []).map((sink) => sink.stop(timeoutMs)));
  }
}
