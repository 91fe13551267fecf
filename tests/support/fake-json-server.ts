/**
 * A tiny JSON HTTP server whose answers a test scripts, for fault injection in front of a client (the console's
 * OpenSearch searches, its EMS proxy). Every request is recorded with its parsed body.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface ScriptedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

export interface FakeJsonServer {
  url: string;
  requests: RecordedRequest[];
  /** What the next requests get; by default 200 `{}`. */
  answer: (request: RecordedRequest) => ScriptedAnswer;
  close(): Promise<void>;
}

export async function startFakeJsonServer(answer: FakeJsonServer['answer'] = () => ({ body: {} })): Promise<FakeJsonServer> {
  const fake: FakeJsonServer = { url: '', requests: [], answer, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://fake');
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // kept as text
      }
      const recorded = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body };
      fake.requests.push(recorded);
      const scripted = fake.answer(recorded);
      if (scripted.destroy) {
        request.socket.destroy();
        return;
      }
      response.writeHead(scripted.status ?? 200, { 'content-type': 'application/json', ...scripted.headers });
      response.end(JSON.stringify(scripted.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
