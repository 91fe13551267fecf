/**
 * Small pieces the benchmarks share: reading a `fortiems ingest` process's `/metrics` and its memory from /proc, and
 * percentiles. Nothing here starts or stops anything.
 */
import { readFileSync } from 'node:fs';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { formatLine } from '../../syslog/index.js';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1] as string] = label[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** GET `<httpUrl>/metrics`, parsed; bounded by `timeoutMs`. */
export async function scrapeMetrics(httpUrl: string, timeoutMs = 10_000): Promise<MetricSample[]> {
  const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${httpUrl}/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

/** The sum of the samples named `name` whose labels include every label of `where`. */
export function sumMetric(samples: readonly MetricSample[], name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
  }
  return sum;
}

/** A process's resident memory now (VmRSS) and its peak (VmHWM), in MiB, from /proc/<pid>/status (Linux). */
export function processMemoryMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** Nearest-rank percentile (0-100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** `count` EMS core lines (RFC 3164, as an EMS server sends them) of the last day, from 2,000 endpoints, seeded. */
export async function emsLines(count: number, seed: number): Promise<string[]> {
  const lines: string[] = [];
  const sim = new Simulation({ seed, start: Date.now() - 86_400_000, endpoints: 2000 });
  await runSimulation(sim, (line) => void lines.push(formatLine(line, { format: 'rfc3164', hostname: 'ems01.corp.example.com' })), {
    count,
  });
  return lines;
}
