/**
 * FortiClient's own log lines (reference §7), direct or forwarded by FortiAnalyzer: a producer schema, not an eleventh
 * EMS category. Its header fields are FortiClient's (`date time tz logver id type subtype eventtype level uid devid
 * hostname pcdomain …`), FortiAnalyzer's prefix (`devname devid vd itime fctsn`, and `eventtime` on newer builds) and,
 * for the per-event fields, the very `ENDPOINT_SECURITY_FIELDS` ems-client uses for EMS's relay of the same uploads:
 * the same raw names, types and ECS targets, so both producers give the same document for the same event.
 *
 * The vocabulary entry (event.action/category/type/outcome) is the ems-client one that `forticlientSecurityEvent`
 * picks from the log id and the action.
 */
import { emsClient } from './categories/ems-client.js';
import { ENDPOINT_FIELDS, ENDPOINT_TAIL_FIELDS } from './common-fields.js';
import type { EventDefinition } from './define-category.js';
import { ENDPOINT_SECURITY_FIELDS, forticlientSecurityEvent } from './endpoint-security.js';
import { type CatalogueField, IP, LEVEL, optional } from './fields.js';

/** A record schema that is not an EMS category (a neighbour's own lines): what the decoder and the document need. */
export interface ProducerDefinition {
  /** Cache key of the compiled decoder and ECS filler; also `_meta.producer` of its template. */
  readonly name: string;
  /** data_stream.dataset and event.dataset. */
  readonly dataset: string;
  readonly schema: { readonly name: string; readonly doc: string; readonly fields: readonly CatalogueField[] };
  readonly observer: { readonly product: string; readonly type: string };
  /** The vocabulary entry the typed record stands for, if any (gives event.action/category/type/outcome). */
  vocabulary(record: Record<string, unknown>): EventDefinition | undefined;
}

export const FORTICLIENT_FIELDS = [
  // FortiAnalyzer's prefix, when it forwards the line (first in the body, so its devid and vd win over the endpoint's).
  optional('devname', 'string', { doc: 'FortiAnalyzer: name of the device the log came from', ecs: 'observer.name' }),
  optional('itime', 'long', { doc: 'FortiAnalyzer: when it received the log, epoch seconds' }),
  optional('fctsn', 'string', { doc: 'FortiAnalyzer: serial of the FortiClient that logged', ecs: 'observer.serial_number' }),
  optional('eventtime', 'string', {
    doc: 'Event instant since the epoch: seconds to nanoseconds, told apart by magnitude (a string: 19 digits exceed a double)',
  }),
  // FortiClient's header.
  optional('date', 'string', { doc: 'Endpoint wall-clock date, YYYY-MM-DD' }),
  optional('time', 'string', { doc: 'Endpoint wall-clock time, HH:MM:SS' }),
  optional('tz', 'string', { doc: 'Zone of date/time: +0100, -0500, +05:30, UTC' }),
  optional('logver', 'string', { doc: 'Log format version' }),
  optional('id', 'string', { doc: 'FortiClient log id, e.g. 96530', ecs: 'event.code', pattern: '^[0-9]{1,10}$' }),
  optional('type', 'string', { doc: 'Log type: securityevent, traffic, event, vuln' }),
  optional('subtype', 'string', { doc: 'Log subtype: antivirus, webfilter, appfirewall, system, ...' }),
  optional('eventtype', 'string', { doc: 'Event type within the subtype' }),
  optional('level', LEVEL, { doc: 'Severity word (FortiClient writes info)', ecs: 'log.level' }),
  // The endpoint's identity, as EMS writes it about the same endpoint: uid devid hostname user deviceip devicemac, os.
  ...ENDPOINT_FIELDS,
  ...ENDPOINT_TAIL_FIELDS,
  optional('pcdomain', 'string', { doc: 'Windows domain the endpoint belongs to', ecs: 'host.domain' }),
  optional('site', 'string', { doc: 'EMS site (multi-site EMS)' }),
  optional('vd', 'string', { doc: 'Virtual domain' }),
  optional('fctver', 'string', { doc: 'FortiClient version', ecs: 'agent.version' }),
  optional('fgtserial', 'string', { doc: 'Serial of the FortiGate the endpoint is registered to' }),
  optional('emsserial', 'string', { doc: 'Serial of the EMS managing the endpoint' }),
  optional('usingpolicy', 'string', { doc: 'Endpoint profile in force' }),
  optional('msg', 'string', { doc: 'The message, in words', ecs: 'message' }),
  optional('sessionid', 'string', { doc: 'FortiClient session id (no ECS field: kept raw)' }),
  optional('srcproduct', 'string', { doc: 'Producing FortiClient module, e.g. FortiClient, FortiClient VPN' }),
  optional('service', 'string', { doc: 'Service of the connection: https, dns, ... (ECS has no field for a service name on a flow)' }),
  optional('tunnelip', IP, { doc: 'Address the VPN tunnel gave the endpoint' }),
  optional('remip', IP, { doc: 'Remote address: the VPN gateway the endpoint connected to', ecs: 'destination.ip' }),
  ...ENDPOINT_SECURITY_FIELDS,
] as const;

const EMS_CLIENT_EVENTS = new Map<string, EventDefinition>(emsClient.events.map((event) => [event.id, event as EventDefinition]));

/** FortiClient's log id and action → the ems-client vocabulary entry for the same event. */
export function forticlientVocabulary(record: Record<string, unknown>): EventDefinition | undefined {
  const id = record.id;
  if (typeof id !== 'string') return undefined;
  const action = typeof record.action === 'string' ? record.action : typeof record.utmaction === 'string' ? record.utmaction : undefined;
  const entry = forticlientSecurityEvent(Number(id), action);
  return entry === undefined ? undefined : EMS_CLIENT_EVENTS.get(entry);
}

export const FORTICLIENT: ProducerDefinition = {
  name: 'forticlient',
  dataset: 'fortiems.forticlient',
  schema: {
    name: 'FortiClientLog',
    doc: 'FortiClient endpoint log, direct or forwarded by FortiAnalyzer',
    fields: FORTICLIENT_FIELDS,
  },
  observer: { product: 'FortiClient', type: 'endpoint' },
  vocabulary: forticlientVocabulary,
};

/** The record schemas that are not EMS categories: typed, templated and inventoried like them. */
export const PRODUCER_SCHEMAS: readonly ProducerDefinition[] = [FORTICLIENT];
