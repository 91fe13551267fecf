import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';

export interface HttpServerOptions {
  /** HOST:PORT as in the configuration's `http.address` (`127.0.0.1:8080`, `[::]:8080`); port 0 takes any free port. */
  address: string;
  /**
   * fastify's `trustProxy` (`http.trust_proxy`): true, or the proxies' addresses or CIDRs. Off by default:
   * otherwise any client could pick the address the login throttle sees by sending X-Forwarded-For.
   */
  trustProxy?: boolean | string | undefined;
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
 * and sets its own limit. A request that has not finished in 5 minutes is cut off, so a slow sender cannot hold a
 * connection forever.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { host, port } = parseListenAddress(options.address);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 1_048_576,
    requestTimeout: 300_000,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // Senders post many small batches: a log line per request would drown the pipeline's own logs.
    logController: new LogController({ disableRequestLogging: true }),
  });
  return {
    app,
    listen: () => app.listen({ host, port }),
    close: () => app.close(),
  };
}
