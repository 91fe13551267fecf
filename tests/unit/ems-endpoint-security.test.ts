import { describe, expect, it, vi } from 'vitest';
import { EndpointSecurityActivity, severityOf } from '../../ems-core/simulation/activities/endpoint-security.js';
import { localWeekday } from '../../ems-core/simulation/ems-time.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { ENDPOINT_SECURITY_EVENTS } from '../../mappings/catalogue/endpoint-security.js';
import { eventByMessage, validateRecord } from '../../mappings/index.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

async function collect(options: { seed: number; days: number; scenario?: ScenarioName; timeZone?: string }): Promise<EmsLogLine[]> {
  const sim = new Simulation({
    seed: options.seed,
    start: MONDAY,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    ...(options.timeZone ? { identity: { timeZone: options.timeZone } } : {}),
  });
  const lines: EmsLogLine[] = [];
  await runSimulation(sim, (line) => void lines.push(line), { until: MONDAY + options.days * DAY });
  return lines;
}

const idOf = (line: EmsLogLine) => eventByMessage(line.category, String(line.record.msg))?.id ?? '(unknown)';
const ofEvent = (lines: EmsLogLine[], id: string) => lines.filter((line) => idOf(line) === id);

describe('the office day uploads what endpoints see', () => {
  // Two office weeks: the rare events (an exploit, an admin account change) show up at least once.
  const fortnight = collect({ seed: 7, days: 14 });
  const day = collect({ seed: 7, days: 1 });

  it('each new event type in a plausible daily volume, and every line valid against the catalogue', async () => {
    const lines = await day;
    const count = (id: string) => ofEvent(lines, id).length;
    expect(count('malware-quarantined') + count('malware-detected')).toBeGreaterThanOrEqual(2);
    expect(count('malware-quarantined') + count('malware-detected')).toBeLessThanOrEqual(6);
    expect(count('web-blocked')).toBeGreaterThanOrEqual(10);
    expect(count('web-blocked')).toBeLessThanOrEqual(30);
    expect(count('firewall-blocked')).toBeLessThanOrEqual(4);
    // The noon scan: a few findings per endpoint for a fleet of ~230 present, most with none.
    expect(count('vulnerability-detected')).toBeGreaterThan(100);
    expect(count('vulnerability-detected')).toBeLessThan(500);
    expect(count('software-installed') + count('software-removed')).toBeGreaterThanOrEqual(3);
    expect(count('ztna-certificate-issued')).toBe(count('endpoint-registered'));
    for (const line of lines) expect(validateRecord(line.category, line.record), JSON.stringify(line.record)).toEqual([]);
  });

  it('over two weeks every event the office produces appears, and the traffic-allowed and incident-only events do not', async () => {
    const lines = await fortnight;
    const seen = new Set(lines.map(idOf));
    const office = [
      'malware-detected',
      'malware-quarantined',
      'exploit-blocked',
      'web-blocked',
      'firewall-blocked',
      'vulnerability-detected',
      'vulnerability-resolved',
      'software-installed',
      'software-removed',
      'ztna-certificate-issued',
      'ztna-certificate-revoked',
      'admin-account-created',
    ];
    for (const id of office) expect(seen.has(id), id).toBe(true);
    // EMS relays violations only: allowed traffic is logged when "log all URLs" is on; ransomware is an incident.
    for (const id of ['web-allowed', 'firewall-allowed', 'ransomware-detected']) expect(seen.has(id), id).toBe(false);
    expect(ENDPOINT_SECURITY_EVENTS.map((e) => e.id).filter((id) => !office.includes(id))).toEqual([
      'ransomware-detected',
      'web-allowed',
      'firewall-allowed',
    ]);
    for (const line of ofEvent(lines, 'ztna-certificate-revoked')) {
      const deregistered = lines.find((l) => idOf(l) === 'endpoint-deregistered' && l.record.uid === line.record.uid);
      expect(deregistered?.time.getTime()).toBe(line.time.getTime());
    }
  });

  it('detections look like FortiClient: most quarantined by realtime, named and categorised, Windows paths, CRC32 checksums', async () => {
    const detections = [...ofEvent(await fortnight, 'malware-quarantined'), ...ofEvent(await fortnight, 'malware-detected')];
    expect(detections.length).toBeGreaterThan(20);
    const quarantined = detections.filter((l) => l.record.action === 'quarantined');
    expect(quarantined.length / detections.length).toBeGreaterThan(0.6);
    for (const line of quarantined) expect(line.record.detectedby).toBe('Realtime');
    for (const { record } of detections) {
      expect(record.virus).toMatch(/^([A-Za-z0-9]+\/[A-Za-z0-9.]+(![a-z]+)?|EICAR_TEST_FILE)$/);
      expect(['Virus', 'Worm', 'Trojan', 'Riskware', 'Grayware', 'Ransomware']).toContain(record.viruscat);
      expect(record.checksum).toMatch(/^[0-9a-f]{8}$/);
      if (String(record.os).startsWith('Microsoft Windows'))
        expect(record.file).toMatch(new RegExp(`^C:\\\\Users\\\\${record.user}\\\\(Downloads|AppData)\\\\`));
      else expect(record.file).toMatch(new RegExp(`^/Users/${record.user}/`));
    }
  });

  it('web filter blocks name the category, the domain, an outbound connection to a public address on 443 or 80', async () => {
    const blocks = ofEvent(await fortnight, 'web-blocked');
    const categories = new Set(blocks.map((l) => l.record.catdesc));
    for (const category of ['Malicious Websites', 'Phishing', 'Proxy Avoidance', 'Gambling']) expect(categories).toContain(category);
    for (const { record } of blocks) {
      expect(record).toMatchObject({ utmaction: 'blocked', utmevent: 'webfilter', direction: 'outbound' });
      expect([443, 80]).toContain(record.dstport);
      expect(String(record.url).startsWith(`${record.dstport === 443 ? 'https' : 'http'}://${record.remotename}/`)).toBe(true);
      expect(record.dstip).not.toMatch(/^(10|127|192\.168|172\.(1[6-9]|2\d|3[01]))\./);
    }
  });

  it('vulnerability severities follow CVSS, CVE ids are real-shaped, and resolved findings stop being reported', async () => {
    const lines = await fortnight;
    const findings = ofEvent(lines, 'vulnerability-detected');
    const products = new Set(findings.map((l) => l.record.vulnproducts));
    for (const product of ['Google Chrome', 'Microsoft Office', 'Adobe Acrobat Reader', 'Microsoft Windows'])
      expect(products).toContain(product);
    for (const { record } of findings) {
      expect(record.cveid).toMatch(/^CVE-20\d\d-\d{4,}$/);
      expect(record.vulnseverity).toBe(severityOf(Number(record.vulncvss)));
      const cvss = Number(record.vulncvss);
      const expected = cvss >= 9 ? 'Critical' : cvss >= 7 ? 'High' : cvss >= 4 ? 'Medium' : 'Low';
      expect(record.vulnseverity).toBe(expected);
    }
    expect(new Set(findings.map((l) => l.record.vulnseverity))).toEqual(new Set(['Critical', 'High', 'Medium', 'Low']));
    const resolved = ofEvent(lines, 'vulnerability-resolved');
    expect(resolved.length).toBeGreaterThan(0);
    for (const fix of resolved) {
      const later = findings.filter(
        (l) => l.record.uid === fix.record.uid && l.record.cveid === fix.record.cveid && l.time.getTime() > fix.time.getTime(),
      );
      // Reported again only if the same CVE came back later (a new finding): never at the same scan.
      for (const again of later) expect(again.time.getTime() - fix.time.getTime()).toBeGreaterThan(HOUR);
    }
  });

  it('administrator account changes happen in office hours, by a known administrator', async () => {
    const changes = (await fortnight).filter((l) => String(idOf(l)).startsWith('admin-account') || idOf(l) === 'admin-role-changed');
    expect(changes.length).toBeGreaterThan(0);
    for (const line of changes) {
      const hour = line.time.getUTCHours();
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(18);
      expect([1, 2, 3, 4, 5]).toContain(localWeekday(line.time.getTime(), 'UTC'));
      expect(line.record.srcip).toMatch(/^10\.10\.1\./);
    }
  });

  it('draws from its own stream: with it switched off, every other line is the same', async () => {
    const isNew = (line: EmsLogLine) =>
      ENDPOINT_SECURITY_EVENTS.some((e) => e.id === idOf(line)) ||
      idOf(line).startsWith('admin-account') ||
      idOf(line) === 'admin-role-changed';
    const withUploads = (await day).filter((line) => !isNew(line));
    const quiet = vi.spyOn(EndpointSecurityActivity.prototype, 'planDay').mockImplementation(() => undefined);
    const noCertificates = vi.spyOn(EndpointSecurityActivity.prototype, 'issueCertificate').mockImplementation(() => undefined);
    const noRevocations = vi.spyOn(EndpointSecurityActivity.prototype, 'revokeCertificate').mockImplementation(() => undefined);
    try {
      const without = await collect({ seed: 7, days: 1 });
      expect(withUploads).toEqual(without);
    } finally {
      quiet.mockRestore();
      noCertificates.mockRestore();
      noRevocations.mockRestore();
    }
  });
});

describe('the endpoint security scenarios', () => {
  it('malware-outbreak: one trojan on a dozen endpoints of one department within the hour, some not quarantined, beacons blocked', async () => {
    const lines = await collect({ seed: 5, days: 1, scenario: 'malware-outbreak' });
    const outbreak = lines.filter((l) => l.record.virus === 'W32/Qakbot.BQR!tr');
    const hosts = new Set(outbreak.map((l) => l.record.uid));
    expect(hosts.size).toBeGreaterThanOrEqual(10);
    const times = outbreak.map((l) => l.time.getTime());
    expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(HOUR);
    expect(new Set(outbreak.map((l) => l.record.checksum)).size).toBe(1);
    const notQuarantined = outbreak.filter((l) => l.record.action !== 'quarantined');
    expect(notQuarantined.length).toBeGreaterThan(0);
    for (const line of notQuarantined) expect(['blocked', 'detected']).toContain(line.record.action);
    const c2 = ofEvent(lines, 'web-blocked').filter((l) => l.record.remotename === 'cdn-sync-telemetry.top');
    expect(c2.length).toBeGreaterThanOrEqual(3);
    for (const line of c2) {
      expect(hosts).toContain(line.record.uid);
      expect(line.record.catdesc).toBe('Malicious Websites');
    }
  });

  it('unpatched-critical-vulnerability: the same critical CVEs on one endpoint on every daily scan for days, never resolved', async () => {
    const lines = await collect({ seed: 5, days: 4, scenario: 'unpatched-critical-vulnerability' });
    const critical = ofEvent(lines, 'vulnerability-detected').filter((l) => l.record.cveid === 'CVE-2024-38063');
    const victim = critical.find((l) => l.time.getUTCHours() === 10)?.record.uid;
    expect(victim).toBeDefined();
    const victimLines = critical.filter((l) => l.record.uid === victim);
    const days = new Set(victimLines.map((l) => Math.floor((l.time.getTime() - MONDAY) / DAY)));
    expect(days.size).toBeGreaterThanOrEqual(3);
    for (const { record } of victimLines) expect(record).toMatchObject({ vulnseverity: 'Critical', vulncvss: 9.8 });
    const outlook = ofEvent(lines, 'vulnerability-detected').filter((l) => l.record.uid === victim && l.record.cveid === 'CVE-2024-21413');
    expect(outlook.length).toBe(victimLines.length);
    const resolved = ofEvent(lines, 'vulnerability-resolved').filter(
      (l) => l.record.uid === victim && ['CVE-2024-38063', 'CVE-2024-21413'].includes(String(l.record.cveid)),
    );
    expect(resolved).toEqual([]);
  });

  it('rogue-admin-after-hours: at 02:47 an account is created from an outside address, made Super Administrator, and logs in', async () => {
    const lines = await collect({ seed: 5, days: 1, scenario: 'rogue-admin-after-hours', timeZone: 'Europe/Paris' });
    const created = ofEvent(lines, 'admin-account-created');
    expect(created).toHaveLength(1);
    const [creation] = created;
    expect(creation?.record).toMatchObject({ admin: 'admin', targetadmin: 'svc_backup', role: 'Standard Administrator' });
    expect(String(creation?.record.dtime)).toMatch(/ 02:47:00$/);
    const outsider = String(creation?.record.srcip);
    expect(outsider).not.toMatch(/^10\./);
    const promoted = ofEvent(lines, 'admin-role-changed');
    expect(promoted.map((l) => l.record)).toMatchObject([
      { targetadmin: 'svc_backup', role: 'Standard Administrator', newrole: 'Super Administrator', srcip: outsider },
    ]);
    const rogueLogins = ofEvent(lines, 'admin-login').filter((l) => l.record.admin === 'svc_backup');
    expect(rogueLogins.length).toBeGreaterThanOrEqual(2);
    for (const login of rogueLogins) {
      expect(login.record.srcip).toBe(outsider);
      expect(login.time.getTime()).toBeGreaterThan(promoted[0]?.time.getTime() ?? 0);
      expect(login.time.getTime()).toBeLessThan(MONDAY + 7 * HOUR);
    }
  });
});
