import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { parseEmsDateTime } from '../../mappings/index.js';
import { decodeCanonicalEmsBody, decodeEmsRecord } from '../../parsers/ems-decode.js';
import { parseKeyValue } from '../../parsers/key-value.js';
import { formatLine } from '../../syslog/index.js';
import type { EmsLogLine } from '../../syslog/log-line.js';

async function simulatedLines(count: number): Promise<EmsLogLine[]> {
  const lines: EmsLogLine[] = [];
  await runSimulation(new Simulation({ seed: 21, start: Date.parse('2026-11-23T00:00:00Z') }), (line) => void lines.push(line), { count });
  return lines;
}

describe('the canonical-body fast path', () => {
  it('decodes exactly as the general path does, on the EMS core corpus', async () => {
    let declined = 0;
    const lines = await simulatedLines(3000);
    for (const line of lines) {
      const text = formatLine(line, { format: 'rfc3164', hostname: 'ems01' });
      const body = text.slice(text.indexOf(': ') + 2);
      const fast = decodeCanonicalEmsBody(line.category, body, 'Europe/Paris');
      // An escaped character (a Windows path in a detection) is the general path's job; nothing else is declined.
      if (fast === undefined && body.includes('\\')) {
        declined++;
        continue;
      }
      expect(fast, body).toBeDefined();
      expect(fast).toEqual(decodeEmsRecord(line.category, parseKeyValue(body).pairs, 'Europe/Paris'));
    }
    expect(declined).toBeLessThan(lines.length / 100);
  });

  it('declines what it does not expect, so the general path handles it', () => {
    const head = 'dtime="2026-11-23 10:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="EMS started"';
    expect(decodeCanonicalEmsBody('ems-event', `${head} emshostname="" vd="default"`, 'UTC')).toBeDefined();
    expect(decodeCanonicalEmsBody('ems-event', `${head} unknownkey=1 emshostname="" vd="default"`, 'UTC')).toBeUndefined();
    expect(decodeCanonicalEmsBody('ems-event', `vd="default" ${head}`, 'UTC')).toBeUndefined();
    expect(decodeCanonicalEmsBody('ems-event', `${head} reason="say \\"hi\\"" emshostname="" vd="default"`, 'UTC')).toBeUndefined();
    expect(decodeCanonicalEmsBody('ems-event', `${head} emshostname="unterminated`, 'UTC')).toBeUndefined();
    expect(decodeCanonicalEmsBody('ems-event', `${head}  emshostname="" vd="default"`, 'UTC')).toBeUndefined();
  });

  it('rejects impossible dtimes instead of producing an invalid instant', () => {
    expect(parseEmsDateTime('20x6-11-23 10:00:00', 'UTC')).toBeUndefined();
    expect(parseEmsDateTime('2026-13-23 10:00:00', 'UTC')).toBeUndefined();
    expect(parseEmsDateTime('2026-11-23 10:00:00', 'UTC')).toBe(Date.parse('2026-11-23T10:00:00Z'));
  });
});
