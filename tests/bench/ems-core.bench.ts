/**
 * npm run bench:ems — how fast the EMS core produces lines, and what it costs in memory.
 * Prints figures; asserts nothing (timing belongs in benchmarks, not tests).
 */

import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { validateRecord } from '../../mappings/index.js';
import { formatLine } from '../../syslog/index.js';

const MONDAY = Date.parse('2026-11-23T00:00:00Z');
const COUNT = Number(process.env.BENCH_COUNT ?? 200_000);

async function measure(label: string, sink: Parameters<typeof runSimulation>[1], endpoints = 2000): Promise<void> {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sim = new Simulation({ seed: 1, start: MONDAY, endpoints });
  const started = process.hrtime.bigint();
  const result = await runSimulation(sim, sink, { count: COUNT });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const heapAfter = process.memoryUsage().heapUsed;
  const days = (result.virtualEnd - result.virtualStart) / 86_400_000;
  console.log(
    `${label.padEnd(34)} ${String(result.lines).padStart(8)} lines  ${Math.round(result.lines / seconds)
      .toLocaleString('en')
      .padStart(9)} lines/s  ${days.toFixed(1)} virtual days  heap +${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB`,
  );
}

let bytes = 0;
console.log(`EMS core, ${COUNT.toLocaleString('en')} lines per run, 2,000 endpoints, Node ${process.version}`);
await measure('generate only', () => undefined);
await measure('generate + RFC 3164 format', (line) => {
  bytes += formatLine(line, { format: 'rfc3164', hostname: 'ems01' }).length;
});
await measure('generate + RFC 5424 format', (line) => {
  bytes += formatLine(line, { format: 'rfc5424', hostname: 'ems01', timeZone: 'Europe/Paris' }).length;
});
await measure('generate + validate against catalogue', (line) => {
  bytes += validateRecord(line.category, line.record).length;
});
console.log(`(${bytes} characters formatted in total)`);
