import { isIP } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';

/**
 * The longest a request may take, start to end, whatever its body timeout: `body_timeout_ms` is capped at it, and a
 * request the pipeline holds back (pushback) for longer than this ends in a 408.
 */
export const REQUEST_TIMEOUT_MS = 300_000;
/** `http.max_connections`: connections the shared server holds at once; more are closed as they arrive, counted. */
export const DEFAULT_HTTP_MAX_CONNECTIONS = 1000;

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `http.trust_proxy` as fastify takes it: a boolean (also the strings "true"/"false" an `${ENV}` reference gives), or
 * comma-separated IP addresses, CIDRs and the names loopback, linklocal, uniquelocal. Throws an Error naming the entry
 * fastify would refuse (a host name, an address with a port), so a bad value never gets as far as a running server.
 */
export function trustProxySetting(value: boolean | string | undefined): boolean | string | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  for (const entry of value.split(',').map((part) => part.trim())) {
    if (PROXY_RANGES.has(entry) || isIP(entry) !== 0) continue;
    const slash = entry.indexOf('/');
    const prefix = slash > 0 ? entry.slice(slash + 1) : '';
    const family = slash > 0 ? isIP(entry.slice(0, slash)) : 0;
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (family !== 0 && bits >= 0 && bits <= (family === 4 ? 32 : 128)) continue;
    throw new Error(`'${entry}' is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal (names and ports are not taken)`);
  }
  return value;
}

export interface HttpServerOptions {
  /** HOST:PORT as in the configuration's `http.address` (`127.0.0.1:8080`, `[::]:8080`); port 0 takes any free port. */
  address: string;
  /**
   * fastify's `trustProxy` (`http.trust_proxy`): true, or the proxies' addresses or CIDRs. Off by default:
   * otherwise any client could pick the address the login throttle sees by sending X-Forwarded-For.
   */
  trustProxy?: boolean | string | undefined;
  /** Connections held at once (default 1000); one more is closed as it arrives and `onConnectionRefused` called. */
  maxConnections?: number;
  onConnectionRefused?: () => void;
  /** A pino logger (or any fastify-compatible one); without it the server logs nothing. */
  logger?: FastifyBaseLogger;
}

export interface HttpServer {
  /** Register plugins here (ingest API, ops routes, console) before `listen()`. */
  readonly app: FastifyInstance;
  /** Resolves with the base URL, e.g. `http://127.0.0.1:8080`. */
  listen(): Promise<string>;
  /** Stops accepting, lets requests in progress finish (an ingest request waits for its acknowledgement), then closes. */
  close(): Promise<void>;
}

/** `host:port` or `[v6]:port` → its parts; throws for anything else. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`bad HTTP address '${address}': expected HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080`);
  return { host: (match[1] ?? match[2]) as string, port };
}

/**
 * The one fastify instance the pipeline shares. Bodies of the JSON routes are small; the ingest source streams its own
 * and sets its own limit. A request that has not finished in 5 minutes (REQUEST_TIMEOUT_MS) is cut off with a 408, so a
 * slow sender cannot hold a connection forever; at most `maxConnections` connections are held at once.
 * Throws before anything listens when a setting is unusable (`trust_proxy` that is not addresses or CIDRs).
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { host, port } = parseListenAddress(options.address);
  const trustProxy = trustProxySetting(options.trustProxy);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1_048_576,
    requestTimeout: REQUEST_TIMEOUT_MS,
    ...(trustProxy !== undefined ? { trustProxy } : {}),
    // Senders post many small batches: a log line per request would drown the pipeline's own logs.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.server.maxConnections = options.maxConnections ?? DEFAULT_HTTP_MAX_CONNECTIONS;
  const onConnectionRefused = options.onConnectionRefused;
  if (onConnectionRefused) app.server.on('drop', () => onConnectionRefused());
  return {
    app,
    listen: () => app.listen({ host, port }),
    close: () => app.close(),
  };
}
