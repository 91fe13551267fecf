import type { EmsApiConnection } from './options.js';

export interface EmsReply {
  status: number;
  body: unknown;
}

/** The EMS core did not answer at all (refused, reset, timed out): distinct from an answer that is an error. */
export class EmsUnavailableError extends Error {
  override name = 'EmsUnavailableError';
}

/** `http://ems:8090` and `http://ems:8090/api/v1` both name the API, as for the pipeline's inventory source. */
export function emsApiBase(url: string): string {
  const base = new URL(url);
  const path = base.pathname.replace(/\/+$/, '');
  base.pathname = path.endsWith('/api/v1') ? path : `${path}/api/v1`;
  base.search = '';
  return base.toString().replace(/\/+$/, '');
}

export type EmsRequest = (method: 'GET' | 'PATCH', path: string, options?: { body?: unknown; admin?: string }) => Promise<EmsReply>;

/** A small client for the EMS core admin API: bearer token, JSON both ways, a bounded wait. */
export function emsApiClient(connection: EmsApiConnection, timeoutMs = 10_000): EmsRequest {
  const base = emsApiBase(connection.url);
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${connection.token}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // The EMS core names the admin in its audit lines (log-settings-changed): the console says who asked.
    if (options.admin !== undefined) headers['x-fortiems-admin'] = options.admin;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new EmsUnavailableError(`the EMS core admin API at ${base} did not answer (${detail})`);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): kept as text, the route does not pass it on.
    }
    return { status: response.status, body };
  };
}
