import { EmsApiClient } from '../../platform/ems-client/ems-api-client.js';

/**
 * One question to the EMS core inventory API: the endpoint with this uid, or this hostname, asked through the shared
 * admin-API client (bearer token, a timeout covering connection, headers and body).
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

const INVENTORY_PATH = '/inventory/endpoints';

/** `http://ems:8090` or `http://ems:8090/api/v1` → the inventory list URL. */
export function inventoryUrl(base: string): URL {
  return new EmsApiClient({ url: base, token: '' }).url(INVENTORY_PATH);
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
  private readonly api: EmsApiClient;

  constructor(options: InventoryClientOptions) {
    this.api = new EmsApiClient(options);
  }

  /**
   * The endpoint, or null when the inventory has none (or, by hostname, more than one: a name shared by two
   * endpoints identifies neither). Rejects with `InventoryResponseError` for an unexpected answer, or with
   * `EmsApiUnavailableError` (`timedOut` after `timeoutMs`) when the API does not answer.
   */
  async lookup(key: EndpointKey): Promise<InventoryEndpoint | null> {
    const reply = await this.api.request('GET', INVENTORY_PATH, { query: { [key.by]: key.value, limit: '2' } });
    if (reply.status !== 200) throw new InventoryResponseError(`inventory answered HTTP ${reply.status}`);
    const body = reply.json as { endpoints?: unknown } | undefined;
    if (!Array.isArray(body?.endpoints)) throw new InventoryResponseError('inventory answer without an endpoints list');
    if (body.endpoints.length !== 1) return null;
    return toInventoryEndpoint(body.endpoints[0]);
  }
}
