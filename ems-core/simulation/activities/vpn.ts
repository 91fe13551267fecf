import type { Endpoint } from '../../fleet/endpoint.js';
import type { EmsCore } from '../ems-core.js';
import { SECOND } from '../scheduler.js';

export const VPN_GATEWAYS = [
  { tunnel: 'HQ-SSLVPN', gateway: '198.51.100.10', type: 'ssl' },
  { tunnel: 'HQ-IPsec', gateway: '198.51.100.11', type: 'ipsec' },
  { tunnel: 'Branch-Lyon', gateway: '203.0.113.20', type: 'ssl' },
] as const;

const COUNTRY_BY_FIRST_OCTET: Record<string, string> = {
  '81': 'FR',
  '86': 'GB',
  '92': 'FR',
  '109': 'DE',
  '176': 'ES',
  '185': 'NL',
  '203': 'AU',
  '213': 'IT',
};

export function countryOf(ip: string): string {
  return COUNTRY_BY_FIRST_OCTET[ip.split('.')[0] ?? ''] ?? 'US';
}

/** VPN sessions as endpoints report them: attempt, authentication, tunnel up, then down or dropped. */
export class VpnActivity {
  constructor(private readonly ems: EmsCore) {}

  session(endpoint: Endpoint, lengthMs: number): void {
    const ems = this.ems;
    const random = ems.random;
    const gw = random.weighted(VPN_GATEWAYS.map((g, i) => [g, i === 0 ? 6 : 2] as const));
    const remip = endpoint.publicIp ?? endpoint.deviceip;
    const common = { vpntunnel: gw.tunnel, gateway: gw.gateway, remip, vpnuser: endpoint.user };
    ems.log('ems-vpn', 'vpn-connect-attempt', { ...common, vpntype: gw.type, srccountry: countryOf(remip) }, { endpoint });
    if (random.chance(0.04)) {
      ems.log(
        'ems-vpn',
        'vpn-auth-failure',
        { ...common, reason: random.pick(['invalid credentials', 'token expired', 'certificate mismatch']) },
        { endpoint },
      );
      return;
    }
    ems.log('ems-vpn', 'vpn-auth-success', common, { endpoint });
    ems.log('ems-vpn', 'vpn-tunnel-up', { vpntunnel: gw.tunnel, vpntype: gw.type, gateway: gw.gateway, remip }, { endpoint });
    const dropped = random.chance(0.05);
    const duration = Math.max(60 * SECOND, dropped ? random.int(1, Math.max(1, lengthMs / 2)) : lengthMs);
    ems.scheduler.after(duration, () => {
      const seconds = Math.round(duration / 1000);
      if (dropped) {
        ems.log(
          'ems-vpn',
          'vpn-tunnel-dropped',
          {
            vpntunnel: gw.tunnel,
            gateway: gw.gateway,
            duration: seconds,
            reason: random.pick(['peer not responding', 'DPD timeout', 'network changed']),
          },
          { endpoint },
        );
      } else {
        ems.log(
          'ems-vpn',
          'vpn-tunnel-down',
          {
            vpntunnel: gw.tunnel,
            gateway: gw.gateway,
            duration: seconds,
            sentbyte: seconds * random.int(2_000, 60_000),
            rcvdbyte: seconds * random.int(10_000, 400_000),
          },
          { endpoint },
        );
      }
    });
  }

  /** A password spray: a few sources try many user names once or twice each against the gateway. */
  passwordSpray(attackerEndpoints: Endpoint[], userNames: string[], overMs: number): void {
    const ems = this.ems;
    const random = ems.random;
    const gw = VPN_GATEWAYS[0];
    let offset = 0;
    const step = overMs / Math.max(1, userNames.length * 1.5);
    for (const userName of userNames) {
      const tries = random.chance(0.5) ? 2 : 1;
      for (let attempt = 0; attempt < tries; attempt++) {
        const endpoint = random.pick(attackerEndpoints);
        offset += random.exponential(step);
        ems.scheduler.after(offset, () => {
          const remip = endpoint.publicIp ?? endpoint.deviceip;
          const common = { vpntunnel: gw.tunnel, gateway: gw.gateway, remip, vpnuser: userName };
          ems.log('ems-vpn', 'vpn-connect-attempt', { ...common, vpntype: gw.type, srccountry: countryOf(remip) }, { endpoint });
          ems.log('ems-vpn', 'vpn-auth-failure', { ...common, reason: 'invalid credentials' }, { endpoint });
        });
      }
    }
  }
}
