import type { Readable } from 'node:stream';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../parsers/framing.js';
import { tokenCheck } from '../../platform/http/bearer-token.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import type { PipelineIntake } from '../pipeline/raw-line.js';
import { type BodyEncoding, bodyEncoding } from './http/body-encoding.js';
import { type BodyFormat, bodyFormat, MEDIA_TYPES } from './http/body-format.js';
import { ChunkSubmitter } from './http/chunk-submitter.js';
import { ingestBody } from './http/ingest-body.js';

export interface HttpSourceOptions {
  /** The source's component id (RawLine.sourceId, metrics). */
  id: string;
  /** Zone of zone-less times, unless an element names its own `timezone`. */
  zone: string;
  intake: PipelineIntake;
  /** kind 'source', type 'http'. */
  telemetry: ComponentTelemetry;
  /** Route path (default /ingest), under the prefix the plugin is registered with. */
  path?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Counted while streaming, after decompression (and on the wire for a compressed body) (default 10 MiB). */
  maxBodyBytes?: number;
  /** Longest element kept (default 64 KiB); a longer one becomes a framing-error event with its first bytes. */
  maxMessageBytes?: number;
  /** A sender that sends nothing for this long in the middle of a body is cut off with 408 (default 30 s). */
  bodyTimeoutMs?: number;
  /** Lines per `intake.submit` (default 1000). */
  chunkLines?: number;
  /** What 429 and 503 put in Retry-After (default 1). */
  retryAfterSeconds?: number;
}

export const HTTP_SOURCE_DEFAULTS = {
  path: '/ingest',
  maxBodyBytes: 10_485_760,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  bodyTimeoutMs: 30_000,
  chunkLines: 1000,
  retryAfterSeconds: 1,
} as const;

const MAX_KEY_LENGTH = 256;
const KEY_SHAPE = new RegExp(`^[\\x21-\\x7e]{1,${MAX_KEY_LENGTH}}$`);

const UNAUTHORIZED = { error: 'unauthorized', message: 'send Authorization: Bearer <token>, the token configured for this HTTP source' };
const UNSUPPORTED_ENCODING = {
  error: 'unsupported content encoding',
  message: 'send the body as is, or with Content-Encoding gzip or deflate (one encoding)',
};
const BAD_KEY = {
  error: 'bad idempotency key',
  message: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`,
};
const UNSUPPORTED = {
  error: 'unsupported media type',
  message:
    'send Content-Type application/x-ndjson (one JSON value a line), application/json (an array) or text/plain (one syslog line a line), in UTF-8',
};

/**
 * The HTTP ingest source as an encapsulated fastify plugin: `POST <path>` with NDJSON, a JSON array or plain text,
 * as is or gzip/deflate-encoded. The body is streamed and handed to the pipeline in chunks; the answer waits until
 * every chunk is durable in the sinks' spools, so a 200 (and the `accepted` count of any error) survives a crash.
 * Anything rejected up front is rejected before a byte of the body is read.
 *
 * A sender that resends after a lost answer gets exactly-once by naming its events: an `Idempotency-Key` (element i
 * of the body gets the same id on every resend) or an element's own `"id"`. Otherwise every request is new events.
 */
export const httpSource: FastifyPluginAsync<HttpSourceOptions> = async (app, options) => {
  const { id, zone, intake, telemetry } = options;
  const path = options.path ?? HTTP_SOURCE_DEFAULTS.path;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_SOURCE_DEFAULTS.maxBodyBytes;
  const maxMessageBytes = options.maxMessageBytes ?? HTTP_SOURCE_DEFAULTS.maxMessageBytes;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? HTTP_SOURCE_DEFAULTS.bodyTimeoutMs;
  const chunkLines = options.chunkLines ?? HTTP_SOURCE_DEFAULTS.chunkLines;
  const retryAfter = String(options.retryAfterSeconds ?? HTTP_SOURCE_DEFAULTS.retryAfterSeconds);
  const authorized = options.token ? tokenCheck(options.token) : () => true;

  // This context's parsers only: the body reaches the handler as the raw stream, never buffered by fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...MEDIA_TYPES.keys()], (_request, payload, done) => done(null, payload));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      telemetry.error('receive', 'unsupported_media_type');
      return reply.code(415).send(UNSUPPORTED);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'bad request', message: 'the request was rejected', code: error.code });
    request.log.error(error);
    telemetry.error('receive', 'internal');
    return reply.code(500).send({ error: 'internal error', message: 'the HTTP source failed to handle the request; see the pipeline log' });
  });

  // Runs before the body is parsed: a refused request is answered without reading it, and its connection is closed so
  // the unread body is not read either.
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(request.headers.authorization)) {
      telemetry.error('auth', 'unauthorized');
      return reply.code(401).header('www-authenticate', 'Bearer').header('connection', 'close').send(UNAUTHORIZED);
    }
    if (bodyFormat(request.headers['content-type']) === undefined) {
      telemetry.error('receive', 'unsupported_media_type');
      return reply.code(415).header('connection', 'close').send(UNSUPPORTED);
    }
    if (bodyEncoding(request.headers['content-encoding']) === undefined) {
      telemetry.error('receive', 'unsupported_encoding');
      return reply.code(415).header('connection', 'close').send(UNSUPPORTED_ENCODING);
    }
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !KEY_SHAPE.test(key))) {
      telemetry.error('receive', 'bad_idempotency_key');
      return reply
        .code(400)
        .header('connection', 'close')
        .send({ ...BAD_KEY, accepted: 0 });
    }
    if (Number(request.headers['content-length']) > maxBodyBytes) {
      telemetry.error('receive', 'body_too_large');
      return reply
        .code(413)
        .header('connection', 'close')
        .send({
          error: 'payload too large',
          message: `Content-Length is above this source's limit of ${maxBodyBytes} bytes: nothing was read or accepted; send smaller requests`,
          accepted: 0,
          max_body_bytes: maxBodyBytes,
        });
    }
    if (intake.isFull()) {
      telemetry.error('submit', 'pipeline_full');
      return reply
        .code(429)
        .header('retry-after', retryAfter)
        .header('connection', 'close')
        .send({
          error: 'too many requests',
          message: `the pipeline is full: nothing was read or accepted; retry after ${retryAfter} s`,
          accepted: 0,
        });
    }
    return undefined;
  };

  app.post(path, { onRequest: admit }, async (request, reply) => {
    const format = bodyFormat(request.headers['content-type']) as BodyFormat;
    const submitter = new ChunkSubmitter(intake, telemetry, chunkLines);
    const encoding = bodyEncoding(request.headers['content-encoding']) as BodyEncoding;
    const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
    const settings = { id, zone, maxBodyBytes, maxMessageBytes, bodyTimeoutMs, telemetry, encoding, idempotencyKey };
    const outcome = await ingestBody(request.body as Readable, format, settings, submitter);
    const accepted = await submitter.finish(outcome.kind !== 'aborted');
    if (submitter.refused || outcome.kind === 'refused') {
      return reply
        .code(503)
        .header('retry-after', retryAfter)
        .header('connection', 'close')
        .send({
          error: 'unavailable',
          message: `the pipeline is stopping: the first ${accepted} elements were accepted and stored; resend the rest later`,
          accepted,
        });
    }
    switch (outcome.kind) {
      case 'complete':
        return reply.send({ accepted });
      case 'too_large':
        return reply
          .code(413)
          .header('connection', 'close')
          .send({
            error: 'payload too large',
            message: `the body is larger${encoding === 'identity' ? '' : ' (decompressed)'} than this source's limit of ${maxBodyBytes} bytes, so reading stopped there: the first ${accepted} elements were accepted and stored; resend the rest in smaller requests`,
            accepted,
            max_body_bytes: maxBodyBytes,
          });
      case 'malformed': {
        const where = format === 'json' ? `element ${outcome.at} (0-based)` : `line ${outcome.at}`;
        return reply
          .code(400)
          .header('connection', 'close')
          .send({
            error: 'malformed element',
            message: `${where}: ${outcome.reason}; the ${accepted} elements before it were accepted and stored: fix it and resend from there`,
            accepted,
            ...(format === 'json' ? { element: outcome.at } : { line: outcome.at }),
          });
      }
      case 'corrupt':
        return reply
          .code(400)
          .header('connection', 'close')
          .send({
            error: 'corrupt body',
            message: `the ${encoding} stream could not be decoded; the first ${accepted} elements were accepted and stored`,
            accepted,
          });
      case 'timeout':
        return reply
          .code(408)
          .header('connection', 'close')
          .send({
            error: 'request timeout',
            message: `the body stalled for ${bodyTimeoutMs / 1000} s; the first ${accepted} elements were accepted and stored`,
            accepted,
          });
      case 'aborted':
        // The sender is gone; this answer is for the log only.
        return reply.code(400).header('connection', 'close').send({ error: 'aborted', message: 'the request body ended early', accepted });
    }
  });
};
