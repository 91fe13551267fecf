/**
 * The one client of the EMS core admin API (`ems-core/api/`), shared by the pipeline's inventory lookups, the
 * console's log-settings proxy and `fortiems ems settings`: base URL, bearer token, JSON both ways, a bounded wait
 * (an AbortSignal that covers the connection, the headers and the body), and one error for "did not answer".
 */

export const EMS_API_PATH = '/api/v1';
export const DEFAULT_EMS_API_TIMEOUT_MS = 10_000;

/** `http://ems:8090` and `http://ems:8090/api/v1` (a trailing slash, a query or a fragment aside) both name the API. */
export function emsApiBase(url: string): URL {
  const base = new URL(url);
  const path = base.pathname.replace(/\/+$/, '');
  base.pathname = path.endsWith(EMS_API_PATH) ? path : `${path}${EMS_API_PATH}`;
  base.search = '';
  base.hash = '';
  return base;
}

/** The EMS core did not answer at all (refused, reset, timed out): distinct from an answer that is an error. */
export class EmsApiUnavailableError extends Error {
  override name = 'EmsApiUnavailableError';

  constructor(
    /** The API's base URL (`…/api/v1`). */
    readonly base: string,
    /** The system error code (ECONNREFUSED, ENOTFOUND…), when there is one. */
    readonly code: string | undefined,
    /** True when no answer came within the timeout. */
    readonly timedOut: boolean,
    detail: string,
    options: { cause: unknown },
  ) {
    super(`the EMS core admin API at ${base} did not answer (${detail})`, options);
  }
}

export interface EmsApiClientOptions {
  /** The API, with or without `/api/v1`. */
  url: string;
  /** Its admin bearer token. */
  token: string;
  /** The whole exchange, from connecting to the last byte of the body. Default 10 s. */
  timeoutMs?: number;
  /** For tests; global fetch by default. */
  fetch?: typeof fetch;
}

export interface EmsApiRequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Query parameters, in this order. */
  query?: Readonly<Record<string, string>>;
  /** Who asked, for the EMS core's audit lines (`x-fortiems-admin`). */
  admin?: string | undefined;
}

export interface EmsApiReply {
  url: URL;
  status: number;
  statusText: string;
  /** The body as sent. */
  text: string;
  /** The body read as JSON; undefined when it is empty or not JSON (a proxy's error page). */
  json: unknown;
}

export class EmsApiClient {
  /** `…/api/v1`, without a trailing slash. */
  readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  /** Throws a TypeError when `url` is not a URL. */
  constructor(private readonly options: EmsApiClientOptions) {
    this.base = emsApiBase(options.url).href.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_EMS_API_TIMEOUT_MS;
    this.fetch = options.fetch ?? fetch;
  }

  /** `/log-settings` → `…/api/v1/log-settings`. */
  url(path: string, query: Readonly<Record<string, string>> = {}): URL {
    const url = new URL(`${this.base}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  /**
   * One exchange. Resolves with any answer, error statuses included (what they mean is the caller's business);
   * rejects with EmsApiUnavailableError when none came (refused, reset, unreachable, timed out).
   */
  async request(
    method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: EmsApiRequestOptions = {},
  ): Promise<EmsApiReply> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.admin !== undefined) headers['x-fortiems-admin'] = options.admin;
    try {
      const response = await this.fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      return { url, status: response.status, statusText: response.statusText, text, json: readJson(text) };
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): EmsApiUnavailableError {
    const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    const timedOut = (error as Error | undefined)?.name === 'TimeoutError';
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new EmsApiUnavailableError(this.base, cause?.code, timedOut, detail, { cause: error });
  }
}

function readJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
