import { consolePlugin } from '../../dashboards/console/server/index.js';
import { changeAlert } from '../../detections/runtime/alert-workflow.js';
import type { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { startDetections } from '../../detections/runtime/start-detections.js';
import type { ComponentRegistry } from '../../ingest/components/contract.js';
import type { FortiemsConfig } from '../../ingest/config/types.js';
import { RetentionScheduler } from '../../ingest/sinks/search/retention/retention-scheduler.js';
import { Topology } from '../../ingest/topology/topology.js';
import { waitAtMost } from '../../platform/concurrency/wait-at-most.js';
import { ActionableError } from '../../platform/errors.js';
import { createHttpServer, DEFAULT_HTTP_MAX_CONNECTIONS, type HttpServer } from '../../platform/http/http-server.js';
import { opsRoutes } from '../../platform/http/ops-routes.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { OpenSearchTarget } from '../../platform/opensearch/target.js';
import type { ComponentKind, ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { consolePassword, tapToken } from './console-credentials.js';
import { consoleDeadLetters } from './console-dead-letters.js';
import { SystemSnapshotter } from './system-snapshot.js';
import { tapRoute } from './tap-route.js';

export interface IngestServiceOptions {
  /** Where sinks spool and the generated TLS certificate lives, unless the configuration sets `data_dir`. */
  dataDir: string;
  /** The cluster for search sinks that name no `url` (OPENSEARCH_URL or the managed node). */
  target?: OpenSearchTarget;
  logger: Logger;
  /** How long a stop waits for the sinks to deliver what they hold (default 10 s); the rest stays spooled. */
  drainTimeoutMs?: number;
  /** The source and sink types the configuration may name (default: the shipped registry; tests add their own). */
  components?: ComponentRegistry;
}

/**
 * The product as a running service, composed from one configuration: the pipeline (ingest/topology: sources, parse →
 * enrich, sinks), the one HTTP server (ingest API routes, /metrics, /health, /ready, the console) and the detections.
 * `reload()` applies a new configuration component by component; `stop()` drains.
 */
export class IngestService {
  /** prom-client's registry for this service (with the standard process and Node metrics), not the global one. */
  readonly registry = new MetricsRegistry({ processMetrics: true });
  private readonly topology: Topology;
  private http: HttpServer | undefined;
  private httpConfig = '';
  /** The configuration the running HTTP server was built from: what a failed reload goes back to. */
  private httpBuiltFrom: FortiemsConfig | undefined;
  private consoleNote: string | undefined;
  private detections: DetectionScheduler | undefined;
  private retention: RetentionScheduler | undefined;
  /** The HTTP server's base URL once it listens. */
  httpUrl: string | undefined;
  private config!: FortiemsConfig;
  private stopping = false;
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly refusedHttpConnections = this.registry.counter(
    'fortiems_http_refused_connections_total',
    'Connections the HTTP server closed on arrival: http.max_connections were open.',
  );

  /** The console's System page: one for the service's life, so its rates compare with the previous read. */
  private readonly system = new SystemSnapshotter({
    registry: this.registry,
    // The alert outputs are sinks too, with buffers of their own.
    bufferTypes: () =>
      new Map(
        [...Object.entries(this.config?.detections?.outputs ?? {}), ...Object.entries(this.config?.sinks ?? {})].map(
          ([id, sink]) => [id, sink.buffer?.type ?? 'disk'] as const,
        ),
      ),
  });

  constructor(private readonly options: IngestServiceOptions) {
    this.topology = new Topology({
      dataDir: options.dataDir,
      registry: this.registry,
      logger: options.logger,
      ...(options.target ? { target: options.target } : {}),
      ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
      ...(options.components ? { components: options.components } : {}),
    });
  }

  private get dataDir(): string {
    return this.config.data_dir ?? this.options.dataDir;
  }

  telemetry(id: string, kind: ComponentKind, type: string): ComponentTelemetry {
    return this.topology.telemetry(id, kind, type);
  }

  /** What is listening, one line each, for the start-up banner. */
  listening(): string[] {
    const lines = this.topology.listening();
    if (this.httpUrl)
      lines.push(`http ${this.httpUrl} (ingest API ${this.topology.routePaths().join(', ') || 'off'}, /metrics, /health, /ready, /tap)`);
    if (this.httpUrl && this.consoleNote) lines.push(`console ${this.httpUrl}/console/ (${this.consoleNote})`);
    return lines;
  }

  /** Bound ports by source id (the HTTP sources share the HTTP server's). */
  ports(): Record<string, number> {
    return this.topology.ports();
  }

  async start(config: FortiemsConfig): Promise<void> {
    this.config = config;
    await this.topology.start(config);
    await this.startHttp(config);
    await this.startDetections(config);
    this.startRetention(config);
  }

  /** fortiems' own retention of the search sinks' data streams (where ISM does not do it, unless configured). */
  private startRetention(config: FortiemsConfig): void {
    this.retention = new RetentionScheduler({
      config: config.retention,
      targets: this.topology.searchTargets(config),
      registry: this.registry,
      logger: this.options.logger,
    });
    this.retention.start();
  }

  private async stopRetention(): Promise<void> {
    const retention = this.retention;
    this.retention = undefined;
    await retention?.stop();
  }

  private async stopDetections(): Promise<void> {
    const detections = this.detections;
    this.detections = undefined;
    // Never in the way of the rest of a stop or a reload: its outputs drain within the timeout, or stay spooled.
    await detections?.stop().catch((error: unknown) => this.options.logger.error({ err: error }, 'stopping the detections failed'));
  }

  private async startDetections(config: FortiemsConfig): Promise<void> {
    const section = config.detections;
    const target = this.topology.searchCluster(config);
    if (!section || section.enabled === false || !target) return;
    this.detections = await startDetections(section, {
      target,
      namespace: this.topology.namespace(config),
      dataDir: this.dataDir,
      registry: this.registry,
      logger: this.options.logger,
      ...(this.options.drainTimeoutMs !== undefined ? { drainTimeoutMs: this.options.drainTimeoutMs } : {}),
    });
  }

  private async startHttp(config: FortiemsConfig): Promise<void> {
    await this.listenHttp(await this.buildHttp(config), config);
  }

  /** The HTTP server with its routes, not yet listening: a setting it cannot take fails here, before anything closes. */
  private async buildHttp(config: FortiemsConfig): Promise<HttpServer> {
    let server: HttpServer;
    try {
      server = createHttpServer({
        address: config.http?.address ?? '127.0.0.1:8080',
        trustProxy: config.http?.trust_proxy,
        maxConnections: config.http?.max_connections ?? DEFAULT_HTTP_MAX_CONNECTIONS,
        onConnectionRefused: () => this.refusedHttpConnections.inc(),
        logger: this.options.logger.child({ component: 'http' }),
      });
    } catch (error) {
      throw new ActionableError(
        `http: ${(error as Error).message}`,
        "fix the http section (trust_proxy takes IP addresses or CIDRs, comma-separated, loopback, or true); 'fortiems validate' checks it",
      );
    }
    try {
      await server.app.register(opsRoutes, {
        metrics: this.registry,
        metricsToken: config.http?.metrics_token,
        ready: () => this.readiness(),
      });
      await server.app.register(tapRoute, {
        hub: this.topology.tap,
        components: () => this.topology.tapComponents(),
        token: tapToken(config.http?.tap_token, this.dataDir).password,
      });
      await this.registerConsole(server, config);
      await this.topology.registerRoutes(server.app, config);
      await server.app.ready();
    } catch (error) {
      await server.close().catch(() => undefined);
      throw error;
    }
    return server;
  }

  private async listenHttp(server: HttpServer, config: FortiemsConfig): Promise<void> {
    try {
      this.httpUrl = await server.listen();
    } catch (error) {
      await server.close().catch(() => undefined);
      throw error;
    }
    this.http = server;
    this.httpBuiltFrom = config;
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
    const target = this.topology.searchCluster(config);
    if (!target) return;
    const adminUser = config.console?.admin_user ?? 'admin';
    const { password, file, generated } = consolePassword(config.console?.admin_password, this.dataDir);
    const inventory = config.pipeline?.enrich?.inventory;
    const deadLetters = consoleDeadLetters(config, this.options.target);
    await server.app.register(consolePlugin, {
      opensearch: target,
      adminUser,
      adminPassword: password,
      // Alerts are worked in the console through the runtime's one function, whether or not detections run here.
      changeAlert,
      systemSnapshot: () => this.system.read(),
      // Dead letters are read and replayed through ingest/dead-letters/, which the console may not import.
      ...(deadLetters ? { deadLetters } : {}),
      ...(inventory?.token ? { emsApi: { url: inventory.url, token: inventory.token } } : {}),
    });
    // The secret is shown the one time it is made: start-up banners end up in terminals' scrollback and service logs.
    const where = generated ? `${password} (generated; kept in ${file})` : `in ${file}`;
    this.consoleNote = `user ${adminUser}, password ${file ? where : 'from the configuration'}`;
  }

  /** What the HTTP server is built from: a change to any of it rebuilds the server on reload. */
  private httpConfigKey(config: FortiemsConfig): string {
    const httpSources = this.topology.routeSources(config);
    return JSON.stringify([
      config.http,
      config.data_dir,
      httpSources,
      config.pipeline?.timezone,
      config.console,
      config.pipeline?.enrich?.inventory,
    ]);
  }

  /** Ready when every sink's target answers; the ingest API answers 503 until then. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks = await this.topology.checks();
    checks.pipeline = Boolean(checks.pipeline) && !this.stopping;
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
    const previous = this.config;
    this.config = config;
    const changes = await this.topology.reload(config);
    const httpConfig = this.httpConfigKey(config);
    if (httpConfig !== this.httpConfig) {
      // Built before the running server closes, and the previous settings put back if the new server cannot listen:
      // a bad http section must never leave /ingest, /health, /metrics and the console down.
      let next: HttpServer | undefined;
      try {
        next = await this.buildHttp(config);
      } catch (error) {
        this.options.logger.error({ err: error }, 'reload: the new http settings failed; keeping the previous ones');
        changes.push('http kept its previous settings (the new ones failed)');
      }
      const running = this.httpBuiltFrom ?? previous;
      if (next) {
        await this.http?.close();
        this.http = undefined;
        try {
          await this.listenHttp(next, config);
          changes.push('http restarted');
        } catch (error) {
          this.options.logger.error({ err: error }, 'reload: the new http server did not start; back to the previous settings');
          await this.startHttp(running);
          changes.push('http kept its previous settings (the new ones failed)');
        }
      }
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
    // Cheap to rebuild, and its targets follow the sinks: restarted on every reload.
    await this.stopRetention();
    this.startRetention(config);
    return changes;
  }

  /** SIGTERM: stop listening, parse what is queued into the sink buffers, let the sinks deliver (bounded), close. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.reloading;
    await this.stopRetention();
    await this.stopDetections();
    await this.topology.stopSources();
    const timeout = this.options.drainTimeoutMs ?? 10_000;
    // Bounded: with a full spool (target down, when_full: block) the parse stage cannot finish until the sinks close
    // their buffers, which rejects the blocked writes (counted) and lets everything settle.
    const upstream = Promise.all([this.http?.close(), this.topology.stopPipeline()]);
    await waitAtMost(upstream, timeout);
    await this.topology.stopSinks(timeout);
    await upstream;
  }
}
