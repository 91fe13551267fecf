import { type CategoryName, categoryByName, FORTICLIENT, isCategoryName, toIndexDocument } from '../mappings/index.js';
import { type DecodedRecord, decodeCanonicalEmsBody, decodeEmsRecord, decodeProducerRecord } from './ems-decode.js';
import { isSyslog, normalizeGenericSyslog, SYSLOG_DATASET } from './generic-syslog.js';
import { BARE_TOKEN_PROBLEM, parseKeyValue } from './key-value.js';
import { neighbourTime, type TimeSource } from './neighbour-time.js';
import { normalizeFortigate } from './neighbours.js';
import { type BodyProducer, detectProducer, inferCategory, type Producer } from './producer.js';
import { parseSyslogHeader, type SyslogHeader } from './syslog-header.js';

/** Per-source settings and what the receiving side knows about a line. */
export interface ParseContext {
  /** When the line was received (epoch ms). */
  receivedAt: number;
  /** Zone of zone-less times from this source: RFC 3164 headers and EMS `dtime`. Default UTC. */
  zone?: string;
  /** data_stream.namespace. Default `default`. */
  namespace?: string;
}

/**
 * The line as it was received, with what the receiver knew: set by the pipeline (`ingest/`), read by a sink that hands
 * the line on unparsed (Kafka), so the next tier parses exactly what this one would have.
 */
export interface ReceivedLine {
  line: string;
  /** Epoch ms. */
  receivedAt: number;
  sourceId: string;
  zone: string;
  framingError?: string;
  id?: string;
}

/** One normalized event, ready to enrich and index; `kind: 'pipeline_error'` carries the raw line and the reason. */
export interface ParsedEvent {
  kind: 'event' | 'pipeline_error';
  producer: Producer;
  category: CategoryName | undefined;
  /**
   * data_stream.dataset: `fortiems.client`, …, `fortiems.forticlient`, `fortiems.fortigate`, `fortiems.syslog` (anyone
   * else's syslog) or `fortiems.unparsed`.
   */
  dataset: string;
  document: Record<string, unknown>;
  /** Validation problems (collected, not thrown); also in `fortiems.problems`. */
  problems: string[];
  /** The received line and its metadata, when it came through the pipeline. */
  received?: ReceivedLine;
}

export const UNPARSED_DATASET = 'fortiems.unparsed';
const MAX_PROBLEMS = 20;

// Consecutive lines mostly share their second and their receive time: remember the last conversions.
let lastInstant = Number.NaN;
let lastIso = '';
let lastReceived = Number.NaN;
let lastReceivedIso = '';

function isoOf(instant: number): string {
  if (instant !== lastInstant) {
    lastInstant = instant;
    lastIso = new Date(instant).toISOString();
  }
  return lastIso;
}

function receivedIso(instant: number): string {
  if (instant !== lastReceived) {
    lastReceived = instant;
    lastReceivedIso = new Date(instant).toISOString();
  }
  return lastReceivedIso;
}

/** The event for a line (or a frame) that could not be parsed: nothing is lost, the raw text and the reason are kept. */
export function pipelineError(original: string, reason: string, context: ParseContext, type = 'parse_error'): ParsedEvent {
  const namespace = context.namespace ?? 'default';
  return {
    kind: 'pipeline_error',
    producer: 'unknown',
    category: undefined,
    dataset: UNPARSED_DATASET,
    problems: [reason],
    document: {
      '@timestamp': isoOf(context.receivedAt),
      message: reason,
      event: { kind: 'pipeline_error', dataset: UNPARSED_DATASET, module: 'fortiems', original, ingested: isoOf(context.receivedAt) },
      error: { type, message: reason },
      data_stream: { type: 'logs', dataset: UNPARSED_DATASET, namespace },
    },
  };
}

function syslogFields(header: SyslogHeader): Record<string, unknown> | undefined {
  if (header.format === 'none' && header.priority === undefined) return undefined;
  const syslog: Record<string, unknown> = {};
  if (header.priority !== undefined) {
    syslog.priority = header.priority;
    syslog.facility = { code: header.facility };
    syslog.severity = { code: header.severity };
  }
  if (header.hostname !== undefined) syslog.hostname = header.hostname;
  if (header.appName !== undefined) syslog.appname = header.appName;
  if (header.procId !== undefined) syslog.procid = header.procId;
  if (header.msgId !== undefined) syslog.msgid = header.msgId;
  if (header.format === 'rfc5424') syslog.version = '1';
  return syslog;
}

function addProblems(document: Record<string, unknown>, problems: string[]): void {
  if (problems.length === 0) return;
  const fortiems = (document.fortiems ?? {}) as Record<string, unknown>;
  fortiems.problems =
    problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `… ${problems.length - MAX_PROBLEMS} more`] : problems;
  document.fortiems = fortiems;
}

/** Syslog from anyone: a PRI or a header, and a body that is not an EMS or neighbour log (generic-syslog.ts). */
function genericSyslogEvent(
  line: string,
  header: SyslogHeader,
  body: string,
  pairs: Record<string, string> | undefined,
  problems: string[],
  context: ParseContext,
): ParsedEvent {
  // Free text that happens to hold a `uid=0` is a message, not key=value: its pairs and its tokenizer complaints are noise.
  const freeText = problems.some((problem) => problem.startsWith(BARE_TOKEN_PROBLEM));
  const generic = normalizeGenericSyslog(header, body, freeText ? undefined : pairs);
  const all = freeText ? [...header.problems, ...generic.problems] : [...header.problems, ...problems, ...generic.problems];
  if (header.appName !== undefined && isCategoryName(header.appName))
    all.push(`the tag ${header.appName} names an EMS category, but the body is not an EMS log`);
  const document = generic.document;
  const headerTime = header.timestamp ?? header.relayTimestamp;
  document['@timestamp'] = isoOf(headerTime ?? context.receivedAt);
  document.event = {
    kind: 'event',
    ...(document.event as Record<string, unknown> | undefined),
    dataset: SYSLOG_DATASET,
    module: 'fortiems',
    original: line,
    ingested: receivedIso(context.receivedAt),
  };
  document.data_stream = { type: 'logs', dataset: SYSLOG_DATASET, namespace: context.namespace ?? 'default' };
  const event: ParsedEvent = { kind: 'event', producer: 'syslog', category: undefined, dataset: SYSLOG_DATASET, document, problems: all };
  finish(event, header, headerTime === undefined ? 'received' : 'header');
  const syslog = (document.log as { syslog?: Record<string, unknown> } | undefined)?.syslog;
  if (syslog && generic.structuredData) syslog.structured_data = generic.structuredData;
  return event;
}

/**
 * What every event gets from the header and the pipeline: `log.syslog.*`, `fortiems.producer`, `fortiems.time_source`
 * (where `@timestamp` came from) and `fortiems.problems`.
 */
function finish(event: ParsedEvent, header: SyslogHeader, timeSource: TimeSource): void {
  const syslog = syslogFields(header);
  if (syslog) {
    const log = (event.document.log ?? {}) as Record<string, unknown>;
    log.syslog = syslog;
    event.document.log = log;
  }
  const fortiems = (event.document.fortiems ?? {}) as Record<string, unknown>;
  fortiems.producer = event.producer;
  fortiems.time_source = timeSource;
  event.document.fortiems = fortiems;
  addProblems(event.document, event.problems);
}

/**
 * The ECS document of a typed record (an EMS category or the FortiClient schema), with the syslog HOSTNAME as
 * `observer.hostname` when the record named no observer: whoever sent the line.
 */
function typedDocument(
  schema: Parameters<typeof toIndexDocument>[0],
  decoded: DecodedRecord,
  instant: number,
  line: string,
  header: SyslogHeader,
  context: ParseContext,
): Record<string, unknown> {
  const document = toIndexDocument(schema, decoded.record, {
    timestamp: isoOf(instant),
    ingested: receivedIso(context.receivedAt),
    original: line,
    unknown: decoded.unknown,
    namespace: context.namespace ?? 'default',
    recordIsClean: true,
  }) as Record<string, unknown>;
  if (header.hostname !== undefined) {
    const observer = document.observer as Record<string, unknown>;
    observer.hostname ??= header.hostname;
  }
  return document;
}

function parse(line: string, context: ParseContext): ParsedEvent {
  const zone = context.zone ?? 'UTC';
  const header = parseSyslogHeader(line, { receivedAt: context.receivedAt, zone });
  const body = header.bodyStart === 0 ? line : line.slice(header.bodyStart);
  const syslog = isSyslog(header);
  if (body.trim() === '') {
    // RFC 5424 allows a message of structured data alone (§6.5 example 4), or nothing at all.
    if (syslog) return genericSyslogEvent(line, header, body, undefined, [], context);
    return pipelineError(line, 'empty message: no body after the syslog header', context);
  }
  const namespace = context.namespace ?? 'default';
  const headerTime = header.timestamp ?? header.relayTimestamp;
  const fallbackTime = headerTime ?? context.receivedAt;
  const fallbackSource: TimeSource = headerTime === undefined ? 'received' : 'header';
  let timeSource: TimeSource;
  const tag = header.appName;
  // The canonical EMS line (the tag names the category, keys in catalogue order) takes the fast path.
  const canonical = tag !== undefined && isCategoryName(tag) ? decodeCanonicalEmsBody(tag, body, zone) : undefined;
  let event: ParsedEvent;
  let problems: string[];
  let producer: BodyProducer;
  let pairs: Record<string, string> | undefined;
  let bodyProblems: string[] = [];
  if (canonical) {
    problems = header.problems.length > 0 ? [...header.problems, ...canonical.problems] : canonical.problems;
    producer = 'ems';
  } else {
    const kv = parseKeyValue(body);
    if (kv.order.length === 0) {
      if (syslog) return genericSyslogEvent(line, header, body, undefined, [], context);
      return pipelineError(line, 'no key=value pairs in the body', context);
    }
    pairs = kv.pairs;
    bodyProblems = kv.problems;
    producer = detectProducer(kv.pairs, tag);
    problems = [...header.problems, ...kv.problems];
  }

  if (producer === 'ems' || producer === 'unknown') {
    let category: CategoryName | undefined = canonical ? (tag as CategoryName) : undefined;
    let decoded = canonical;
    if (!decoded && pairs) {
      category = inferCategory(pairs, tag);
      // Someone else's key=value syslog: a generic event that keeps the pairs; without a header, nobody's line.
      if (!category) {
        if (syslog) return genericSyslogEvent(line, header, body, pairs, bodyProblems, context);
        return pipelineError(line, 'not an EMS, FortiClient or FortiGate log: no category could be inferred', context);
      }
      if (producer === 'unknown' && !('emsserial' in pairs) && !('dtime' in pairs)) {
        if (syslog) return genericSyslogEvent(line, header, body, pairs, bodyProblems, context);
        return pipelineError(line, 'not an EMS, FortiClient or FortiGate log: no EMS fingerprint (emsserial, dtime)', context);
      }
      if (tag !== undefined && tag !== category)
        problems.push(`category inferred as ${category}; the tag says ${JSON.stringify(tag.slice(0, 40))}`);
      decoded = decodeEmsRecord(category, pairs, zone);
      problems.push(...decoded.problems);
    }
    if (!decoded || !category) return pipelineError(line, 'internal: no decoded record', context, 'parser_failure');
    timeSource = decoded.eventTime === undefined ? fallbackSource : 'dtime';
    // emshostname may be empty (observed); the syslog HOSTNAME of an EMS line is the EMS server itself.
    const document = typedDocument(category, decoded, decoded.eventTime ?? fallbackTime, line, header, context);
    const definition = categoryByName(category);
    event = { kind: 'event', producer: 'ems', category, dataset: definition?.dataset ?? category, document, problems };
  } else if (producer === 'forticlient' || producer === 'fortianalyzer') {
    // FortiClient's own lines, typed like EMS's relay of the same events (the same fields, ECS and vocabulary).
    const raw = pairs ?? {};
    const decoded = decodeProducerRecord(FORTICLIENT, raw, zone);
    problems.push(...decoded.problems);
    const time = neighbourTime(raw, zone, problems);
    timeSource = time?.source ?? fallbackSource;
    // Who sent the line: the endpoint itself, or the FortiAnalyzer that forwarded it (its devname is observer.name).
    const document = typedDocument(FORTICLIENT, decoded, time?.instant ?? fallbackTime, line, header, context);
    event = { kind: 'event', producer, category: undefined, dataset: FORTICLIENT.dataset, document, problems };
  } else {
    const neighbour = normalizeFortigate(pairs ?? {}, zone);
    problems.push(...neighbour.problems);
    const document = neighbour.document;
    timeSource = neighbour.time?.source ?? fallbackSource;
    document['@timestamp'] = isoOf(neighbour.time?.instant ?? fallbackTime);
    const ecsEvent = (document.event ?? {}) as Record<string, unknown>;
    document.event = {
      kind: 'event',
      ...ecsEvent,
      dataset: neighbour.dataset,
      module: 'fortiems',
      original: line,
      ingested: receivedIso(context.receivedAt),
    };
    document.fortiems = { extra: { ...pairs } };
    document.data_stream = { type: 'logs', dataset: neighbour.dataset, namespace };
    event = { kind: 'event', producer, category: undefined, dataset: neighbour.dataset, document, problems };
  }
  finish(event, header, timeSource);
  return event;
}

/** Any line in, exactly one event out. Never throws: an unexpected failure becomes a pipeline_error event. */
export function parseLine(line: string, context: ParseContext): ParsedEvent {
  try {
    return parse(line, context);
  } catch (error) {
    return pipelineError(line, `parser failure: ${(error as Error).message}`, context, 'parser_failure');
  }
}
