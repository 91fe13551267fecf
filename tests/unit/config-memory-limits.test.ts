import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig } from '../../ingest/config/load-config.js';

function problemsOf(text: string) {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const SINK = 'sinks:\n  os: { type: opensearch }\n';

describe('memory limits in the configuration', () => {
  it('defaults: the queue bounded in events and bytes, TCP and TLS sources capped in connections and idle time', () => {
    const config = defaultConfig({});
    expect(config.pipeline).toMatchObject({ queue_events: 5000, queue_bytes: 4 * 1024 * 1024 });
    for (const id of ['syslog_tcp', 'syslog_tls'])
      expect(config.sources?.[id]).toMatchObject({ max_connections: 1000, idle_timeout_seconds: 600 });
    // A file that leaves the pipeline section out still gets the byte bound.
    expect(parseConfig(`pipeline: {}\n${SINK}`, 'x.yaml', {}).pipeline?.queue_bytes).toBe(4 * 1024 * 1024);
  });

  it('takes the limits where they apply, and refuses them where they cannot', () => {
    expect(
      problemsOf(
        `sources:\n  tcp: { type: syslog, mode: tcp, address: "127.0.0.1:5514", max_connections: 5, idle_timeout_seconds: 0 }\npipeline: { queue_bytes: 1048576 }\n${SINK}`,
      ),
    ).toEqual([]);
    const problems = problemsOf(
      [
        'sources:',
        '  udp: { type: syslog, mode: udp, address: "127.0.0.1:5514", max_connections: 5 }',
        '  tcp: { type: syslog, mode: tcp, address: "127.0.0.1:5515", max_connections: 0 }',
        'pipeline: { queue_bytes: 1000 }',
        SINK,
      ].join('\n'),
    );
    expect(problems.map((p) => [p.path, p.line, p.message])).toEqual([
      ['sources.tcp.max_connections', 3, 'must be ≥ 1'],
      ['pipeline.queue_bytes', 4, 'must be ≥ 1048576'],
    ]);
    // Schema errors come first; once the schema holds, the UDP listener's connection setting is refused on its own.
    const udp = problemsOf(`sources:\n  udp: { type: syslog, mode: udp, address: "127.0.0.1:5514", idle_timeout_seconds: 60 }\n${SINK}`);
    expect(udp).toEqual([
      expect.objectContaining({
        path: 'sources.udp.idle_timeout_seconds',
        line: 2,
        message: 'idle_timeout_seconds on a UDP listener (it has no connections)',
      }),
    ]);
  });

  it('fortiems validate --print-defaults shows them', () => {
    const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
    const printed = spawnSync(process.execPath, [cli, 'validate', '--print-defaults'], { encoding: 'utf8' });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toMatch(/syslog_tcp: \{[^}]*max_connections: 1000, idle_timeout_seconds: 600 \}/);
    expect(printed.stdout).toMatch(/syslog_tls: \{[^}]*max_connections: 1000, idle_timeout_seconds: 600 \}/);
    expect(printed.stdout).toContain('queue_bytes: 4194304');
  });
});
