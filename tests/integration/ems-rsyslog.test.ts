import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination } from '../../syslog/destinations.js';
import type { EmsLogLine } from '../../syslog/log-line.js';
import { formatLine, type SyslogFormat } from '../../syslog/syslog-format.js';
import { type RsyslogReceiver, startRsyslog } from '../support/rsyslog.js';

const EMS = { type: 'event', emsserial: 'FCTEMS8822001975', emshostname: 'ems01.corp.example', vd: 'default' } as const;
const ENDPOINT = {
  devid: 'FCT8001ZQ7RB4K2A',
  uid: '6F1C3B9A0D2E4F5A8B7C6D5E4F3A2B1C',
  deviceip: '10.20.30.42',
  devicemac: 'a1-b2-c3-4d-38-a6',
  os: 'Microsoft Windows 11 Professional Edition, 64-bit (build 22631)',
  usingpolicy: 'Finance "Laptops" = strict',
} as const;
const LONG_LINE_INDEX = 779; // an ems-error line (index % 5 === 4)

/** Line `index` of the run: the categories in turn, every value unique to the line so order and wholeness both show. */
function emsLine(index: number): EmsLogLine {
  const time = new Date(Date.UTC(2026, 9, 1, 22, 17, 30) + index * 1_000);
  const dtime = time.toISOString().slice(0, 19).replace('T', ' ');
  switch (index % 5) {
    case 0:
      return {
        category: 'ems-client',
        level: 'information',
        time,
        record: {
          ...EMS,
          ...ENDPOINT,
          dtime,
          subtype: 'admin',
          hostname: `PC FIN ${index}`,
          user: 'Zoë Ørsted 山田',
          msg: 'online',
          status: 'online',
        },
      };
    case 1:
      return {
        category: 'ems-network',
        level: 'warning',
        time,
        record: {
          ...EMS,
          ...ENDPOINT,
          dtime,
          subtype: 'network',
          hostname: `mac-dev-${index}`,
          msg: 'Invalid certificate, connection allowed by policy',
          srcip: '198.51.100.7',
          srcport: 40_000 + index,
          service: 'fcems_ecsocksrv',
          certstatus: 'untrusted',
          certaction: 'allow',
        },
      };
    case 2:
      return {
        category: 'ems-vpn',
        level: 'notice',
        time,
        record: {
          ...EMS,
          ...ENDPOINT,
          dtime,
          subtype: 'vpn',
          msg: 'VPN tunnel down',
          vpntunnel: `HQ tunnel #${index}`,
          gateway: '2001:db8::1',
          duration: index,
          sentbyte: 9_007_199_254_740_991 - index,
          reason: 'peer said: "bye" \\ key=value',
        },
      };
    case 3:
      return {
        category: 'ems-authentication',
        level: 'alert',
        time,
        record: {
          ...EMS,
          dtime,
          subtype: 'auth',
          msg: 'Administrator login failed',
          admin: `admin${index}`,
          srcip: '203.0.113.9',
          failcount: index,
          // Attacker-controlled text trying to forge a second line and a second frame.
          reason: `bad password\n<13>Oct  1 00:00:00 forged ems-error: msg="pwned"\r\t${index}`,
        },
      };
    default: {
      const reason =
        index === LONG_LINE_INDEX
          ? Array.from({ length: 170 }, (_, part) => `part ${part}: "quoted" a=b é 山 \\`).join(' | ')
          : `worker ${index} failed`;
      return {
        category: 'ems-error',
        level: 'error',
        time,
        record: { ...EMS, dtime, subtype: 'error', msg: 'Service crashed', service: 'fcems_adtask', reason },
      };
    }
  }
}

const COUNT = 2_000;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function formattedLines(format: SyslogFormat): string[] {
  return Array.from({ length: COUNT }, (_, index) => formatLine(emsLine(index), { format, hostname: 'ems01', timeZone: 'Europe/Paris' }));
}

describe('EMS syslog to a real rsyslog', () => {
  let rsyslog: RsyslogReceiver;
  beforeAll(async () => {
    rsyslog = await startRsyslog({
      listeners: [{ name: 'tcp-octet' }, { name: 'tcp-newline' }, { name: 'tls-verified', tls: true }, { name: 'tls-insecure', tls: true }],
    });
  });
  afterAll(async () => {
    if (!rsyslog) return;
    await rsyslog.stop();
    expect(processIsAlive(rsyslog.pid)).toBe(false);
  });

  it('the run covers what must survive the trip: a ~6 KB line, quotes, =, backslashes, Unicode, forged line breaks', () => {
    const lines = formattedLines('rfc3164');
    expect(Buffer.byteLength(lines[LONG_LINE_INDEX] as string)).toBeGreaterThan(6_000);
    const all = lines.join('\n');
    for (const needle of ['\\"', '=b', '\\\\', 'Zoë Ørsted 山田', '\\n<13>Oct  1 00:00:00 forged']) expect(all).toContain(needle);
    expect(lines.every((line) => !/[\r\n]/.test(line))).toBe(true);
  });

  it.each([
    ['tcp-octet', 'tcp', '', 'rfc3164'],
    ['tcp-newline', 'tcp', '?framing=newline', 'rfc5424'],
    ['tls-verified', 'tls', '?ca=CA', 'rfc5424'],
    ['tls-insecure', 'tls', '?insecure=1', 'rfc3164'],
  ] as const)('%s: every message arrives whole and in order', async (listener, scheme, query, format) => {
    const url = `${scheme}://127.0.0.1:${rsyslog.ports[listener]}${query.replace('CA', rsyslog.certFile)}`;
    const errors: Error[] = [];
    const destination = openDestination(url, { onError: (error) => errors.push(error) });
    const sent = formattedLines(format);
    for (const message of sent) destination.write(message);
    await destination.close();
    expect(errors).toEqual([]);
    expect(destination.stats()).toEqual({ sent: COUNT, dropped: 0, reconnects: 0 });
    const received = await rsyslog.waitForMessages(listener, COUNT);
    expect(received.length).toBe(COUNT);
    // Compared one by one first, so a failure names the first message that differs instead of dumping 2,000.
    const firstDifference = received.findIndex((message, index) => message !== sent[index]);
    expect(
      firstDifference === -1 ? undefined : { index: firstDifference, sent: sent[firstDifference], received: received[firstDifference] },
    ).toBeUndefined();
    expect(received).toEqual(sent);
  });
});
