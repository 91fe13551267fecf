import { createHash, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isValidZone } from '../../mappings/index.js';
import type { PipelineIntake, RawLine } from '../pipeline/raw-line.js';
import type { ComponentTelemetry } from '../telemetry/component-telemetry.js';

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
  /** Counted on the wire while streaming (default 10 MiB). */
  maxBodyBytes?: number;
  /** Lines per `intake.submit` (default 1000). */
  chunkLines?: number;
  /** What 429 and 503 put in Retry-After (default 1). */
  retryAfterSeconds?: number;
}

export const HTTP_SOURCE_DEFAULTS = { path: '/ingest', maxBodyBytes: 10_485_760, chunkLines: 1000, retryAfterSeconds: 1 } as const;

// A few chunks in flight let parsing overlap the sinks' fsync without letting one request run far ahead of the pipeline.
const MAX_SUBMITS_IN_FLIGHT = 4;
// Long lines make big chunks: cap a chunk's characters too, so its memory stays bounded whatever the line length.
const MAX_CHUNK_CHARS = 1 << 20;

type BodyFormat = 'ndjson' | 'json' | 'text';
const MEDIA_TYPES = new Map<string, BodyFormat>([
  ['application/x-ndjson', 'ndjson'],
  ['application/json', 'json'],
  ['text/plain', 'text'],
]);

const UNAUTHORIZED = { error: 'unauthorized', message: 'send Authorization: Bearer <token>, the token configured for this HTTP source' };
const UNSUPPORTED = {
  error: 'unsupported media type',
  message:
    'send Content-Type application/x-ndjson (one JSON value a line), application/json (an array) or text/plain (one syslog line a line), in UTF-8',
};

/** The format a Content-Type asks for; undefined for anything else, a charset other than UTF-8 included. */
function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  if (contentType === undefined) return undefined;
  const [mediaType = '', ...parameters] = contentType.split(';');
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset' && !/^"?utf-?8"?$/i.test(value.trim())) return undefined;
  }
  return MEDIA_TYPES.get(mediaType.trim().toLowerCase());
}

const BEARER = /^Bearer +(\S+) *$/i;
// Hashing both sides makes timingSafeEqual compare 32 bytes always: neither content nor length leaks through timing.
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

function tokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const presented = BEARER.exec(authorization ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

// ---------------------------------------------------------------- splitting the body into elements, incrementally

/** One element's text and where it is: its line (1-based) for line formats, its index (0-based) in a JSON array. */
interface Piece {
  text: string;
  at: number;
}

interface Malformed {
  at: number;
  reason: string;
}

interface Splitter {
  /** Appends the complete elements in `text` to `out`; returns the structural problem that stopped it, if any. */
  push(text: string, out: Piece[]): Malformed | undefined;
  end(out: Piece[]): Malformed | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BOM = 0xfeff;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** NDJSON and text/plain: an element a line; CRLF is accepted and blank lines are skipped (they still count as lines). */
class LineSplitter implements Splitter {
  private pending = '';
  private line = 0;

  push(text: string, out: Piece[]): undefined {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.emit(start === 0 ? this.pending + text.slice(0, newline) : text.slice(start, newline), out);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.pending = start === 0 ? this.pending + text : text.slice(start);
    return undefined;
  }

  end(out: Piece[]): undefined {
    if (this.pending !== '') this.emit(this.pending, out);
    this.pending = '';
    return undefined;
  }

  private emit(raw: string, out: Piece[]): void {
    this.line += 1;
    const unmarked = this.line === 1 && raw.charCodeAt(0) === BOM ? raw.slice(1) : raw;
    const text = unmarked.endsWith('\r') ? unmarked.slice(0, -1) : unmarked;
    if (text.trim() !== '') out.push({ text, at: this.line });
  }
}

/**
 * A JSON array, one element at a time: tracks strings, escapes and nesting just enough to find where each element ends,
 * and leaves the element itself to JSON.parse. A body that is not an array is taken as a single element.
 */
class JsonArraySplitter implements Splitter {
  private state: 'start' | 'before' | 'value' | 'after' | 'done' | 'single' = 'start';
  private index = 0;
  private parts: string[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private afterComma = false;

  push(text: string, out: Piece[]): Malformed | undefined {
    let valueStart = this.state === 'value' || this.state === 'single' ? 0 : -1;
    const finish = (end: number) => {
      this.parts.push(text.slice(valueStart, end));
      out.push({ text: this.parts.join(''), at: this.index });
      this.parts = [];
      this.index += 1;
      this.state = 'after';
      valueStart = -1;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case 'start':
          if (isSpace(c) || c === BOM) continue;
          if (c === OPEN_ARRAY) this.state = 'before';
          else {
            this.state = 'single';
            valueStart = i;
          }
          continue;
        case 'single':
          continue;
        case 'before':
          if (isSpace(c)) continue;
          if (c === CLOSE_ARRAY && !this.afterComma) {
            this.state = 'done';
            continue;
          }
          if (c === CLOSE_ARRAY || c === COMMA) return { at: this.index, reason: `expected an element, found '${String.fromCharCode(c)}'` };
          if (c === CLOSE_OBJECT) return { at: this.index, reason: "expected an element, found '}'" };
          this.state = 'value';
          valueStart = i;
          this.depth = c === OPEN_ARRAY || c === OPEN_OBJECT ? 1 : 0;
          this.inString = c === QUOTE;
          this.escaped = false;
          this.scalar = this.depth === 0 && !this.inString;
          continue;
        case 'value':
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === BACKSLASH) this.escaped = true;
            else if (c === QUOTE) {
              this.inString = false;
              if (this.depth === 0) finish(i + 1);
            }
          } else if (this.scalar) {
            // A number or literal ends where the array's punctuation starts: hand that character to 'after'.
            if (c === COMMA || c === CLOSE_ARRAY || isSpace(c)) {
              finish(i);
              i -= 1;
            }
          } else if (c === QUOTE) this.inString = true;
          else if (c === OPEN_ARRAY || c === OPEN_OBJECT) this.depth += 1;
          else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
            this.depth -= 1;
            if (this.depth === 0) finish(i + 1);
          }
          continue;
        case 'after':
          if (isSpace(c)) continue;
          if (c === COMMA) {
            this.state = 'before';
            this.afterComma = true;
          } else if (c === CLOSE_ARRAY) this.state = 'done';
          else return { at: this.index, reason: `expected ',' or ']' after element ${this.index - 1}` };
          continue;
        case 'done':
          if (isSpace(c)) continue;
          return { at: this.index, reason: "unexpected data after the array's closing ']'" };
      }
    }
    if (valueStart !== -1) this.parts.push(text.slice(valueStart));
    return undefined;
  }

  end(out: Piece[]): Malformed | undefined {
    if (this.state === 'single') {
      out.push({ text: this.parts.join(''), at: 0 });
      return undefined;
    }
    if (this.state === 'start' || this.state === 'done') return undefined;
    return { at: this.index, reason: "the body ends inside the array (missing ']')" };
  }
}

// ---------------------------------------------------------------- elements to lines, lines to the pipeline

const ELEMENT_SHAPE = 'an element is a raw syslog line (a JSON string) or an object with a string `message`';

/** A parsed element as a RawLine, or why it cannot be one (never quoting the sender's data back). */
function toRawLine(value: unknown, base: RawLine): RawLine | string {
  if (typeof value === 'string') return { ...base, line: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ELEMENT_SHAPE;
  const { message, timezone } = value as { message?: unknown; timezone?: unknown };
  if (typeof message !== 'string') return `${ELEMENT_SHAPE}; this object has no string \`message\``;
  if (timezone === undefined) return { ...base, line: message };
  if (typeof timezone !== 'string' || !isValidZone(timezone)) return '`timezone` must be an IANA time zone such as UTC or Europe/Paris';
  return { ...base, line: message, zone: timezone };
}

/**
 * Hands lines to the pipeline in chunks, a few in flight, and counts what it acknowledged. Only the unbroken run of
 * acknowledged chunks from the start counts as accepted: that is what a sender may safely skip when it resends.
 */
class ChunkSubmitter {
  private batch: RawLine[] = [];
  private batchChars = 0;
  private readonly inFlight: Promise<number>[] = [];
  accepted = 0;
  /** A submit was refused (the pipeline is stopping): nothing more is submitted. */
  refused = false;

  constructor(
    private readonly intake: PipelineIntake,
    private readonly telemetry: ComponentTelemetry,
    private readonly chunkLines: number,
  ) {}

  async add(line: RawLine): Promise<void> {
    this.batch.push(line);
    this.batchChars += line.line.length;
    if (this.batch.length < this.chunkLines && this.batchChars < MAX_CHUNK_CHARS) return;
    this.flush();
    while (this.inFlight.length >= MAX_SUBMITS_IN_FLIGHT) await this.settleOldest();
  }

  flush(): void {
    if (this.batch.length === 0 || this.refused) return;
    const lines = this.batch;
    this.batch = [];
    this.batchChars = 0;
    let submitted: Promise<void>;
    try {
      submitted = this.intake.submit(lines);
    } catch (error) {
      submitted = Promise.reject(error);
    }
    // Settled into a number at once: a refusal must never surface as an unhandled rejection while it waits its turn.
    this.inFlight.push(
      submitted.then(
        () => {
          this.telemetry.received(lines.length, 0);
          return lines.length;
        },
        () => {
          this.telemetry.error('submit', 'pipeline_stopping');
          return -1;
        },
      ),
    );
  }

  private async settleOldest(): Promise<void> {
    const count = await (this.inFlight.shift() as Promise<number>);
    if (count < 0) this.refused = true;
    else if (!this.refused) this.accepted += count;
  }

  /** Waits for every chunk in flight; `flush` first submits the partial chunk. */
  async finish(flush: boolean): Promise<number> {
    if (flush) this.flush();
    while (this.inFlight.length > 0) await this.settleOldest();
    return this.accepted;
  }
}

type Outcome =
  | { kind: 'complete' }
  | { kind: 'too_large' }
  | { kind: 'malformed'; at: number; reason: string }
  | { kind: 'refused' }
  | { kind: 'aborted' };

interface IngestSettings {
  id: string;
  zone: string;
  maxBodyBytes: number;
  telemetry: ComponentTelemetry;
}

/** Streams one body into the submitter: reads only as fast as the pipeline acknowledges, and stops at the first problem. */
async function ingestBody(body: Readable, format: BodyFormat, settings: IngestSettings, submitter: ChunkSubmitter): Promise<Outcome> {
  const splitter = format === 'json' ? new JsonArraySplitter() : new LineSplitter();
  const decoder = new StringDecoder('utf8');
  const pieces: Piece[] = [];
  let bytes = 0;
  let base: RawLine = { line: '', receivedAt: 0, sourceId: settings.id, zone: settings.zone };

  const take = async (problem: Malformed | undefined): Promise<Outcome | undefined> => {
    for (const piece of pieces) {
      let line: RawLine | string;
      if (format === 'text') line = { ...base, line: piece.text };
      else {
        let value: unknown;
        try {
          value = JSON.parse(piece.text);
        } catch {
          settings.telemetry.error('decode', 'invalid_json');
          return { kind: 'malformed', at: piece.at, reason: 'not valid JSON' };
        }
        line = toRawLine(value, base);
      }
      if (typeof line === 'string') {
        settings.telemetry.error('decode', 'invalid_element');
        return { kind: 'malformed', at: piece.at, reason: line };
      }
      await submitter.add(line);
      if (submitter.refused) return { kind: 'refused' };
    }
    pieces.length = 0;
    if (problem) settings.telemetry.error('decode', 'invalid_json');
    return problem ? { kind: 'malformed', ...problem } : undefined;
  };

  try {
    // Not destroyed on an early stop: destroying the request would take the socket, and the answer, with it.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      base = { ...base, receivedAt: Date.now() };
      const room = settings.maxBodyBytes - bytes;
      const usable = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += usable.length;
      settings.telemetry.received(0, usable.length);
      const stopped = await take(splitter.push(decoder.write(usable), pieces));
      if (stopped) return stopped;
      if (usable !== chunk) {
        settings.telemetry.error('receive', 'body_too_large');
        return { kind: 'too_large' };
      }
    }
  } catch {
    settings.telemetry.error('receive', 'aborted');
    return { kind: 'aborted' };
  }
  const tail = splitter.push(decoder.end(), pieces);
  return (await take(tail ?? splitter.end(pieces))) ?? { kind: 'complete' };
}

// ---------------------------------------------------------------- the route

/**
 * The HTTP ingest source as an encapsulated fastify plugin: `POST <path>` with NDJSON, a JSON array or plain text.
 * The body is streamed and handed to the pipeline in chunks; the answer waits until every chunk is durable in the sinks'
 * spools, so a 200 (and the `accepted` count of any error) survives a crash. Anything rejected up front is rejected
 * before a byte of the body is read.
 */
export const httpSource: FastifyPluginAsync<HttpSourceOptions> = async (app, options) => {
  const { id, zone, intake, telemetry } = options;
  const path = options.path ?? HTTP_SOURCE_DEFAULTS.path;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_SOURCE_DEFAULTS.maxBodyBytes;
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
    const outcome = await ingestBody(request.body as Readable, format, { id, zone, maxBodyBytes, telemetry }, submitter);
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
            message: `the body is larger than this source's limit of ${maxBodyBytes} bytes, so reading stopped there: the first ${accepted} elements were accepted and stored; resend the rest in smaller requests`,
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
      case 'aborted':
        // The sender is gone; this answer is for the log only.
        return reply.code(400).header('connection', 'close').send({ error: 'aborted', message: 'the request body ended early', accepted });
    }
  });
};
