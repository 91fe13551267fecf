/**
 * What endpoints upload to EMS (fcems_upload: antivirus, web filter and firewall alerts, vulnerability scan results,
 * software inventory changes) and the ZTNA device certificates EMS issues (fcems_ztna, fcems_scep).
 *
 * One set of field names for every producer: the keys are FortiClient's own (its log-message reference: antivirus
 * 96530/96531 `virus viruscat file checksum detectedby action`, vulnerability 96520-96523 `vulnid vulnname vulncat
 * vulnseverity vulncvss vulnproducts`, web filter 96500-96503 `url remotename utmaction utmevent direction srcip srcport
 * dstip dstport sentbyte rcvdbyte`), so an EMS relay of an upload and the FortiClient line itself, direct or forwarded
 * by FortiAnalyzer, decode into the same typed fields, the same ECS fields and the same vocabulary entry.
 * `cveid`, `software`/`swversion` and the `cert*` fields are ours (FortiClient puts the CVE in free text and logs no
 * inventory changes or certificates).
 */
import type { EventDefinition } from './define-category.js';
import { IP, optional } from './fields.js';

export const ENDPOINT_SECURITY_FIELDS = [
  optional('action', 'string', { doc: 'What the endpoint did: detected, blocked, quarantined, deleted, cleaned, allowed' }),
  // Antivirus / anti-malware
  optional('virus', 'string', { doc: 'Malware name as the AV engine reports it', ecs: 'threat.software.name' }),
  optional('viruscat', 'string', {
    doc: 'Malware category: Virus, Worm, Trojan, Riskware, Grayware, Ransomware',
    ecs: 'threat.software.type',
  }),
  optional('file', 'string', { doc: 'Full path of the file the detection concerns', ecs: 'file.path' }),
  optional('checksum', 'string', { doc: "FortiClient's file checksum (CRC32, hex): not an ECS hash algorithm, kept raw" }),
  optional('detectedby', 'string', { doc: 'Realtime, Scheduled scan, On-demand scan, Sandbox, Anti-exploit, Anti-ransomware' }),
  // Vulnerability scan
  optional('vulnid', 'long', { doc: "Fortinet's vulnerability id (FortiGuard)" }),
  optional('vulnname', 'string', { doc: 'Vulnerability name', ecs: 'vulnerability.description' }),
  optional('vulncat', 'string', {
    doc: 'Vulnerability category: Operating System, Web Client, Third Party App, ...',
    ecs: 'vulnerability.category',
  }),
  optional('vulnseverity', 'string', { doc: 'Critical, High, Medium, Low, Info', ecs: 'vulnerability.severity' }),
  optional('vulncvss', 'double', { doc: 'CVSS base score, 0.0-10.0', ecs: 'vulnerability.score.base' }),
  optional('cveid', 'string', { doc: 'CVE id of the vulnerability (ours)', ecs: 'vulnerability.id', pattern: '^CVE-[0-9]{4}-[0-9]{4,}$' }),
  optional('vulnproducts', 'string', { doc: 'Affected product', ecs: 'package.name' }),
  // Web filter and firewall (traffic)
  optional('url', 'string', { doc: 'Requested URL', ecs: 'url.full' }),
  optional('remotename', 'string', { doc: 'Remote host name (the requested domain)', ecs: 'destination.domain' }),
  optional('catdesc', 'string', { doc: 'Web filter category, e.g. Malicious Websites', ecs: 'rule.category' }),
  optional('app', 'string', { doc: 'Application (application firewall)', ecs: 'network.application' }),
  optional('appcat', 'string', { doc: 'Application category' }),
  optional('utmaction', 'string', { doc: 'Security action: blocked, passthrough, monitored, allowed' }),
  optional('utmevent', 'string', { doc: 'Security feature: webfilter, appfirewall, antivirus, ...' }),
  optional('direction', 'string', { doc: 'outbound or inbound', ecs: 'network.direction' }),
  optional('proto', 'int', { doc: 'IP protocol number', ecs: 'network.iana_number' }),
  optional('srcip', IP, { doc: 'Source address of the connection', ecs: 'source.ip' }),
  optional('srcport', 'int', { doc: 'Source port', ecs: 'source.port' }),
  optional('dstip', IP, { doc: 'Destination address', ecs: 'destination.ip' }),
  optional('dstport', 'int', { doc: 'Destination port', ecs: 'destination.port' }),
  optional('sentbyte', 'long', { doc: 'Bytes sent by the endpoint', ecs: 'source.bytes' }),
  optional('rcvdbyte', 'long', { doc: 'Bytes received by the endpoint', ecs: 'destination.bytes' }),
  // Software inventory (posture)
  optional('software', 'string', { doc: 'Installed or removed application (ours)', ecs: 'package.name' }),
  optional('swversion', 'string', { doc: 'Its version (ours)', ecs: 'package.version' }),
  // ZTNA device certificates
  optional('certserial', 'string', { doc: 'Serial number of the device certificate (ours)', ecs: 'tls.client.x509.serial_number' }),
  optional('certsubject', 'string', {
    doc: 'Its subject common name: the endpoint UID (ours)',
    ecs: 'tls.client.x509.subject.common_name',
  }),
  optional('certexpiry', 'string', { doc: 'Its expiry, "YYYY-MM-DD HH:MM:SS" in EMS time (ours)' }),
] as const;

type SecurityFieldName = (typeof ENDPOINT_SECURITY_FIELDS)[number]['name'];

const malware = { category: ['malware', 'file'] } as const;
const web = { category: ['web', 'network'] } as const;

/** The uploads' vocabulary, in ems-client (subtype `upload` for what fcems_upload relays, `endpoint` otherwise). */
export const ENDPOINT_SECURITY_EVENTS = [
  {
    id: 'malware-detected',
    subtype: 'upload',
    level: 'warning',
    msg: 'Malware detected',
    endpoint: true,
    fields: ['virus', 'viruscat', 'file', 'action', 'detectedby'],
    ecs: { ...malware, type: ['info'], outcome: 'success' },
  },
  {
    id: 'malware-quarantined',
    subtype: 'upload',
    level: 'warning',
    msg: 'Malware quarantined',
    endpoint: true,
    fields: ['virus', 'viruscat', 'file', 'checksum', 'action', 'detectedby'],
    ecs: { ...malware, type: ['info', 'deletion'], outcome: 'success' },
  },
  {
    id: 'exploit-blocked',
    subtype: 'upload',
    level: 'critical',
    msg: 'Exploit blocked',
    endpoint: true,
    fields: ['file', 'action', 'detectedby'],
    ecs: { category: ['intrusion_detection', 'process'], type: ['denied'], outcome: 'success' },
  },
  {
    id: 'ransomware-detected',
    subtype: 'upload',
    level: 'critical',
    msg: 'Ransomware detected',
    endpoint: true,
    fields: ['file', 'action', 'detectedby'],
    ecs: { ...malware, type: ['info', 'denied'], outcome: 'success' },
  },
  {
    id: 'web-blocked',
    subtype: 'upload',
    level: 'notice',
    msg: 'Web page blocked',
    endpoint: true,
    fields: ['url', 'remotename', 'catdesc', 'utmaction', 'utmevent', 'direction', 'dstip', 'dstport'],
    ecs: { ...web, type: ['access', 'denied'], outcome: 'success' },
  },
  {
    id: 'web-allowed',
    subtype: 'upload',
    level: 'information',
    msg: 'Web page allowed',
    endpoint: true,
    fields: ['url', 'remotename', 'utmaction', 'utmevent', 'direction', 'dstip', 'dstport'],
    ecs: { ...web, type: ['access', 'allowed'], outcome: 'success' },
  },
  {
    id: 'firewall-blocked',
    subtype: 'upload',
    level: 'notice',
    msg: 'Connection blocked by application firewall',
    endpoint: true,
    fields: ['app', 'utmaction', 'utmevent', 'direction', 'dstip', 'dstport', 'proto'],
    ecs: { category: ['network'], type: ['connection', 'denied'], outcome: 'success' },
  },
  {
    id: 'firewall-allowed',
    subtype: 'upload',
    level: 'information',
    msg: 'Connection allowed',
    endpoint: true,
    fields: ['direction', 'dstip', 'dstport', 'proto'],
    ecs: { category: ['network'], type: ['connection', 'allowed'], outcome: 'success' },
  },
  {
    id: 'vulnerability-detected',
    subtype: 'upload',
    level: 'warning',
    msg: 'Vulnerability detected',
    endpoint: true,
    fields: ['vulnid', 'vulnname', 'vulncat', 'vulnseverity', 'vulncvss', 'cveid', 'vulnproducts'],
    ecs: { category: ['vulnerability', 'host'], type: ['info'] },
  },
  {
    id: 'vulnerability-resolved',
    subtype: 'upload',
    level: 'information',
    msg: 'Vulnerability resolved',
    endpoint: true,
    fields: ['vulnid', 'vulnname', 'vulnseverity', 'cveid', 'vulnproducts'],
    ecs: { category: ['vulnerability', 'host'], type: ['change'], outcome: 'success' },
  },
  {
    id: 'software-installed',
    subtype: 'endpoint',
    level: 'information',
    msg: 'Software installed',
    endpoint: true,
    fields: ['software', 'swversion'],
    ecs: { category: ['package', 'host'], type: ['installation'], outcome: 'success' },
  },
  {
    id: 'software-removed',
    subtype: 'endpoint',
    level: 'information',
    msg: 'Software removed',
    endpoint: true,
    fields: ['software', 'swversion'],
    ecs: { category: ['package', 'host'], type: ['deletion'], outcome: 'success' },
  },
  {
    id: 'ztna-certificate-issued',
    subtype: 'endpoint',
    level: 'information',
    msg: 'ZTNA certificate issued',
    endpoint: true,
    fields: ['certserial', 'certsubject', 'certexpiry'],
    ecs: { category: ['host', 'iam'], type: ['creation'], outcome: 'success' },
  },
  {
    id: 'ztna-certificate-revoked',
    subtype: 'endpoint',
    level: 'notice',
    msg: 'ZTNA certificate revoked',
    endpoint: true,
    fields: ['certserial', 'certsubject'],
    ecs: { category: ['host', 'iam'], type: ['deletion'], outcome: 'success' },
  },
] as const satisfies readonly EventDefinition<SecurityFieldName, 'upload' | 'endpoint'>[];

export type EndpointSecurityEventId = (typeof ENDPOINT_SECURITY_EVENTS)[number]['id'];

/**
 * FortiClient's log ids (its log-message reference; reference §7) → the vocabulary entry for the same event, so a
 * FortiClient line and EMS's relay of it get the same event.action, category, type and outcome.
 */
export function forticlientSecurityEvent(logId: number, action: string | undefined): EndpointSecurityEventId | undefined {
  const blocked = action === 'blocked' || action === 'block' || action === 'deny' || action === 'denied';
  if (logId === 96530 || logId === 96531) return action === 'quarantined' ? 'malware-quarantined' : 'malware-detected';
  if (logId === 96548) return 'exploit-blocked';
  if (logId === 98000) return 'ransomware-detected';
  if (logId >= 96500 && logId <= 96503) return blocked ? 'web-blocked' : 'web-allowed';
  if (logId === 96701) return blocked ? 'firewall-blocked' : 'firewall-allowed';
  if (logId === 96900) return blocked ? 'firewall-blocked' : 'firewall-allowed';
  if (logId >= 96520 && logId <= 96523) return 'vulnerability-detected';
  return undefined;
}
