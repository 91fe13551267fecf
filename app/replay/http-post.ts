import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  body: { accepted?: unknown; message?: unknown };
}

/** Where a sender POSTs, and how. */
export interface NdjsonEndpoint {
  target: URL;
  agent: Agent;
  token: string | undefined;
  timeoutMs: number;
}

function parseAnswer(text: string): HttpAnswer['body'] {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

const firstHeader = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** One NDJSON request: resolves with whatever the receiver answered, rejects on a network error or no answer in time. */
export function postNdjson(endpoint: NdjsonEndpoint, body: string, idempotencyKey?: string): Promise<HttpAnswer> {
  const { target, agent, token, timeoutMs } = endpoint;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = send(
      target,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/x-ndjson',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        // A receiver that answers early (413, 400) may close before reading all we sent: the answer still counts.
        const done = () => {
          if (settled) return;
          settled = true;
          const retryAfter = firstHeader(response.headers, 'retry-after');
          resolve({ status: response.statusCode ?? 0, retryAfter, body: parseAnswer(Buffer.concat(chunks).toString('utf8')) });
        };
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 65_536) chunks.push(chunk);
        });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    request.end(body);
  });
}
