import { categorySchema, defineCategory } from '../define-category.js';
import { IP, optional } from '../fields.js';

const vpn = { category: ['network', 'session'] } as const;

export const emsVpn = defineCategory({
  name: 'ems-vpn',
  dataset: 'fortiems.vpn',
  services: [],
  schema: categorySchema(
    'ems-vpn',
    'VPN activity reported by endpoints: connect attempts, authentication, tunnels',
    ['vpn'],
    [
      optional('vpntunnel', 'string', { doc: 'VPN connection (tunnel) name' }),
      optional('vpntype', 'string', { doc: 'ssl or ipsec', ecs: 'network.protocol' }),
      optional('gateway', IP, { doc: 'VPN gateway address', ecs: 'destination.ip' }),
      optional('remip', IP, { doc: 'Public address the endpoint connected from', ecs: 'source.ip' }),
      optional('srccountry', 'string', { doc: 'Country of the remote address, when EMS knows it', ecs: 'source.geo.country_iso_code' }),
      optional('vpnuser', 'string', { doc: 'User name presented to the gateway', ecs: 'user.target.name' }),
      optional('duration', 'int', { doc: 'Tunnel duration in seconds' }),
      optional('sentbyte', 'long', { doc: 'Bytes sent through the tunnel', ecs: 'source.bytes' }),
      optional('rcvdbyte', 'long', { doc: 'Bytes received through the tunnel', ecs: 'destination.bytes' }),
      optional('reason', 'string', { doc: 'Failure or drop reason', ecs: 'event.reason' }),
    ],
  ),
  events: [
    {
      id: 'vpn-connect-attempt',
      subtype: 'vpn',
      level: 'information',
      msg: 'VPN connection attempt',
      endpoint: true,
      fields: ['vpntunnel', 'vpntype', 'gateway', 'remip', 'vpnuser'],
      ecs: { ...vpn, type: ['start'], outcome: 'unknown' },
    },
    {
      id: 'vpn-auth-success',
      subtype: 'vpn',
      level: 'information',
      msg: 'VPN authentication succeeded',
      endpoint: true,
      fields: ['vpntunnel', 'gateway', 'remip', 'vpnuser'],
      ecs: { category: ['authentication', 'network'], type: ['start'], outcome: 'success' },
    },
    {
      id: 'vpn-auth-failure',
      subtype: 'vpn',
      level: 'warning',
      msg: 'VPN authentication failed',
      endpoint: true,
      fields: ['vpntunnel', 'gateway', 'remip', 'vpnuser', 'reason'],
      ecs: { category: ['authentication', 'network'], type: ['start'], outcome: 'failure' },
    },
    {
      id: 'vpn-tunnel-up',
      subtype: 'vpn',
      level: 'notice',
      msg: 'VPN tunnel up',
      endpoint: true,
      fields: ['vpntunnel', 'vpntype', 'gateway', 'remip'],
      ecs: { ...vpn, type: ['start', 'connection'], outcome: 'success' },
    },
    {
      id: 'vpn-tunnel-down',
      subtype: 'vpn',
      level: 'notice',
      msg: 'VPN tunnel down',
      endpoint: true,
      fields: ['vpntunnel', 'gateway', 'duration', 'sentbyte', 'rcvdbyte'],
      ecs: { ...vpn, type: ['end', 'connection'], outcome: 'success' },
    },
    {
      id: 'vpn-tunnel-dropped',
      subtype: 'vpn',
      level: 'warning',
      msg: 'VPN tunnel dropped',
      endpoint: true,
      fields: ['vpntunnel', 'gateway', 'duration', 'reason'],
      ecs: { ...vpn, type: ['end', 'error'], outcome: 'failure' },
    },
  ],
});
