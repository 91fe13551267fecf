/**
 * One question to the EMS core inventory API: the endpoint with this uid, or this hostname. Bounded by a timeout
 * (an AbortSignal that covers the connection, the headers and the body), authenticated by the admin bearer token.
 */

/** The inventory fields enrichment uses (the API's InventoryEntry has more). */
export interface InventoryEndpoint {
  uid: string;
  hostname: string;
  user: string;
  os: string;
  osFamily: string;
  groups: string[];
  tags: string[];
  policy: string;
  status: string;
}

export type EndpointKey = { by: 'uid'; value: string } | { by: 'hostname'; value: string };

/** The answer did not have the expected shape, or said something other than 200: counted as an error, not a miss. */
export class InventoryResponseError extends Error {
  override name = 'InventoryResponseError';
}

export const INVENTORY_PATH = '/api/v1/inventory/endpoints';

/** `http://ems:8090` or `http://ems:8090/api/v1` → the inventory list URL. */
export function inventoryUrl(base: string): URL {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/api/v1') ? `${path}/inventory/endpoints` : `${path}${INVENTORY_PATH}`;
  url.search = '';
  return url;
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function toInventoryEndpoint(value: unknown): InventoryEndpoint {
  const entry = value as Record<string, unknown> | null;
  if (
    typeof entry !== 'object' ||
    entry === null ||
    typeof entry.uid !== 'string' ||
    typeof entry.hostname !== 'string' ||
    !isStringArray(entry.groups) ||
    !isStringArray(entry.tags)
  ) {
    throw new InventoryResponseError('inventory answer: an endpoint without uid, hostname, groups or tags');
  }
  const text = (field: unknown) => (typeof field === 'string' ? field : '');
  return {
    uid: entry.uid,
    hostname: entry.hostname,
    user: text(entry.user),
    os: text(entry.os),
    osFamily: text(entry.osFamily),
    groups: entry.groups,
    tags: entry.tags,
    policy: text(entry.policy),
    status: text(entry.status),
  };
}

export interface InventoryClientOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** For tests; global fetch by default. */
  fetch?: typeof fetch;
}

export class InventoryClient {
  private readonly listUrl: URL;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: InventoryClientOptions) {
    this.listUrl = inventoryUrl(options.url);
    this.fetch = options.fetch ?? fetch;
  }

  /**
   * The endpoint, or null when the inventory has none (or, by hostname, more than one: a name shared by two
   * endpoints identifies neither). Rejects with a `TimeoutError` DOMException after `timeoutMs`, with
   * `InventoryResponseError` for an unexpected answer, or with fetch's TypeError when the API cannot be reached.
   */
  async lookup(key: EndpointKey): Promise<InventoryEndpoint | null> {
    const url = new URL(this.listUrl);
    url.searchParams.set(key.by, key.value);
    url.searchParams.set('limit', '2');
    const response = await this.fetch(url, {
      headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new InventoryResponseError(`inventory answered HTTP ${response.status}`);
    }
    const body = (await response.json()) as { endpoints?: unknown };
    if (!Array.isArray(body?.endpoints)) throw new InventoryResponseError('inventory answer without an endpoints list');
    if (body.endpoints.length !== 1) return null;
    return toInventoryEndpoint(body.endpoints[0]);
  }
}
