/**
 * One webhook POST over node:http(s): no dependency beyond Node, and a custom CA is just the agent's `ca` (global fetch
 * would need an undici Agent, which this project does not depend on). Resolves with the status and the start of the
 * body for every HTTP answer; rejects for what never got one (refused, reset, TLS failure, timeout, abort).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface WebhookAnswer {
  status: number;
  /** The first MAX_BODY_CHARS of the answer, for the dead-letter record and the logs. */
  body: string;
}

export interface WebhookEndpoint {
  url: URL;
  headers: OutgoingHttpHeaders;
  timeoutMs: number;
  agent: HttpAgent | HttpsAgent;
}

export const MAX_BODY_CHARS = 2048;

/** Keep-alive, at most `sockets` connections: a batch's parallel requests reuse them instead of a handshake each. */
export function webhookAgent(url: URL, sockets: number, tls: { ca?: Buffer; verify: boolean }): HttpAgent | HttpsAgent {
  const options = { keepAlive: true, maxSockets: sockets };
  return url.protocol === 'https:'
    ? new HttpsAgent({ ...options, rejectUnauthorized: tls.verify, ...(tls.ca ? { ca: tls.ca } : {}) })
    : new HttpAgent(options);
}

/** POSTs `payload`; the whole exchange (connect, send, answer) must end within `timeoutMs`. */
export function postPayload(endpoint: WebhookEndpoint, payload: string | Uint8Array, signal: AbortSignal): Promise<WebhookAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    const send = endpoint.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(endpoint.url, {
      method: 'POST',
      agent: endpoint.agent,
      headers: { ...endpoint.headers, 'content-length': body.length },
    });
    const fail = (error: Error) => request.destroy(error);
    const timer = setTimeout(() => fail(new Error(`no answer within ${endpoint.timeoutMs} ms`)), endpoint.timeoutMs);
    const onAbort = () => fail(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    request.once('error', (error) => {
      settle();
      reject(error);
    });
    request.once('response', (response: IncomingMessage) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        // The rest is read and dropped: an unread body would keep the keep-alive socket from being reused.
        if (text.length < MAX_BODY_CHARS) text += chunk.slice(0, MAX_BODY_CHARS - text.length);
      });
      response.once('end', () => {
        settle();
        resolve({ status: response.statusCode ?? 0, body: text });
      });
      response.once('error', (error) => {
        settle();
        reject(error);
      });
      // Without an `end` first (a reset mid-answer, our timeout): no answer to classify; a no-op after `end`.
      response.once('close', () => {
        settle();
        reject(new Error('the connection closed before the answer was complete'));
      });
    });
    request.end(body);
  });
}
