import type { Endpoint } from '../../fleet/endpoint.js';
import { isEmitted } from '../../log-settings/settings.js';
import type { EmsCore } from '../ems-core.js';
import { MINUTE, SECOND } from '../scheduler.js';

const TELEMETRY_PORT = 8013;
const KEEPALIVE_INTERVAL = 5 * MINUTE;
const ZTNA_TAGS = ['Domain-Joined', 'Low-Risk', 'Vulnerable-High', 'Patched', 'Disk-Encrypted'] as const;

function sourceIp(endpoint: Endpoint): string {
  return endpoint.publicIp ?? endpoint.deviceip;
}

/**
 * The telemetry lifecycle (reference §6): probe, registration, certificate check with the allow/deny action,
 * license/profile/device certificate, posture, Zero Trust tagging, dynamic groups, FortiOS notification, keepalives.
 * Service faults have the guide's consequences: fcems_probe down stops new endpoints; fcems_ecsocksrv down stops all.
 */
export class EndpointLifecycle {
  /** What EMS does with an endpoint presenting an invalid certificate. */
  invalidCertificateAction: 'allow' | 'deny' = 'allow';
  /** Who hands out and takes back ZTNA device certificates (the endpoint-security activity). */
  certificates: { issueCertificate(endpoint: Endpoint): void; revokeCertificate(endpoint: Endpoint): void } | undefined;

  constructor(private readonly ems: EmsCore) {}

  private canTalk(endpoint: Endpoint): boolean {
    if (this.ems.services.isUp('fcems_ecsocksrv')) return true;
    this.ems.log(
      'ems-error',
      'endpoint-comm-error',
      { service: 'fcems_ecsocksrv', peer: 'endpoint', reason: 'connection service unavailable' },
      { endpoint },
    );
    return false;
  }

  /** The endpoint boots or wakes up and connects to EMS. */
  connect(endpoint: Endpoint): void {
    if (endpoint.status === 'deregistered' || endpoint.status === 'online' || endpoint.status === 'quarantined') return;
    const ems = this.ems;
    const random = ems.random;
    if (endpoint.status === 'unregistered') {
      if (!ems.services.isUp('fcems_probe')) {
        ems.log(
          'ems-error',
          'new-endpoint-rejected',
          { service: 'fcems_probe', peer: 'endpoint', reason: 'probe service down' },
          { endpoint },
        );
        return;
      }
      ems.log('ems-network', 'probe-received', { srcip: sourceIp(endpoint), service: 'fcems_probe' }, { endpoint });
    }
    if (!this.canTalk(endpoint)) return;
    const certificateValid = random.chance(0.985);
    if (!certificateValid) {
      const certstatus = random.pick(['invalid', 'expired', 'untrusted']);
      if (this.invalidCertificateAction === 'deny') {
        ems.log(
          'ems-network',
          'invalid-certificate-denied',
          { srcip: sourceIp(endpoint), service: 'fcems_ecsocksrv', certstatus, certaction: 'deny' },
          { endpoint },
        );
        return;
      }
      ems.log(
        'ems-network',
        'invalid-certificate-allowed',
        { srcip: sourceIp(endpoint), service: 'fcems_ecsocksrv', certstatus, certaction: 'allow' },
        { endpoint },
      );
    }
    ems.log(
      'ems-network',
      'connection-accepted',
      {
        srcip: sourceIp(endpoint),
        srcport: random.int(49152, 65535),
        dstport: TELEMETRY_PORT,
        service: 'fcems_ecsocksrv',
        certstatus: certificateValid ? 'valid' : 'invalid',
        tlsver: random.chance(0.8) ? 'TLSv1.3' : 'TLSv1.2',
      },
      { endpoint },
    );
    if (endpoint.status === 'unregistered') this.register(endpoint);
    endpoint.status = 'online';
    endpoint.lastSeen = ems.now;
    ems.log('ems-client', 'endpoint-online', { status: 'online' }, { endpoint });
    ems.scheduler.after(random.int(2, 20) * SECOND, () => this.afterOnline(endpoint));
  }

  private register(endpoint: Endpoint): void {
    const ems = this.ems;
    if (!ems.services.isUp('fcems_reg')) {
      ems.log('ems-client', 'endpoint-registration-failed', { reason: 'registration service unavailable' }, { endpoint });
      return;
    }
    endpoint.status = 'offline';
    ems.log('ems-client', 'endpoint-registered', { status: 'registered', group: endpoint.groups[0] ?? 'All Groups' }, { endpoint });
    this.certificates?.issueCertificate(endpoint);
  }

  /** Profile, posture, tags, groups and the FortiOS push that follow a connection. */
  private afterOnline(endpoint: Endpoint): void {
    const ems = this.ems;
    const random = ems.random;
    if (endpoint.status !== 'online' || !this.canTalk(endpoint)) return;
    ems.log('ems-client', 'profile-applied', { profile: endpoint.policy }, { endpoint });
    ems.log('ems-client', 'posture-received', {}, { endpoint });
    const wasCompliant = endpoint.compliant;
    endpoint.compliant = random.chance(0.93);
    if (wasCompliant !== endpoint.compliant) {
      ems.log(
        'ems-client',
        'compliance-changed',
        {
          status: endpoint.compliant ? 'compliant' : 'non-compliant',
          reason: endpoint.compliant
            ? 'posture passed'
            : random.pick(['antivirus signatures outdated', 'OS patch missing', 'disk encryption off']),
        },
        { endpoint },
      );
    }
    if (random.chance(0.3)) {
      const tag = random.pick(ZTNA_TAGS);
      if (endpoint.ztnaTags.includes(tag)) {
        endpoint.ztnaTags = endpoint.ztnaTags.filter((t) => t !== tag);
        ems.log('ems-client', 'ztna-tag-removed', { ztnatag: tag }, { endpoint });
      } else {
        endpoint.ztnaTags.push(tag);
        ems.log('ems-client', 'ztna-tag-added', { ztnatag: tag }, { endpoint });
      }
      ems.log('ems-event', 'fortios-notified', { service: 'fcems_notify' }, { endpoint });
    }
  }

  /**
   * Keepalives, fleet-wide every interval. When nobody would see them (ems-client below debug) and the services that
   * answer them are up, a sweep only refreshes lastSeen: one action per interval instead of one per endpoint, which
   * keeps a large fleet cheap to simulate. Otherwise each online endpoint gets its own keepalive within the interval.
   */
  startKeepalives(): void {
    const ems = this.ems;
    const sweep = () => {
      const servicesUp = ems.services.isUp('fcems_ecsocksrv') && ems.services.isUp('fcems_ka');
      const visible = isEmitted(ems.getSettingsView(), 'ems-client', 'debug');
      for (const endpoint of ems.fleet) {
        if (endpoint.status !== 'online' && endpoint.status !== 'quarantined') continue;
        if (servicesUp && !visible) {
          endpoint.lastSeen = ems.now;
          continue;
        }
        ems.scheduler.after(ems.random.int(0, KEEPALIVE_INTERVAL - 1), () => this.keepalive(endpoint));
      }
      ems.scheduler.after(KEEPALIVE_INTERVAL, sweep);
    };
    ems.scheduler.after(KEEPALIVE_INTERVAL, sweep);
  }

  private keepalive(endpoint: Endpoint): void {
    const ems = this.ems;
    if (endpoint.status !== 'online' && endpoint.status !== 'quarantined') return;
    if (!ems.services.isUp('fcems_ecsocksrv') || !ems.services.isUp('fcems_ka')) {
      this.canTalk(endpoint);
      return;
    }
    endpoint.lastSeen = ems.now;
    ems.log('ems-client', 'keepalive', {}, { endpoint });
  }

  /** The endpoint shuts down or leaves: EMS notices it going offline. */
  disconnect(endpoint: Endpoint): void {
    if (endpoint.status !== 'online') return;
    endpoint.status = 'offline';
    this.ems.log('ems-network', 'connection-closed', { srcip: sourceIp(endpoint), service: 'fcems_ecsocksrv' }, { endpoint });
    this.ems.log('ems-client', 'endpoint-offline', { status: 'offline' }, { endpoint });
  }

  quarantine(endpoint: Endpoint, admin: string, reason: string): void {
    if (endpoint.status === 'deregistered' || endpoint.status === 'quarantined') return;
    endpoint.status = 'quarantined';
    this.ems.log('ems-client', 'endpoint-quarantined', { status: 'quarantined', admin, reason }, { endpoint });
  }

  release(endpoint: Endpoint, admin: string): void {
    if (endpoint.status !== 'quarantined') return;
    endpoint.status = 'online';
    this.ems.log('ems-client', 'endpoint-released', { status: 'online', admin }, { endpoint });
  }

  /** Only an EMS administrator can disconnect an endpoint for good. */
  deregister(endpoint: Endpoint, admin: string): void {
    if (endpoint.status === 'deregistered') return;
    endpoint.status = 'deregistered';
    this.ems.log('ems-client', 'endpoint-deregistered', { status: 'deregistered', admin }, { endpoint });
    this.certificates?.revokeCertificate(endpoint);
  }

  /** An endpoint already online when the simulation starts: no log, just state and keepalives. */
  markOnline(endpoint: Endpoint): void {
    if (endpoint.status !== 'offline') return;
    endpoint.status = 'online';
    endpoint.lastSeen = this.ems.now;
  }
}
