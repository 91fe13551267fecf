/**
 * Lines for the parser tests: EMS core output (the canonical format, every category, both syslog formats, several zones)
 * and hand-written lines from the neighbours and relays of reference §2-§3 and §7, which the EMS core does not produce.
 */

import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { type Framing, frameNewline, frameOctetCounted } from '../../syslog/framing.js';
import type { EmsLogLine } from '../../syslog/log-line.js';
import { formatLine, type SyslogFormat } from '../../syslog/syslog-format.js';

export interface CorpusLine {
  /** The complete syslog message, without framing. */
  line: string;
  /** What the EMS core logged: the ground truth the parsed event is checked against. */
  source: EmsLogLine;
  format: SyslogFormat;
  hostname: string;
  /** Zone the header timestamp is written in (and EMS writes dtime in). */
  timeZone: string;
  facility: number;
}

export interface CorpusOptions {
  seed: number;
  count: number;
  /** Virtual start; default Monday 2026-11-23 00:00 UTC. */
  start?: number;
  scenario?: ScenarioName;
  formats?: readonly SyslogFormat[];
  hostnames?: readonly string[];
  timeZones?: readonly string[];
  facilities?: readonly number[];
}

export const CORPUS_MONDAY = Date.parse('2026-11-23T00:00:00Z');

/**
 * `count` EMS core lines. Each line takes the next format, host, zone and facility in turn, so a small corpus still
 * covers every combination; the simulation runs with the zone of the first entry (dtime's zone is not a header field).
 */
export async function emsCorpus(options: CorpusOptions): Promise<CorpusLine[]> {
  const formats = options.formats ?? ['rfc3164', 'rfc5424'];
  const hostnames = options.hostnames ?? ['ems01.corp.example.com'];
  const timeZones = options.timeZones ?? ['UTC'];
  const facilities = options.facilities ?? [16];
  const sim = new Simulation({
    seed: options.seed,
    start: options.start ?? CORPUS_MONDAY,
    endpoints: 60,
    scenario: options.scenario ?? 'office-day',
    identity: { timeZone: timeZones[0] },
  });
  const lines: CorpusLine[] = [];
  await runSimulation(
    sim,
    (source) => {
      const n = lines.length;
      const format = formats[n % formats.length] as SyslogFormat;
      const hostname = hostnames[Math.floor(n / formats.length) % hostnames.length] as string;
      const timeZone = timeZones[n % timeZones.length] as string;
      const facility = facilities[n % facilities.length] as number;
      lines.push({ line: formatLine(source, { format, hostname, timeZone, facility }), source, format, hostname, timeZone, facility });
    },
    { count: options.count },
  );
  return lines;
}

/** Lines the EMS core never writes but the parsers must take (reference §2, §3, §7); seeds for the fuzz tests. */
export const VARIANT_LINES = {
  observedEms:
    '<130>Oct  1 22:17:30 ems01 ems-client: dtime="2026-10-01 22:17:30" device_id="8f2c1e4a-5b6d-4c3e-9a1f-2b7c8d9e0f11" ' +
    'logid="0000000020" type=event subtype=admin level=critical devid=FCT8003611528421 uid=0123456789ABCDEF0123456789ABCDEF ' +
    'hostname="pc 1" user="alice" deviceip=10.10.12.7 devicemac=a1-b2-c3-4d-38-a6 emsserial=FCTEMS8822000123 ' +
    'os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" msg="offline" usingpolicy="Global" emshostname="" vd="default"',
  relayPrefixed:
    '2026-11-22T10:00:01.123456+00:00 ems01 ems-client: dtime="2026-11-22 10:00:01" type=event subtype=admin level=information ' +
    'devid=FCT8003611528421 uid=0123456789ABCDEF0123456789ABCDEF hostname="pc 1" emsserial=FCTEMS8822000123 msg="online" ' +
    'status="online" emshostname="" vd="default"',
  forticlientWebFilter:
    '<132>date=2026-11-22 time=10:00:01 logver=1 id=96500 type=securityevent subtype=webfilter eventtype=webfilter level=warning ' +
    'uid=0123456789ABCDEF0123456789ABCDEF devid=FCT8003611528421 hostname=PC-1 pcdomain=corp.example.com deviceip=10.10.12.7 ' +
    'devicemac=a1-b2-c3-4d-38-a6 site=default fctver=7.4.1.1736 fgtserial=FGT60FTK2209A001 emsserial=FCTEMS8822000123 ' +
    'usingpolicy="Global" os="Microsoft Windows 11" user=alice msg="Web filter blocked a URL" url="/payload.exe" action=blocked',
  fortigateEndpoint:
    '<189>date=2026-11-22 time=11:00:01 devname="FGT60F-HQ" devid="FGT60FTK2209A001" eventtime=1795341601123456789 tz="+0100" ' +
    'logid="0107045057" type="event" subtype="endpoint" level="information" vd="root" logdesc="FortiClient connection added" ' +
    'fctuid="0123456789ABCDEF0123456789ABCDEF" fctemssn="FCTEMS8822000123" msg="Add a FortiClient Connection."',
} as const;

/** One framed message as a sender writes it on a TCP stream. */
export function frame(message: string, framing: Framing): Buffer {
  return framing === 'octet' ? frameOctetCounted(message) : frameNewline(message);
}

/** Cuts a buffer into consecutive pieces of the given sizes (the last piece takes the rest), as a socket may deliver it. */
export function cutInto(buffer: Buffer, sizes: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let offset = 0;
  for (const size of sizes) {
    if (offset >= buffer.length) break;
    pieces.push(buffer.subarray(offset, offset + Math.max(1, size)));
    offset += Math.max(1, size);
  }
  if (offset < buffer.length) pieces.push(buffer.subarray(offset));
  return pieces;
}
