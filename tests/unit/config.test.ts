import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig } from '../../ingest/config/load-config.js';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs out of the box: the defaults validate and carry the documented ports', () => {
    const config = defaultConfig({});
    expect(config.sources?.syslog_udp).toMatchObject({
      type: 'syslog',
      mode: 'udp',
      address: '0.0.0.0:5514',
      receive_buffer_bytes: 8_388_608,
    });
    expect(config.sources?.syslog_tcp).toMatchObject({ mode: 'tcp', address: '0.0.0.0:5514', max_message_bytes: 65_536 });
    expect(config.sources?.syslog_tls).toMatchObject({ mode: 'tls', address: '0.0.0.0:6514' });
    expect(config.http?.address).toBe('127.0.0.1:8080');
    expect(config.sinks?.opensearch).toMatchObject({ type: 'opensearch', namespace: 'default', concurrency: 2 });
    expect(config.pipeline).toMatchObject({ timezone: 'UTC', queue_events: 20_000, workers: 'auto' });
  });

  it('fills nested defaults where a section is given', () => {
    const config = parseConfig('sinks:\n  os: { type: opensearch, batch: {}, buffer: {} }\n', 'x.yaml', {});
    expect(config.sinks?.os?.batch).toEqual({ max_events: 2000, max_bytes: 5_242_880, timeout_ms: 1000 });
    expect(config.sinks?.os?.buffer).toEqual({ type: 'disk', max_bytes: 1_073_741_824, when_full: 'block' });
  });

  it('names the place and the fix: line, column, path, and a suggestion for a misspelt key', () => {
    const problems = problemsOf(
      [
        'sources:',
        '  tcp_in:',
        '    type: syslog',
        '    mode: tcp',
        '    adress: "0.0.0.0:5514"',
        'sinks:',
        '  os: { type: opensearch }',
      ].join('\n'),
    );
    expect(problems).toEqual([
      {
        path: 'sources.tcp_in.adress',
        line: 5,
        column: 5,
        message: "unknown setting 'adress'",
        fix: expect.stringContaining("did you mean 'address'?"),
      },
    ]);
  });

  it('reports every problem at once, each at its own line', () => {
    const problems = problemsOf(
      [
        'sources:',
        '  udp: { type: syslog, mode: sctp }',
        '  web: { type: smtp }',
        'sinks:',
        '  os:',
        '    type: opensearch',
        '    batch: { max_events: 0 }',
        '    concurrency: two',
      ].join('\n'),
    );
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['sources.udp.mode', 2],
      ['sources.web.type', 3],
      ['sinks.os.batch.max_events', 7],
      ['sinks.os.concurrency', 8],
    ]);
    expect(problems[0]?.fix).toBe('use one of udp, tcp, tls');
    expect(problems[2]?.message).toBe('must be ≥ 1');
    expect(problems[3]?.message).toBe('must be a whole number');
  });

  it('interpolates ENV references with and without a default, and $$, and reports a missing variable with its fix', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: literal ${ENV} references are the input under test
    const text = 'sinks:\n  os: { type: opensearch, url: "${OS_URL}", password: "${OS_PASS:-changeme}", username: "a$$b" }\n';
    const config = parseConfig(text, 'x.yaml', { OS_URL: 'https://search.example.org:9200' });
    expect(config.sinks?.os).toMatchObject({ url: 'https://search.example.org:9200', password: 'changeme', username: 'a$b' });
    const problems = problemsOf(text, {});
    expect(problems[0]).toMatchObject({ path: 'sinks.os.url', line: 2, message: 'environment variable OS_URL is not set' });
    expect(problems[0]?.fix).toMatch(/export OS_URL=/);
  });

  it('never lets a variable inject structure', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: literal ${ENV} references are the input under test
    const config = parseConfig('sinks:\n  os: { type: opensearch, username: "${EVIL}" }\n', 'x.yaml', { EVIL: 'x\n  admin: true' });
    expect(config.sinks?.os?.username).toBe('x\n  admin: true');
  });

  it('checks what the schema cannot: zones, port collisions, TLS pairs, at least one sink', () => {
    const problems = problemsOf(
      [
        'pipeline: { timezone: Mars/Olympus }',
        'sources:',
        '  a: { type: syslog, mode: tcp, address: "0.0.0.0:5514" }',
        '  b: { type: syslog, mode: tls, address: "0.0.0.0:5514", tls: { cert_file: /x.pem } }',
        'sinks: {}',
      ].join('\n'),
    );
    // In file order: the zone (line 1), the second listener and its TLS pair (line 4), the empty sinks (line 5).
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, "unknown time zone 'Mars/Olympus'"],
      [4, 'listens on the same TCP port as sources.a'],
      [4, 'cert_file and key_file come together'],
      [5, 'no sink: events would have nowhere to go'],
    ]);
  });

  it('reports broken YAML with its position', () => {
    const problems = problemsOf('sources:\n  a: { type: syslog\n');
    expect(problems[0]?.message).toMatch(/^not valid YAML/);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });
});

describe('fortiems validate', () => {
  const cli = new URL('../../bin/fortiems.js', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-config-'));

  it('says valid for a good file, and lists problems with exit code 78 for a bad one', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'sources:\n  tcp: { type: syslog, mode: tcp, address: "0.0.0.0:5514" }\nsinks:\n  os: { type: opensearch }\n');
    const ok = spawnSync(process.execPath, [cli, 'validate', good], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('valid (1 sources: tcp; 1 sinks: os)');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'sources:\n  tcp: { type: syslog, mode: tcp, address: "5514" }\nsinks:\n  os: { type: opensearch }\n');
    const failed = spawnSync(process.execPath, [cli, 'validate', bad], { encoding: 'utf8' });
    expect(failed.status).toBe(78);
    expect(failed.stderr).toContain(`${bad}:2:`);
    expect(failed.stderr).toContain('sources.tcp.address: does not have the expected form (HOST:PORT, e.g. 0.0.0.0:5514 or [::]:5514)');
    expect(failed.stderr).toContain('fix: write it as HOST:PORT');
  });
});
