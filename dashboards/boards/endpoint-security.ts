import { EVENT_COLUMNS } from './columns.js';
import type { Board } from './model.js';

// An antivirus detection is one upload whatever the endpoint did with the file (FortiClient's 96530 with its action):
// malware-quarantined is a detection whose action was quarantine, not a second event for the same file.
const DETECTIONS = 'event.action:(malware-detected OR malware-quarantined)';
const THREATS = 'event.action:(malware-detected OR malware-quarantined OR ransomware-detected OR exploit-blocked)';
const VULNERABILITIES = 'event.action:vulnerability-detected';
const CRITICAL = `${VULNERABILITIES} AND vulnerability.severity:Critical`;

/**
 * What endpoints report about threats to them: antivirus detections and quarantines, vulnerability scans, web filter
 * and application firewall blocks. EMS's relays of the uploads (fortiems.client) and FortiClient's own lines, direct or
 * forwarded by FortiAnalyzer (fortiems.forticlient), carry the same event.action and ECS fields, so every panel counts
 * both.
 */
export const endpointSecurityBoard: Board = {
  id: 'fortiems-endpoint-security',
  title: 'FortiClient EMS — Endpoint security',
  description:
    'Malware detections and quarantines, vulnerabilities by severity and CVE, web filter and application firewall blocks, ' +
    'as uploaded to EMS and as logged by FortiClient itself.',
  filter: 'data_stream.dataset:(fortiems.client OR fortiems.forticlient)',
  panels: [
    { id: 'threats', title: 'Threat detections', kind: 'stat', filter: THREATS, query: { type: 'count' }, width: 6, height: 4 },
    {
      id: 'infected-hosts-distinct',
      title: 'Infected endpoints',
      kind: 'stat',
      filter: THREATS,
      query: { type: 'cardinality', field: 'host.id' },
      width: 6,
      height: 4,
    },
    {
      id: 'critical-hosts-distinct',
      title: 'Endpoints with critical vulnerabilities',
      kind: 'stat',
      filter: CRITICAL,
      query: { type: 'cardinality', field: 'host.id' },
      width: 6,
      height: 4,
      description: 'Endpoints a scan found a Critical vulnerability on in the period (a later fix is not subtracted).',
    },
    {
      id: 'web-blocked',
      title: 'Web pages blocked',
      kind: 'stat',
      filter: 'event.action:web-blocked',
      query: { type: 'count' },
      width: 6,
      height: 4,
    },
    {
      id: 'detections-over-time',
      title: 'Detections over time by malware category',
      kind: 'timeseries',
      filter: DETECTIONS,
      query: { type: 'date_histogram', splitBy: { field: 'threat.software.type', size: 8 } },
      width: 24,
      height: 8,
    },
    {
      id: 'top-malware',
      title: 'Top malware',
      kind: 'bar',
      filter: DETECTIONS,
      query: { type: 'terms', field: 'threat.software.name', size: 10, splitBy: { field: 'event.action', size: 2 } },
      width: 12,
      height: 8,
    },
    {
      id: 'top-infected-hosts',
      title: 'Top infected endpoints',
      kind: 'bar',
      filter: THREATS,
      query: { type: 'terms', field: 'host.hostname', size: 10, splitBy: { field: 'event.action', size: 4 } },
      width: 12,
      height: 8,
    },
    {
      id: 'quarantined-files',
      title: 'Quarantined files',
      kind: 'events',
      filter: 'event.action:malware-quarantined',
      query: { type: 'events', columns: EVENT_COLUMNS.malware, size: 100 },
      width: 24,
      height: 10,
    },
    {
      id: 'vulnerabilities-by-severity',
      title: 'Vulnerabilities by severity',
      kind: 'pie',
      filter: VULNERABILITIES,
      query: { type: 'terms', field: 'vulnerability.severity', size: 5 },
      width: 8,
      height: 8,
    },
    {
      id: 'top-cves',
      title: 'Top CVEs by affected endpoints',
      kind: 'table',
      filter: VULNERABILITIES,
      // Ranked by endpoints, not reports: a daily scan reports the same CVE on the same endpoint every day.
      query: { type: 'terms', field: 'vulnerability.id', size: 20, distinct: 'host.id' },
      width: 8,
      height: 8,
    },
    {
      id: 'critical-hosts',
      title: 'Endpoints with critical vulnerabilities',
      kind: 'table',
      filter: CRITICAL,
      query: { type: 'terms', field: 'host.hostname', size: 20, distinct: 'vulnerability.id' },
      width: 8,
      height: 8,
      description: 'Distinct Critical CVEs reported per endpoint in the period.',
    },
    {
      id: 'web-blocks-by-category',
      title: 'Web filter blocks by category',
      kind: 'bar',
      filter: 'event.action:web-blocked',
      query: { type: 'terms', field: 'rule.category', size: 10 },
      width: 8,
      height: 8,
    },
    {
      id: 'top-blocked-domains',
      title: 'Top blocked domains',
      kind: 'bar',
      filter: 'event.action:web-blocked',
      query: { type: 'terms', field: 'destination.domain', size: 10, splitBy: { field: 'rule.category', size: 1 } },
      width: 8,
      height: 8,
    },
    {
      id: 'firewall-blocks',
      title: 'Application firewall blocks',
      kind: 'bar',
      filter: 'event.action:firewall-blocked',
      query: { type: 'terms', field: 'network.application', size: 10, splitBy: { field: 'host.hostname', size: 5 } },
      width: 8,
      height: 8,
    },
  ],
};
