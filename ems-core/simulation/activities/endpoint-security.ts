import type { Endpoint } from '../../fleet/endpoint.js';
import type { EmsCore } from '../ems-core.js';
import { emsDateTime } from '../ems-time.js';
import type { Random } from '../random.js';
import { DAY, MINUTE, SECOND } from '../scheduler.js';

/** One antivirus signature as FortiClient names it, with its category and where such files usually land. */
export interface Malware {
  virus: string;
  viruscat: 'Virus' | 'Worm' | 'Trojan' | 'Riskware' | 'Grayware' | 'Ransomware';
  /** A file name under the user profile (Windows) or home (macOS). */
  windowsPath?: string;
  macPath?: string;
}

// Names in FortiGuard's shape (platform/family.variant!suffix); variants are made up, families are common ones.
const MALWARE: readonly (readonly [Malware, number])[] = [
  [{ virus: 'W32/Agent.ABCD!tr', viruscat: 'Trojan', windowsPath: 'Downloads\\invoice_2026_11.pdf.exe' }, 5],
  [{ virus: 'JS/Redirector.AB!tr', viruscat: 'Trojan', windowsPath: 'AppData\\Local\\Temp\\chrome_cache_f3a1.js' }, 6],
  [{ virus: 'Riskware/CoinMiner', viruscat: 'Riskware', windowsPath: 'AppData\\Roaming\\svchost\\xmrig.exe' }, 3],
  [{ virus: 'MSIL/Kryptik.AGWD!tr', viruscat: 'Trojan', windowsPath: 'Downloads\\Payment_Advice_88213.exe' }, 3],
  [{ virus: 'W32/Emotet.CVP!tr', viruscat: 'Trojan', windowsPath: 'AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\Rechnung.doc' }, 2],
  [{ virus: 'HTML/Phish.FA!tr', viruscat: 'Trojan', windowsPath: 'Downloads\\SharePoint_Document_Access.html' }, 5],
  [{ virus: 'Adware/OpenCandy', viruscat: 'Grayware', windowsPath: 'Downloads\\free_pdf_converter_setup.exe' }, 4],
  [{ virus: 'Riskware/RemoteAdmin', viruscat: 'Riskware', windowsPath: 'Downloads\\rustdesk-1.3.2-x86_64.exe' }, 2],
  [{ virus: 'W32/Ramnit.A', viruscat: 'Virus', windowsPath: 'AppData\\Local\\Temp\\setup_tmp\\update.exe' }, 1],
  [{ virus: 'W32/Phorpiex.AX!worm', viruscat: 'Worm', windowsPath: 'AppData\\Roaming\\winsvcs.exe' }, 1],
  [{ virus: 'EICAR_TEST_FILE', viruscat: 'Virus', windowsPath: 'Downloads\\eicar.com.txt', macPath: 'Downloads/eicar.com.txt' }, 1],
  [{ virus: 'OSX/Adload.AR!tr', viruscat: 'Trojan', macPath: 'Library/Application Support/.mgr/mgr' }, 2],
  [{ virus: 'Adware/MacKeeper', viruscat: 'Grayware', macPath: 'Downloads/MacKeeper.pkg' }, 1],
];

/** The web filter categories a normal day trips on, with plausible domains and paths. */
const WEB_CATEGORIES: readonly (readonly [{ catdesc: string; domains: readonly string[]; paths: readonly string[] }, number])[] = [
  [
    {
      catdesc: 'Malicious Websites',
      domains: ['cdn-update-checker.top', 'wp-content-delivery.ru', 'static-analytics-js.xyz', 'fonts-gstatlc.com'],
      paths: ['/js/jquery.min.js', '/gate.php', '/wp-includes/js/wp-emoji.js', '/update/check'],
    },
    5,
  ],
  [
    {
      catdesc: 'Phishing',
      domains: [
        'microsoft365-login.verify-account.top',
        'secure-dhl-tracking.xyz',
        'paypal-resolution-center.info',
        'docusign-envelope.review',
      ],
      paths: ['/login', '/signin/oauth2/v2.0/authorize', '/track?id=48213', '/document/view'],
    },
    4,
  ],
  [
    {
      catdesc: 'Proxy Avoidance',
      domains: ['www.hidemyass.com', 'www.croxyproxy.com', 'proxysite.com', 'www.4everproxy.com'],
      paths: ['/', '/proxy', '/browse.php'],
    },
    3,
  ],
  [
    {
      catdesc: 'Gambling',
      domains: ['www.bet365.com', 'www.pokerstars.com', 'www.unibet.com', 'www.888casino.com'],
      paths: ['/', '/en/live', '/casino/slots', '/sports'],
    },
    3,
  ],
  [{ catdesc: 'Newly Observed Domain', domains: ['qx7-login-portal.online', 'kzt-files.shop'], paths: ['/', '/dl/setup.zip'] }, 1],
];

/** Applications the application firewall blocks by policy. */
const BLOCKED_APPS: readonly { app: string; appcat: string; dstport: number; proto: 6 | 17 }[] = [
  { app: 'BitTorrent', appcat: 'P2P', dstport: 6881, proto: 17 },
  { app: 'uTorrent', appcat: 'P2P', dstport: 51413, proto: 6 },
  { app: 'Tor', appcat: 'Proxy', dstport: 9001, proto: 6 },
  { app: 'Psiphon', appcat: 'Proxy', dstport: 443, proto: 6 },
  { app: 'AnyDesk', appcat: 'Remote.Access', dstport: 7070, proto: 6 },
  { app: 'TeamViewer', appcat: 'Remote.Access', dstport: 5938, proto: 6 },
];

export interface Vulnerability {
  cveid: string;
  vulnname: string;
  vulncat: 'Operating System' | 'Web Client' | 'Microsoft Office' | 'Third Party App';
  vulncvss: number;
  vulnproducts: string;
}

// Real CVEs with their NVD CVSS v3 base scores, by the OS families whose scan finds them.
const WINDOWS_VULNERABILITIES: readonly Vulnerability[] = [
  {
    cveid: 'CVE-2024-38063',
    vulnname: 'Windows TCP/IP Remote Code Execution Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 9.8,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-21338',
    vulnname: 'Windows Kernel Elevation of Privilege Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 7.8,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-38112',
    vulnname: 'Windows MSHTML Platform Spoofing Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 7.5,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-21412',
    vulnname: 'Internet Shortcut Files Security Feature Bypass Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 8.1,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-38217',
    vulnname: 'Windows Mark of the Web Security Feature Bypass Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 5.4,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-20666',
    vulnname: 'BitLocker Security Feature Bypass Vulnerability',
    vulncat: 'Operating System',
    vulncvss: 6.6,
    vulnproducts: 'Microsoft Windows',
  },
  {
    cveid: 'CVE-2024-21413',
    vulnname: 'Microsoft Outlook Remote Code Execution Vulnerability',
    vulncat: 'Microsoft Office',
    vulncvss: 9.8,
    vulnproducts: 'Microsoft Office',
  },
  {
    cveid: 'CVE-2024-30103',
    vulnname: 'Microsoft Outlook Remote Code Execution Vulnerability',
    vulncat: 'Microsoft Office',
    vulncvss: 8.8,
    vulnproducts: 'Microsoft Office',
  },
  {
    cveid: 'CVE-2024-38200',
    vulnname: 'Microsoft Office Spoofing Vulnerability',
    vulncat: 'Microsoft Office',
    vulncvss: 6.5,
    vulnproducts: 'Microsoft Office',
  },
  {
    cveid: 'CVE-2024-41869',
    vulnname: 'Adobe Acrobat Reader Use After Free Vulnerability',
    vulncat: 'Third Party App',
    vulncvss: 7.8,
    vulnproducts: 'Adobe Acrobat Reader',
  },
  {
    cveid: 'CVE-2024-45112',
    vulnname: 'Adobe Acrobat Reader Type Confusion Vulnerability',
    vulncat: 'Third Party App',
    vulncvss: 8.6,
    vulnproducts: 'Adobe Acrobat Reader',
  },
  {
    cveid: 'CVE-2024-9680',
    vulnname: 'Mozilla Firefox Animation Timeline Use After Free',
    vulncat: 'Web Client',
    vulncvss: 9.8,
    vulnproducts: 'Mozilla Firefox',
  },
];
const BROWSER_VULNERABILITIES: readonly Vulnerability[] = [
  {
    cveid: 'CVE-2024-7971',
    vulnname: 'Google Chrome V8 Type Confusion',
    vulncat: 'Web Client',
    vulncvss: 8.8,
    vulnproducts: 'Google Chrome',
  },
  {
    cveid: 'CVE-2024-4671',
    vulnname: 'Google Chrome Visuals Use After Free',
    vulncat: 'Web Client',
    vulncvss: 9.6,
    vulnproducts: 'Google Chrome',
  },
  {
    cveid: 'CVE-2024-5274',
    vulnname: 'Google Chrome V8 Type Confusion',
    vulncat: 'Web Client',
    vulncvss: 8.8,
    vulnproducts: 'Google Chrome',
  },
  {
    cveid: 'CVE-2024-7976',
    vulnname: 'Google Chrome FedCM Inappropriate Implementation',
    vulncat: 'Web Client',
    vulncvss: 4.3,
    vulnproducts: 'Google Chrome',
  },
];
const MAC_VULNERABILITIES: readonly Vulnerability[] = [
  {
    cveid: 'CVE-2024-44133',
    vulnname: 'macOS Transparency, Consent and Control Bypass',
    vulncat: 'Operating System',
    vulncvss: 5.5,
    vulnproducts: 'Apple macOS',
  },
  { cveid: 'CVE-2024-23222', vulnname: 'Apple WebKit Type Confusion', vulncat: 'Web Client', vulncvss: 8.8, vulnproducts: 'Apple Safari' },
];
const LINUX_VULNERABILITIES: readonly Vulnerability[] = [
  {
    cveid: 'CVE-2024-6387',
    vulnname: 'OpenSSH Signal Handler Race Condition (regreSSHion)',
    vulncat: 'Third Party App',
    vulncvss: 8.1,
    vulnproducts: 'OpenSSH',
  },
  {
    cveid: 'CVE-2023-4911',
    vulnname: 'GNU C Library Dynamic Loader Buffer Overflow (Looney Tunables)',
    vulncat: 'Operating System',
    vulncvss: 7.8,
    vulnproducts: 'glibc',
  },
  { cveid: 'CVE-2024-2004', vulnname: 'curl Disabled Protocol Allowed', vulncat: 'Third Party App', vulncvss: 3.5, vulnproducts: 'curl' },
];

/** FortiClient's severity for a CVSS base score (CVSS v3 qualitative ratings). */
export function severityOf(cvss: number): 'Critical' | 'High' | 'Medium' | 'Low' {
  if (cvss >= 9) return 'Critical';
  if (cvss >= 7) return 'High';
  if (cvss >= 4) return 'Medium';
  return 'Low';
}

/** A stable FortiGuard-like vulnerability id per CVE (the same CVE always has the same id). */
function vulnIdOf(cveid: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < cveid.length; i++) hash = Math.imul(hash ^ cveid.charCodeAt(i), 0x01000193);
  return 60_000 + ((hash >>> 0) % 40_000);
}

/** A stable public address per domain, as DNS would give it for the day. */
export function addressOfDomain(domain: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < domain.length; i++) hash = Math.imul(hash ^ domain.charCodeAt(i), 0x01000193);
  const h = hash >>> 0;
  const first = [104, 142, 185, 188, 45, 91, 193, 151][h % 8] as number;
  return `${first}.${(h >>> 3) % 254 || 1}.${(h >>> 11) % 254 || 1}.${((h >>> 19) % 253) + 1}`;
}

const CROSS_PLATFORM = new Set([
  'Zoom Workplace',
  'Google Chrome',
  'Mozilla Firefox',
  'Slack',
  'VLC media player',
  'Microsoft Visual Studio Code',
  'Wireshark',
  'Git',
]);
const SOFTWARE: readonly (readonly [string, string])[] = [
  ['Zoom Workplace', '6.2.10.53370'],
  ['Google Chrome', '131.0.6778.86'],
  ['Mozilla Firefox', '133.0'],
  ['7-Zip', '24.08'],
  ['Notepad++', '8.7.1'],
  ['Microsoft Teams', '24295.605.3225.8804'],
  ['Python 3.12.7 (64-bit)', '3.12.7150.0'],
  ['Slack', '4.41.97'],
  ['VLC media player', '3.0.21'],
  ['Microsoft Visual Studio Code', '1.95.3'],
  ['Adobe Acrobat Reader', '24.004.20272'],
  ['KeePass Password Safe', '2.57.1'],
  ['Wireshark', '4.4.2'],
  ['Git', '2.47.1'],
  ['WinRAR', '7.01'],
  ['AnyDesk', '8.1.0'],
];

export const ADMIN_ROLES = ['Super Administrator', 'Standard Administrator', 'Read Only Administrator'] as const;

const DESKTOP = new Set(['windows', 'macos', 'linux']);

interface Finding extends Vulnerability {
  /** Kept on every scan until the endpoint is patched; never patched when set (an incident). */
  unpatched?: boolean;
}

/**
 * What endpoints upload through fcems_upload (antivirus, web filter and application firewall events, vulnerability
 * scan results), software inventory changes, ZTNA device certificates and the odd administrator account change.
 * It draws from its own random stream, so adding it left every other activity's draws (and volumes) unchanged.
 */
export class EndpointSecurityActivity {
  readonly random: Random;
  private readonly findings = new Map<string, Finding[]>();
  private readonly certificates = new Map<string, string>();

  constructor(private readonly ems: EmsCore) {
    this.random = ems.random.fork('endpoint-security');
  }

  private uploadsPossible(endpoint: Endpoint): boolean {
    return endpoint.status === 'online' && this.ems.services.isUp('fcems_upload');
  }

  private windowsPath(endpoint: Endpoint, relative: string): string {
    return `C:\\Users\\${endpoint.user}\\${relative}`;
  }

  /** The file an AV signature was found in, on this endpoint's OS. */
  filePath(endpoint: Endpoint, malware: Malware): string {
    if (endpoint.osFamily === 'macos' && malware.macPath) return `/Users/${endpoint.user}/${malware.macPath}`;
    return this.windowsPath(endpoint, malware.windowsPath ?? 'Downloads\\setup.exe');
  }

  pickMalware(endpoint: Endpoint): Malware {
    const candidates = MALWARE.filter(([m]) => (endpoint.osFamily === 'macos' ? m.macPath : m.windowsPath));
    return this.random.weighted(candidates);
  }

  /**
   * One antivirus detection. Realtime protection quarantines most files as they are written; what it cannot move
   * (locked, or found by a scan of files already there) is blocked or only reported.
   */
  detectMalware(
    endpoint: Endpoint,
    malware: Malware,
    how: { action: 'quarantined' | 'blocked' | 'detected' | 'deleted'; detectedby: string; file?: string; checksum?: string },
  ): void {
    if (!this.uploadsPossible(endpoint)) return;
    const fields = {
      virus: malware.virus,
      viruscat: malware.viruscat,
      file: how.file ?? this.filePath(endpoint, malware),
      checksum: how.checksum ?? this.random.hex(8, false),
      action: how.action,
      detectedby: how.detectedby,
    };
    this.ems.log('ems-client', how.action === 'quarantined' ? 'malware-quarantined' : 'malware-detected', fields, { endpoint });
  }

  private randomDetection(endpoint: Endpoint): void {
    const malware = this.pickMalware(endpoint);
    const how = this.random.weighted([
      [{ action: 'quarantined', detectedby: 'Realtime' }, 80],
      [{ action: 'blocked', detectedby: 'Realtime' }, 8],
      [{ action: 'detected', detectedby: 'Scheduled scan' }, 7],
      [{ action: 'deleted', detectedby: 'On-demand scan' }, 5],
    ] as const);
    this.detectMalware(endpoint, malware, how);
  }

  /** A web page the endpoint's web filter refused. */
  blockWeb(endpoint: Endpoint, catdesc: string, domain: string, path: string): void {
    if (!this.uploadsPossible(endpoint)) return;
    const https = this.random.chance(0.85);
    this.ems.log(
      'ems-client',
      'web-blocked',
      {
        url: `${https ? 'https' : 'http'}://${domain}${path}`,
        remotename: domain,
        catdesc,
        utmaction: 'blocked',
        utmevent: 'webfilter',
        direction: 'outbound',
        proto: 6,
        srcip: endpoint.deviceip,
        srcport: this.random.int(49152, 65535),
        dstip: addressOfDomain(domain),
        dstport: https ? 443 : 80,
        sentbyte: this.random.int(420, 1900),
        // The block page FortiClient serves instead.
        rcvdbyte: this.random.int(2800, 6200),
      },
      { endpoint },
    );
  }

  private randomWebBlock(endpoint: Endpoint): void {
    const category = this.random.weighted(WEB_CATEGORIES);
    this.blockWeb(endpoint, category.catdesc, this.random.pick(category.domains), this.random.pick(category.paths));
  }

  private randomFirewallBlock(endpoint: Endpoint): void {
    if (!this.uploadsPossible(endpoint)) return;
    const app = this.random.pick(BLOCKED_APPS);
    this.ems.log(
      'ems-client',
      'firewall-blocked',
      {
        app: app.app,
        appcat: app.appcat,
        utmaction: 'blocked',
        utmevent: 'appfirewall',
        direction: 'outbound',
        proto: app.proto,
        srcip: endpoint.deviceip,
        srcport: this.random.int(49152, 65535),
        dstip: addressOfDomain(`${app.app}-${this.random.int(1, 40)}`),
        dstport: app.dstport,
      },
      { endpoint },
    );
  }

  private exploitBlocked(endpoint: Endpoint): void {
    if (!this.uploadsPossible(endpoint)) return;
    const file = this.random.pick([
      'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
      'C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE',
      'C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe',
    ]);
    this.ems.log('ems-client', 'exploit-blocked', { file, action: 'blocked', detectedby: 'Anti-exploit' }, { endpoint });
  }

  private vulnerabilityPool(endpoint: Endpoint): readonly Vulnerability[] {
    if (endpoint.osFamily === 'windows') return [...WINDOWS_VULNERABILITIES, ...BROWSER_VULNERABILITIES];
    if (endpoint.osFamily === 'macos') return [...MAC_VULNERABILITIES, ...BROWSER_VULNERABILITIES];
    return LINUX_VULNERABILITIES;
  }

  /** The endpoint's open findings: drawn on first sight (most endpoints are patched, a few lag behind). */
  private findingsOf(endpoint: Endpoint): Finding[] {
    let findings = this.findings.get(endpoint.uid);
    if (!findings) {
      const count = this.random.weighted([
        [0, 40],
        [1, 25],
        [2, 18],
        [3, 10],
        [4, 7],
      ] as const);
      const pool = [...this.vulnerabilityPool(endpoint)];
      findings = [];
      for (let i = 0; i < count && pool.length > 0; i++) findings.push(pool.splice(this.random.int(0, pool.length - 1), 1)[0] as Finding);
      this.findings.set(endpoint.uid, findings);
    }
    return findings;
  }

  /** Findings that stay on every scan until something is done about them (the unpatched-critical incident). */
  plantUnpatched(endpoint: Endpoint, cves: readonly string[]): Finding[] {
    const findings = this.findingsOf(endpoint).filter((f) => !cves.includes(f.cveid));
    const all = [...WINDOWS_VULNERABILITIES, ...BROWSER_VULNERABILITIES, ...MAC_VULNERABILITIES, ...LINUX_VULNERABILITIES];
    const planted = cves.map((cve) => {
      const known = all.find((v) => v.cveid === cve);
      if (!known) throw new Error(`unknown CVE ${cve}`);
      return { ...known, unpatched: true };
    });
    this.findings.set(endpoint.uid, [...planted, ...findings]);
    return planted;
  }

  /**
   * A vulnerability scan: each open finding is reported again (that is how a scan result reads); a finding patched
   * since the last scan is reported resolved once; now and then a new one turns up (a browser release behind).
   */
  scanVulnerabilities(endpoint: Endpoint): void {
    if (!this.uploadsPossible(endpoint) || !DESKTOP.has(endpoint.osFamily)) return;
    const findings = this.findingsOf(endpoint);
    const open: Finding[] = [];
    for (const finding of findings) {
      if (!finding.unpatched && this.random.chance(0.12)) {
        this.ems.log(
          'ems-client',
          'vulnerability-resolved',
          {
            vulnid: vulnIdOf(finding.cveid),
            vulnname: finding.vulnname,
            vulnseverity: severityOf(finding.vulncvss),
            cveid: finding.cveid,
            vulnproducts: finding.vulnproducts,
          },
          { endpoint },
        );
      } else open.push(finding);
    }
    if (this.random.chance(0.04)) {
      const fresh = this.vulnerabilityPool(endpoint).filter((v) => !open.some((f) => f.cveid === v.cveid));
      if (fresh.length > 0) open.push(this.random.pick(fresh));
    }
    this.findings.set(endpoint.uid, open);
    for (const finding of open) {
      this.ems.log(
        'ems-client',
        'vulnerability-detected',
        {
          vulnid: vulnIdOf(finding.cveid),
          vulnname: finding.vulnname,
          vulncat: finding.vulncat,
          vulnseverity: severityOf(finding.vulncvss),
          vulncvss: finding.vulncvss,
          cveid: finding.cveid,
          vulnproducts: finding.vulnproducts,
        },
        { endpoint },
      );
    }
  }

  private softwareChange(endpoint: Endpoint): void {
    if (!this.uploadsPossible(endpoint)) return;
    const [software, swversion] = this.random.pick(
      endpoint.osFamily === 'windows' ? SOFTWARE : SOFTWARE.filter(([name]) => CROSS_PLATFORM.has(name)),
    );
    this.ems.log('ems-client', this.random.chance(0.75) ? 'software-installed' : 'software-removed', { software, swversion }, { endpoint });
  }

  /** EMS signs the endpoint's ZTNA device certificate once it registers (fcems_scep). */
  issueCertificate(endpoint: Endpoint): void {
    const certserial = this.random.hex(32, false);
    this.certificates.set(endpoint.uid, certserial);
    this.ems.log(
      'ems-client',
      'ztna-certificate-issued',
      { certserial, certsubject: endpoint.uid, certexpiry: emsDateTime(this.ems.now + 365 * DAY, this.ems.identity.timeZone) },
      { endpoint },
    );
  }

  /** Deregistration revokes it (endpoints registered before the run got theirs before it: a serial is drawn then). */
  revokeCertificate(endpoint: Endpoint): void {
    const certserial = this.certificates.get(endpoint.uid) ?? this.random.hex(32, false);
    this.certificates.delete(endpoint.uid);
    this.ems.log('ems-client', 'ztna-certificate-revoked', { certserial, certsubject: endpoint.uid }, { endpoint });
  }

  /** An administrator account change at the console. */
  changeAdminAccount(
    actor: { name: string; srcip: string },
    change: { kind: 'created' | 'deleted'; target: string; role: string } | { kind: 'role'; target: string; role: string; newrole: string },
  ): void {
    if (!this.ems.services.isUp('apache2')) return;
    const base = { admin: actor.name, srcip: actor.srcip, targetadmin: change.target, role: change.role };
    if (change.kind === 'role') this.ems.log('ems-authentication', 'admin-role-changed', { ...base, newrole: change.newrole });
    else this.ems.log('ems-authentication', change.kind === 'created' ? 'admin-account-created' : 'admin-account-deleted', base);
  }

  /**
   * The day's trickle, planned at local midnight `dayStart`: a few detections, web filter and application firewall
   * blocks (mostly in working hours, when people browse), the lunchtime vulnerability scan, software changes and,
   * rarely, an administrator account change.
   */
  planDay(dayStart: number, weekday: boolean, admins: readonly { name: string; srcip: string }[]): void {
    const ems = this.ems;
    const random = this.random;
    const at = (offset: number, action: () => void) => {
      if (dayStart + offset >= ems.now) ems.scheduler.at(dayStart + offset, action);
    };
    const workingMinute = () => random.int(8 * 60, 18 * 60) * MINUTE + random.int(0, 59) * SECOND;
    const someOnline = (filter: (e: Endpoint) => boolean = () => true): Endpoint | undefined => {
      const online = ems.fleet.filter((e) => e.status === 'online' && filter(e));
      return online.length > 0 ? random.pick(online) : undefined;
    };
    const scale = weekday ? 1 : 0.1;
    const times = (low: number, high: number) => Math.round(random.int(low, high) * scale);
    const computer = (e: Endpoint) => e.osFamily === 'windows' || e.osFamily === 'macos';

    for (let i = times(2, 6); i > 0; i--)
      at(workingMinute(), () => {
        const endpoint = someOnline(computer);
        if (endpoint) this.randomDetection(endpoint);
      });
    for (let i = times(10, 30); i > 0; i--)
      at(workingMinute(), () => {
        const endpoint = someOnline();
        if (endpoint) this.randomWebBlock(endpoint);
      });
    for (let i = times(0, 4); i > 0; i--)
      at(workingMinute(), () => {
        const endpoint = someOnline(computer);
        if (endpoint) this.randomFirewallBlock(endpoint);
      });
    if (weekday && random.chance(0.3))
      at(workingMinute(), () => {
        const endpoint = someOnline((e) => e.osFamily === 'windows');
        if (endpoint) this.exploitBlocked(endpoint);
      });
    for (let i = times(3, 8); i > 0; i--)
      at(workingMinute(), () => {
        const endpoint = someOnline(computer);
        if (endpoint) this.softwareChange(endpoint);
      });
    // The scheduled scan runs at noon; endpoints start it within the following hour and a half.
    at(12 * 60 * MINUTE, () => {
      for (const endpoint of ems.fleet) {
        if (endpoint.status !== 'online' || !DESKTOP.has(endpoint.osFamily)) continue;
        ems.scheduler.after(random.int(1, 90 * 60) * SECOND, () => this.scanVulnerabilities(endpoint));
      }
    });
    if (weekday && random.chance(0.12)) {
      const actor = admins[0] ?? { name: 'admin', srcip: '10.10.1.15' };
      const kind = random.weighted([
        ['created', 3],
        ['role', 2],
        ['deleted', 1],
      ] as const);
      const target = `${random.pick(['helpdesk', 'soc', 'noc', 'audit'])}.${random.pick(['lopez', 'weber', 'chen', 'ito', 'moreau'])}`;
      at(random.int(9 * 60, 17 * 60) * MINUTE, () => {
        if (kind === 'role')
          this.changeAdminAccount(actor, { kind, target, role: 'Read Only Administrator', newrole: 'Standard Administrator' });
        else this.changeAdminAccount(actor, { kind, target, role: random.pick(ADMIN_ROLES.slice(1)) });
      });
    }
  }
}
