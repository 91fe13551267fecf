import { join } from 'node:path';
import { consolePlugin } from '../../dashboards/console/server/index.js';
import type { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { startDetections } from '../../detections/runtime/start-detections.js';
import { createBuffer } from '../../ingest/buffers/create-buffer.js';
import type { FortiemsConfig, HttpSourceConfig, SearchSinkConfig, SinkConfig, SyslogSourceConfig } from '../../ingest/config/types.js';
import { createEnrichStage, type EnrichStage } from '../../ingest/enrich/enrich-stage.js';
import { createSyslogSink } from '../../ingest/forward/create-syslog-sink.js';
import { DEFAULT_QUEUE_BYTES, Pipeline } from '../../ingest/pipeline/pipeline.js';
import { registerPipelineGauges } from '../../ingest/pipeline/pipeline-gauges.js';
import { createSearchSink } from '../../ingest/sinks/search/create-search-sink.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import type { SearchTarget } from '../../ingest/sinks/search/search-driver.js';
import type { Sink } from '../../ingest/sinks/sink.js';
import { type RunningSource, startSyslogSource } from '../../ingest/sources/build-sources.js';
import { httpSource } from '../../ingest/sources/http-source.js';
import { createHttpServer, type HttpServer } from '../../platform/http/http-server.js';
import { opsRoutes } from '../../platform/http/ops-routes.js';
import type { Logger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';
import { type ComponentKind, ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { consolePassword } from './console-credentials.js';

export interface IngestServiceOptions {
  /** Where sinks spool and the generated TLS certificate lives, unless the configuration sets `data_dir`. */
  dataDir: string;
  /** The cluster for search sinks that name no `url` (OPENSEARCH_URL or the managed node). */
  target?: OpenSearchTarget;
  logger: Logger;
  /** How long a stop waits for the sinks to deliver what they hold (default 10 s); the rest stays spooled. */
  drainTimeoutMs?: number;
}

/**
 * An OpenSearch sink's cluster gets our templates and data streams for its namespace before the first event (retried
 * until it answers), so no event lands in an index with guessed mappings. Elasticsearch clusters are left as they are:
 * the generated templates use OpenSearch's `flat_object`.
 */
async function installSinkMappings(target: SearchTarget, namespace: string, logger: Logger): Promise<void> {
  // Short and without the client's own retries: the sink helper retries a failed setup with its backoff.
  const client = createOpenSearchClient(target, { requestTimeoutMs: 10_000, maxRetries: 0 });
  try {
    const result = await installMappings(client, { namespace });
    for (const warning of result.warnings) logger.warn(warning);
    logger.info({ namespace }, 'index templates and data streams in place');
  } finally {
    await client.close();
  }
}

/**
 * The pipeline as a running service, built from one configuration: the sources, the parse → enrich stage, the sinks
 * with their buffers, and the one HTTP server (ingest API, /metrics, /health, /ready). `reload()` applies a new
 * configuration component by component; `stop()` drains.
 */
export class IngestService {
  /** prom-client's registry for this service (with the standard process and Node metrics), not the global one. */
  readonly registry = new MetricsRegistry({ processMetrics: true });
  private pipeline: Pipeline | undefined;
  private enrich: EnrichStage | undefined;
  private readonly sources = new Map<string, { config: string; running: RunningSource }>();
  private sinkConfigs = new Map<string, string>();
  private http: HttpServer | undefined;
  private httpConfig = '';
  private consoleNote: string | undefined;
  private detections: DetectionScheduler | undefined;
  /** The HTTP server's base URL once it listens. */
  httpUrl: string | undefined;
  private readonly telemetryById = new Map<string, ComponentTelemetry>();
  private config!: FortiemsConfig;
  private stopping = false;
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IngestServiceOptions) {}

  private get dataDir(): string {
    return this.config.data_dir ?? this.options.dataDir;
  }

  telemetry(id: string, kind: ComponentKind, type: string): ComponentTelemetry {
    const key = `${kind}:${id}`;
    let telemetry = this.telemetryById.get(key);
    if (!telemetry) {
      telemetry = new ComponentTelemetry(this.registry, { id, kind, type });
      this.telemetryById.set(key, telemetry);
    }
    return telemetry;
  }

  /** What is listening, one line each, for the start-up banner. */
  listening(): string[] {
    const lines = [...this.sources.values()].map(({ running }) => running.description);
    if (this.httpUrl)
      lines.push(`http ${this.httpUrl} (ingest API ${this.httpIngestPaths().join(', ') || 'off'}, /metrics, /health, /ready)`);
    if (this.httpUrl && this.consoleNote) lines.push(`console ${this.httpUrl}/console/ (${this.consoleNote})`);
    return lines;
  }

  /** Bound ports by source id (the HTTP sources share the HTTP server's). */
  ports(): Record<string, number> {
    return Object.fromEntries([...this.sources].map(([id, { running }]) => [id, running.port]));
  }

  private httpIngestPaths(): string[] {
    return Object.values(this.config.sources ?? {})
      .filter((source): source is HttpSourceConfig => source.type === 'http')
      .map((source) => source.path ?? '/ingest');
  }

  async start(config: FortiemsConfig): Promise<void> {
    this.config = config;
    this.enrich = this.buildEnrich(config);
    this.enrich?.preload();
    const sinks = await this.buildSinks(config);
    this.pipeline = new Pipeline({
      namespace: this.namespaceOf(config),
      queueEvents: config.pipeline?.queue_events ?? 20_000,
      queueBytes: config.pipeline?.queue_bytes ?? DEFAULT_QUEUE_BYTES,
      enrich: this.enrich,
      sinks: sinks.map(([, sink]) => sink),
      telemetry: this.telemetry('parse', 'transform', 'parse'),
      onError: (error) => this.options.logger.error({ err: error }, 'a sink buffer refused events'),
    });
    registerPipelineGauges(
      this.registry,
      () => this.pipeline,
      () => this.enrich,
    );
    this.pipeline.start();
    for (const [, sink] of sinks) await sink.start();
    for (const [id, source] of Object.entries(config.sources ?? {})) if (source.type === 'syslog') await this.startSource(id, source);
    await this.startHttp(config);
    await this.startDetections(config);
  }

  /** The cluster the console and the detections read: the first OpenSearch sink's, else the default target. */
  private searchTarget(config: FortiemsConfig): Pick<OpenSearchTarget, 'url' | 'username' | 'password' | 'caFile'> | undefined {
    const sink = Object.values(config.sinks ?? {}).find((candidate): candidate is SearchSinkConfig => candidate.type === 'opensearch');
    return sink?.url ? { url: sink.url, username: sink.username, password: sink.password, caFile: sink.ca_file } : this.options.target;
  }

  private async stopDetections(): Promise<void> {
    const detections = this.detections;
    this.detections = undefined;
    // Never in the way of the rest of a stop or a reload: its outputs drain within the timeout, or stay spooled.
    await detections?.stop().catch((error: unknown) => this.options.logger.error({ err: error }, 'stopping the detections failed'));
  }

  private async startDetections(config: FortiemsConfig): Promise<void> {
    const section = config.detections;
    const target = this.searchTarget(config);
    if (!section || section.enabled === false || !target) return;
    this.detections = await startDetections(section, {
      target,
      namespace: this.namespaceOf(config),
      dataDir: this.dataDir,
      registry: this.registry,
      logger: this.options.logger,
      ...(this.options.drainTimeoutMs !== undefined ? { drainTimeoutMs: this.options.drainTimeoutMs } : {}),
    });
  }

  /** The namespace of the first search sink: forwarding sinks have none. */
  private namespaceOf(config: FortiemsConfig): string {
    const first = Object.values(config.sinks ?? {}).find((sink): sink is SearchSinkConfig => sink.type !== 'syslog');
    return first?.namespace ?? 'default';
  }

  private buildEnrich(config: FortiemsConfig): EnrichStage {
    const enrich = config.pipeline?.enrich;
    const inventory = enrich?.inventory;
    return createEnrichStage({
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
    });
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
    // A forwarding sink needs no cluster: its target is the syslog receiver in its own configuration.
    if (config.type === 'syslog') return createSyslogSink(id, config, { buffer, registry: this.registry, dataDir: this.dataDir, logger });
    return createSearchSink(id, config, {
      buffer,
      ...(config.type === 'opensearch' ? { setup: (target) => installSinkMappings(target, config.namespace ?? 'default', logger) } : {}),
      registry: this.registry,
      ...(this.options.target ? { target: this.options.target } : {}),
      logger,
    });
  }

  private async startSink(id: string, config: SinkConfig): Promise<Sink> {
    const sink = await this.buildSink(id, config);
    await sink.start();
    this.sinkConfigs.set(id, JSON.stringify(config));
    return sink;
  }

  private async startSource(id: string, config: SyslogSourceConfig): Promise<void> {
    const pipeline = this.pipeline as Pipeline;
    const running = await startSyslogSource(id, config, {
      intake: pipeline,
      telemetry: this.telemetry(id, 'source', 'syslog'),
      pipelineZone: this.config.pipeline?.timezone ?? 'UTC',
      dataDir: this.dataDir,
    });
    this.sources.set(id, { config: JSON.stringify([config, this.config.pipeline?.timezone]), running });
    this.options.logger.info({ component_id: id }, `listening: ${running.description}`);
  }

  private async startHttp(config: FortiemsConfig): Promise<void> {
    const pipeline = this.pipeline as Pipeline;
    const server = createHttpServer({
      address: config.http?.address ?? '127.0.0.1:8080',
      trustProxy: config.http?.trust_proxy,
      logger: this.options.logger.child({ component: 'http' }),
    });
    await server.app.register(opsRoutes, {
      metrics: this.registry,
      metricsToken: config.http?.metrics_token,
      ready: () => this.readiness(),
    });
    await this.registerConsole(server, config);
    for (const [id, source] of Object.entries(config.sources ?? {})) {
      if (source.type !== 'http') continue;
      await server.app.register(httpSource, {
        id,
        path: source.path ?? '/ingest',
        ...(source.token ? { token: source.token } : {}),
        maxBodyBytes: source.max_body_bytes ?? 10_485_760,
        ...(source.body_timeout_ms !== undefined ? { bodyTimeoutMs: source.body_timeout_ms } : {}),
        zone: source.timezone ?? config.pipeline?.timezone ?? 'UTC',
        intake: pipeline,
        telemetry: this.telemetry(id, 'source', 'http'),
      });
    }
    this.httpUrl = await server.listen();
    this.http = server;
    this.httpConfig = this.httpConfigKey(config);
    this.options.logger.info({ url: this.httpUrl }, `http listening on ${this.httpUrl}`);
  }

  /**
   * The web console on the same server, reading from the first OpenSearch sink's cluster and, when the enrichment knows
   * the EMS core's admin API, tuning its log settings. Never anonymous: without a configured password one is generated.
   */
  private async registerConsole(server: HttpServer, config: FortiemsConfig): Promise<void> {
    this.consoleNote = undefined;
    if (config.console?.enabled === false) return;
    const target = this.searchTarget(config);
    if (!target) return;
    const adminUser = config.console?.admin_user ?? 'admin';
    const { password, file, generated } = consolePassword(config.console?.admin_password, this.dataDir);
    const inventory = config.pipeline?.enrich?.inventory;
    await server.app.register(consolePlugin, {
      opensearch: target,
      adminUser,
      adminPassword: password,
      ...(inventory?.token ? { emsApi: { url: inventory.url, token: inventory.token } } : {}),
    });
    // The secret is shown the one time it is made: start-up banners end up in terminals' scrollback and service logs.
    const where = generated ? `${password} (generated; kept in ${file})` : `in ${file}`;
    this.consoleNote = `user ${adminUser}, password ${file ? where : 'from the configuration'}`;
  }

  /** What the HTTP server is built from: a change to any of it rebuilds the server on reload. */
  private httpConfigKey(config: FortiemsConfig): string {
    const httpSources = Object.entries(config.sources ?? {}).filter(([, source]) => source.type === 'http');
    return JSON.stringify([config.http, httpSources, config.pipeline?.timezone, config.console, config.pipeline?.enrich?.inventory]);
  }

  /** Ready when every sink's target answers; the ingest API answers 503 until then. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const sink of this.pipeline?.currentSinks() ?? []) checks[`sink:${sink.id}`] = await sink.ready().catch(() => false);
    checks.pipeline = Boolean(this.pipeline) && !this.stopping;
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  /**
   * Applies a new configuration without a restart: sources and sinks whose settings changed are replaced (a replaced
   * sink drains first; its spool carries over), unchanged ones keep running. Queue size needs a restart.
   */
  async reload(config: FortiemsConfig): Promise<string[]> {
    // One reload at a time (two SIGHUPs in a row), and none once a stop has begun.
    const run = this.reloading.then(() => {
      if (this.stopping) throw new Error('the pipeline is stopping: reload refused');
      return this.applyReload(config);
    });
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async applyReload(config: FortiemsConfig): Promise<string[]> {
    const pipeline = this.pipeline as Pipeline;
    const changes: string[] = [];
    const previous = this.config;
    this.config = config;
    if (JSON.stringify(previous.pipeline?.queue_events) !== JSON.stringify(config.pipeline?.queue_events))
      changes.push('pipeline.queue_events changes at the next restart');
    if (previous.pipeline?.queue_bytes !== config.pipeline?.queue_bytes) changes.push('pipeline.queue_bytes changes at the next restart');
    if (JSON.stringify(previous.pipeline?.enrich) !== JSON.stringify(config.pipeline?.enrich)) {
      this.enrich = this.buildEnrich(config);
      pipeline.setEnrich(this.enrich);
      changes.push('pipeline.enrich replaced');
    }
    for (const [id, { config: before, running }] of [...this.sources]) {
      const next = config.sources?.[id];
      if (next?.type === 'syslog' && JSON.stringify([next, config.pipeline?.timezone]) === before) continue;
      await running.stop();
      this.sources.delete(id);
      changes.push(`sources.${id} stopped`);
    }
    for (const [id, source] of Object.entries(config.sources ?? {})) {
      if (source.type !== 'syslog' || this.sources.has(id)) continue;
      await this.startSource(id, source);
      changes.push(`sources.${id} started`);
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
    const httpConfig = this.httpConfigKey(config);
    if (httpConfig !== this.httpConfig) {
      await this.http?.close();
      this.http = undefined;
      await this.startHttp(config);
      changes.push('http restarted');
    }
    // Always rebuilt: a reload is also how edited rule files are read again.
    if (this.detections || config.detections) {
      await this.stopDetections();
      try {
        await this.startDetections(config);
        changes.push(this.detections ? 'detections restarted (rules read again)' : 'detections stopped');
      } catch (error) {
        // Like a sink: new settings that do not work (a bad rules path, an output's CA file) keep the previous ones.
        this.options.logger.error({ err: error }, 'reload: the new detection settings failed; keeping the previous ones');
        await this.startDetections(previous);
        changes.push('detections kept their previous settings (the new ones failed)');
      }
    }
    return changes;
  }

  /** SIGTERM: stop listening, parse what is queued into the sink buffers, let the sinks deliver (bounded), close. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.reloading;
    await this.stopDetections();
    for (const { running } of this.sources.values()) await running.stop();
    this.sources.clear();
    const timeout = this.options.drainTimeoutMs ?? 10_000;
    // Bounded: with a full spool (target down, when_full: block) the parse stage cannot finish until the sinks close
    // their buffers, which rejects the blocked writes (counted) and lets everything settle.
    const upstream = Promise.all([this.http?.close(), this.pipeline?.stop()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([upstream, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
    clearTimeout(timer);
    await Promise.all((this.pipeline?.currentSinks() ?? []).map((sink) => sink.stop(timeout)));
    await upstream;
  }
}
