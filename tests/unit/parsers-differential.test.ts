/**
 * Differential test: our syslog header parser against an independent one from npm, nsyslog-parser, on EMS core lines
 * (RFC 3164 and RFC 5424, several zones, hosts, facilities, tags with and without PROCID/MSGID).
 *
 * Where the two legitimately differ, the comparison is normalised:
 * - RFC 3164 year: nsyslog-parser takes the current year of the machine; we take the year closest to the receive time.
 *   The year is left out of the comparison, and our instant is checked against the EMS core's own time instead.
 * - RFC 3164 zone: nsyslog-parser reads the BSD time in the machine's zone; we read it in the source's zone. Both are
 *   compared as wall clocks (month, day, hh:mm:ss): ours in the source zone, theirs in the machine's.
 * - NILVALUE: nsyslog-parser keeps `-` for PROCID and MSGID; we leave the field out. `-` is read as absent.
 * Any other disagreement is a bug in one of the two.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSyslogHeader } from '../../parsers/syslog-header.js';
import { type CorpusLine, emsCorpus } from '../support/parser-corpus.js';

interface NsyslogEntry {
  prival: number;
  facilityval?: number;
  levelval?: number;
  type: string;
  ts?: Date;
  host?: string;
  appName?: string;
  pid?: string;
  messageid?: string;
  message: string;
  err?: unknown;
}
// CommonJS without types: loaded through require and given the shape its README documents.
const nsyslog = createRequire(import.meta.url)('nsyslog-parser') as (line: string, options?: object) => NsyslogEntry;

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
const HOSTS = ['ems01.corp.example.com', 'ems-02', '10.20.30.40', 'EMS_PROD'];
const FACILITIES = [16, 0, 4, 13, 23];

interface Case extends CorpusLine {
  procId?: string;
  msgId?: string;
}

/** Every third line gets a PROCID (`TAG[PID]:` in 3164) and, in 5424, a MSGID: the EMS core writes neither. */
function withProcessIds(line: CorpusLine, n: number): Case {
  if (n % 3 !== 1) return line;
  const procId = String(1000 + n);
  if (line.format === 'rfc3164') {
    return { ...line, procId, line: line.line.replace(` ${line.source.category}: `, ` ${line.source.category}[${procId}]: `) };
  }
  const msgId = `ID${n}`;
  return {
    ...line,
    procId,
    msgId,
    line: line.line.replace(` ${line.source.category} - - - `, ` ${line.source.category} ${procId} ${msgId} - `),
  };
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();
/** `MM-DD hh:mm:ss` of an instant in a zone. */
function wallClock(instant: number, zone: string): string {
  let format = wallFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The same, from a Date's local getters (nsyslog-parser builds its 3164 Date in the machine's zone). */
function localWallClock(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

const nil = (value: string | undefined) => (value === '-' || value === '' ? undefined : value);

let cases: Case[] = [];
beforeAll(async () => {
  const corpus = await emsCorpus({ seed: 11, count: 800, hostnames: HOSTS, timeZones: ZONES, facilities: FACILITIES });
  cases = corpus.map(withProcessIds);
});

describe('syslog headers agree with nsyslog-parser', () => {
  it('covers both formats, every zone, host and facility, and tags with and without PROCID', () => {
    expect(new Set(cases.map((c) => c.format))).toEqual(new Set(['rfc3164', 'rfc5424']));
    expect(new Set(cases.map((c) => c.timeZone))).toEqual(new Set(ZONES));
    expect(new Set(cases.map((c) => c.hostname))).toEqual(new Set(HOSTS));
    expect(new Set(cases.map((c) => c.facility))).toEqual(new Set(FACILITIES));
    expect(new Set(cases.map((c) => c.source.category)).size).toBeGreaterThanOrEqual(6);
    expect(cases.filter((c) => c.procId !== undefined).length).toBeGreaterThan(100);
  });

  it('PRI, facility, severity, hostname, app name, PROCID, MSGID and the message after the header', () => {
    for (const c of cases) {
      const ours = parseSyslogHeader(c.line, { receivedAt: c.source.time.getTime() + 2000, zone: c.timeZone });
      const theirs = nsyslog(c.line);
      const context = `${c.format} ${c.line.slice(0, 90)}`;
      expect(theirs.err, context).toBeUndefined();
      expect(ours.format === 'rfc5424' ? 'RFC5424' : 'BSD', context).toBe(theirs.type);
      expect(
        {
          priority: ours.priority,
          facility: ours.facility,
          severity: ours.severity,
          hostname: ours.hostname,
          appName: ours.appName,
          procId: ours.procId,
          msgId: ours.msgId,
          message: c.line.slice(ours.bodyStart).trim(),
        },
        context,
      ).toEqual({
        priority: theirs.prival,
        facility: theirs.facilityval,
        severity: theirs.levelval,
        hostname: theirs.host,
        appName: theirs.appName,
        procId: nil(theirs.pid),
        msgId: nil(theirs.messageid),
        message: theirs.message,
      });
      // And both agree with what the EMS core wrote.
      expect(ours.priority, context).toBe(
        c.facility * 8 + ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'].indexOf(c.source.level),
      );
      expect([ours.hostname, ours.appName, ours.procId, ours.msgId], context).toEqual([c.hostname, c.source.category, c.procId, c.msgId]);
    }
  });

  it('the timestamp: the same instant in RFC 5424; the same wall clock in RFC 3164, ours in the right year and zone', () => {
    for (const c of cases) {
      const ours = parseSyslogHeader(c.line, { receivedAt: c.source.time.getTime() + 2000, zone: c.timeZone });
      const theirs = nsyslog(c.line);
      const context = `${c.format} ${c.timeZone} ${c.line.slice(0, 60)}`;
      expect(ours.timestamp, context).toBeDefined();
      const instant = ours.timestamp as number;
      if (c.format === 'rfc5424') {
        expect(instant, context).toBe(theirs.ts?.getTime());
        expect(instant, context).toBe(c.source.time.getTime());
      } else {
        expect(wallClock(instant, c.timeZone), context).toBe(localWallClock(theirs.ts as Date));
        // The BSD timestamp has whole seconds.
        expect(instant, context).toBe(Math.floor(c.source.time.getTime() / 1000) * 1000);
      }
    }
  });
});
