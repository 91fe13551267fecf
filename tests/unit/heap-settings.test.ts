import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHeapSettings, configuredHeapMiB, DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from '../../app/service/heap-settings.js';
import { defaultConfig } from '../../ingest/config/load-config.js';
import { ActionableError } from '../../platform/errors.js';

describe('heap settings of fortiems ingest', () => {
  it('FORTIEMS_HEAP_GROWTH_PERCENT: the default when unset, an integer 0–400 otherwise', () => {
    expect(heapGrowthPercent({})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent({ FORTIEMS_HEAP_GROWTH_PERCENT: '0' })).toBe(0);
    expect(heapGrowthPercent({ FORTIEMS_HEAP_GROWTH_PERCENT: ' 120 ' })).toBe(120);
    for (const bad of ['-1', '1.5', 'lots', '401'])
      expect(() => heapGrowthPercent({ FORTIEMS_HEAP_GROWTH_PERCENT: bad })).toThrow(ActionableError);
  });

  it('the heap the configuration can fill grows with its queue, spool caches and batches', () => {
    const base = defaultConfig({});
    const needed = configuredHeapMiB(base);
    expect(needed).toBeLessThan(200);
    const bigQueue = { ...base, pipeline: { ...base.pipeline, queue_bytes: 256 * 1024 * 1024 } };
    expect(configuredHeapMiB(bigQueue)).toBeGreaterThan(needed + 256);
    const bigBatches = { ...base, sinks: { os: { type: 'opensearch' as const, concurrency: 8, batch: { max_bytes: 50 * 1024 * 1024 } } } };
    expect(configuredHeapMiB(bigBatches)).toBeGreaterThan(needed + 1000);
  });

  it('refuses a heap limit below that, saying which settings to change', () => {
    const config = defaultConfig({});
    const needed = configuredHeapMiB(config);
    expect(applyHeapSettings(config, {}, needed + 1)).toEqual({
      growthPercent: DEFAULT_HEAP_GROWTH_PERCENT,
      neededMiB: needed,
      limitMiB: needed + 1,
    });
    expect(() => applyHeapSettings(config, {}, needed - 1)).toThrow(/heap limit .* below what this configuration can hold/);
  });

  it('fortiems ingest started with too small a heap exits with that error, not an out-of-memory crash later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-heap-'));
    const config = join(dir, 'fortiems.yaml');
    writeFileSync(
      config,
      `data_dir: ${JSON.stringify(join(dir, 'data'))}\nsources:\n  tcp: { type: syslog, mode: tcp, address: "127.0.0.1:0" }\npipeline: { queue_bytes: 1073741824 }\nsinks:\n  os: { type: opensearch, url: "http://127.0.0.1:1" }\nhttp: { address: "127.0.0.1:0" }\n`,
    );
    const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--max-old-space-size=512', cli, 'ingest', '--config', config], {
      encoding: 'utf8',
      env: { ...process.env, FORTIEMS_LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/heap limit \(\d+ MiB\) is below what this configuration can hold/);
    expect(run.stderr).toContain('--max-old-space-size=');
  });
});
