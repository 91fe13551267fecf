/**
 * A fault-injection stand-in for OpenSearch / Elasticsearch that speaks enough of the REST API for the search sinks:
 * `_bulk` (create / index into an in-memory store: a second create of an id answers 409, like the real thing),
 * index creation, the root info and ping. Each `_bulk` request takes the next entry of a script of responses; once
 * the script is used up, `fallback` answers (by default: the store, every item created). Every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BulkOperation {
  action: string;
  index: string | undefined;
  id: string | undefined;
  /** The document (parsed), for create / index. */
  source: Record<string, unknown> | undefined;
}

export interface FakeRequest {
  /** 0-based, over all requests. */
  seq: number;
  method: string;
  /** Without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The parsed NDJSON of a `_bulk` request; [] otherwise. */
  operations: BulkOperation[];
}

export interface FakeResponse {
  status?: number;
  /** JSON-encoded unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this late (a slow or hanging target). */
  delayMs?: number;
  /** Drop the connection without an answer (a crash mid-request). */
  destroy?: boolean;
}

/** A fixed response, or one computed from the request; undefined falls through to the default behaviour. */
export type Responder = FakeResponse | RespondFn;
export type RespondFn = (request: FakeRequest, server: FakeBulkServer) => FakeResponse | undefined | Promise<FakeResponse | undefined>;

export interface FakeBulkServerOptions {
  /** `elasticsearch` adds the `x-elastic-product` header the Elasticsearch client insists on. */
  flavor?: 'opensearch' | 'elasticsearch';
  /** Responses to successive `_bulk` requests. More can be pushed onto `server.script` at any time. */
  script?: Responder[];
  /** For `_bulk` requests once the script is used up. Default: `storeBulk` (every item stored). */
  fallback?: Responder;
  /** For every other request, before the default routes. */
  routes?: Responder;
}

export interface ItemResult {
  status: number;
  error?: { type: string; reason: string; caused_by?: { type: string; reason: string } };
}

export class FakeBulkServer {
  readonly requests: FakeRequest[] = [];
  readonly script: Responder[];
  /** index → id → document, as stored by the default bulk behaviour. */
  readonly store = new Map<string, Map<string, Record<string, unknown>>>();
  readonly createdIndices = new Map<string, unknown>();
  url = '';
  private readonly server: Server;
  private nextAutoId = 0;

  constructor(private readonly options: FakeBulkServerOptions = {}) {
    this.script = [...(options.script ?? [])];
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The `_bulk` requests received so far. */
  bulkRequests(): FakeRequest[] {
    return this.requests.filter((request) => request.path.endsWith('/_bulk'));
  }

  /** Documents stored in an index (or every index matching a prefix ending in `*`). */
  documents(index: string): Record<string, unknown>[] {
    const matches = index.endsWith('*') ? [...this.store.keys()].filter((name) => name.startsWith(index.slice(0, -1))) : [index];
    return matches.flatMap((name) => [...(this.store.get(name)?.values() ?? [])]);
  }

  /** The default bulk behaviour: store each document; a create of an existing id answers 409. */
  storeBulk(request: FakeRequest): FakeResponse {
    return bulkAnswer(request, (operation) => this.storeOne(operation));
  }

  /** Stores one operation's document as the real target would, and says what it would answer for the item. */
  storeOne(operation: BulkOperation): ItemResult {
    const index = operation.index ?? '';
    let docs = this.store.get(index);
    if (!docs) {
      docs = new Map();
      this.store.set(index, docs);
    }
    const id = operation.id ?? `auto-${this.nextAutoId++}`;
    if (operation.action === 'create' && docs.has(id))
      return {
        status: 409,
        error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists` },
      };
    const existed = docs.has(id);
    docs.set(id, operation.source ?? {});
    return { status: existed ? 200 : 201 };
  }

  private async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      seq: this.requests.length,
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      operations: url.pathname.endsWith('/_bulk') ? parseBulk(body) : [],
    };
    this.requests.push(request);
    let answer: FakeResponse | undefined;
    try {
      answer = await this.respond(request);
    } catch (error) {
      answer = errorAnswer(500, 'fake_server_exception', String(error));
    }
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer.destroy) {
      response.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', ...answer.headers };
    if (this.options.flavor === 'elasticsearch') headers['x-elastic-product'] = 'Elasticsearch';
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    response.writeHead(answer.status ?? 200, headers);
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  private async respond(request: FakeRequest): Promise<FakeResponse> {
    const run = async (responder: Responder | undefined) => (typeof responder === 'function' ? await responder(request, this) : responder);
    if (request.path.endsWith('/_bulk')) {
      const scripted = this.script.length > 0 ? await run(this.script.shift()) : await run(this.options.fallback);
      return scripted ?? this.storeBulk(request);
    }
    const routed = await run(this.options.routes);
    if (routed) return routed;
    if (request.path === '/') {
      const distribution = this.options.flavor === 'elasticsearch' ? {} : { distribution: 'opensearch' };
      return {
        body: {
          name: 'fake',
          cluster_name: 'fake',
          version: { number: this.options.flavor === 'elasticsearch' ? '8.19.0' : '2.19.0', ...distribution },
        },
      };
    }
    // What an elasticsearch sink installs before its first delivery: taken, so the sink reaches its bulk requests.
    // (`_ilm/status` is not routed: the sink sees no ILM and warns, as on a core-only build.)
    if (
      this.options.flavor === 'elasticsearch' &&
      request.method === 'PUT' &&
      /^\/_(component_template|index_template|data_stream)\//.test(request.path)
    ) {
      return { body: { acknowledged: true } };
    }
    const index = decodeURIComponent(request.path.slice(1));
    if (request.method === 'PUT' && /^[^/_][^/]*$/.test(index)) {
      if (this.createdIndices.has(index)) return errorAnswer(400, 'resource_already_exists_exception', `index [${index}] already exists`);
      this.createdIndices.set(index, request.body ? JSON.parse(request.body) : {});
      return { body: { acknowledged: true, shards_acknowledged: true, index } };
    }
    return errorAnswer(404, 'fake_route_missing', `no fake route for ${request.method} ${request.path}`);
  }
}

export async function startFakeBulkServer(options: FakeBulkServerOptions = {}): Promise<FakeBulkServer> {
  return new FakeBulkServer(options).listen();
}

function parseBulk(body: string): BulkOperation[] {
  const lines = body.split('\n').filter((line) => line.length > 0);
  const operations: BulkOperation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = JSON.parse(lines[i] as string) as Record<string, { _index?: string; _id?: string }>;
    const [action, meta] = Object.entries(header)[0] ?? ['unknown', {}];
    const hasSource = action !== 'delete';
    const source = hasSource ? (JSON.parse(lines[++i] ?? 'null') as Record<string, unknown>) : undefined;
    operations.push({ action, index: meta?._index, id: meta?._id, source });
  }
  return operations;
}

/** A bulk answer (HTTP 200) with one item per operation, as `decide` says. */
export function bulkAnswer(request: FakeRequest, decide: (operation: BulkOperation, index: number) => ItemResult): FakeResponse {
  const items = request.operations.map((operation, i) => {
    const result = decide(operation, i);
    return { [operation.action]: { _index: operation.index, _id: operation.id, ...result } };
  });
  const errors = items.some((item) => {
    const result = Object.values(item)[0] as ItemResult;
    return result.status >= 300;
  });
  return { status: 200, body: { took: 1, errors, items } };
}

/** A whole-request error answer, shaped like the real ones. */
export function errorAnswer(status: number, type: string, reason: string): FakeResponse {
  return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
}

export const itemError = (status: number, type: string, reason: string, cause?: { type: string; reason: string }): ItemResult => ({
  status,
  error: { type, reason, ...(cause ? { caused_by: cause } : {}) },
});

/** A responder: `decide` answers for the items it wants to; the others (undefined) are stored as usual. */
export function answerItems(decide: (operation: BulkOperation, index: number) => ItemResult | undefined): RespondFn {
  return (request, server) => bulkAnswer(request, (operation, i) => decide(operation, i) ?? server.storeOne(operation));
}

/** A responder: items whose operation matches `fails` get `result`, the rest are stored. */
export const failItems = (fails: (operation: BulkOperation, index: number) => boolean, result: ItemResult): RespondFn =>
  answerItems((operation, i) => (fails(operation, i) ? result : undefined));
