import type { ErrorAnswer } from '../api-types.js';

export const LOGIN_PAGE = '/console/login';

/** An API error with the server's readable message (and the problems of an invalid request). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly answer: ErrorAnswer,
  ) {
    super([answer.message ?? answer.error, ...(answer.problems ?? [])].join('; '));
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | readonly string[] | undefined>;

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A console API call. A 401 means the session is gone (expired, logged out elsewhere): the page goes back to login
 * rather than showing a broken board.
 */
export async function api<T>(
  path: string,
  options: { query?: Query; method?: 'GET' | 'POST' | 'PATCH'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await fetch(`/console/api${path}${queryString(options.query ?? {})}`, {
    method: options.method ?? 'GET',
    credentials: 'same-origin',
    headers:
      options.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status === 401) {
    window.location.assign(LOGIN_PAGE);
    throw new ApiError(401, { error: 'unauthorized', message: 'the session has ended' });
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch((error: unknown) => {
    // A view re-rendered while this body was still arriving aborts the read: that is an abort for the caller (which
    // ignores it), never an answer it would try to draw.
    if (options.signal?.aborted) throw error;
    return undefined;
  })) as unknown;
  if (body === undefined) throw new ApiError(response.status, { error: `HTTP ${response.status}`, message: 'the answer is not JSON' });
  if (!response.ok) throw new ApiError(response.status, body as ErrorAnswer);
  return body as T;
}
