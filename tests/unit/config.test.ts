import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, checkConfig, defaultConfig, parseConfig } from '../../ingest/config/load-config.js';
import { parseForwardUrl, withForwardSinks } from '../../ingest/forward/forward-url.js';

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
    expect(config.pipeline).toMatchObject({ timezone: 'UTC', queue_events: 5000, workers: 'auto' });
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

  it('takes several node URLs of one cluster as urls, and refuses url and urls together or an empty list', () => {
    const config = parseConfig('sinks:\n  os: { type: opensearch, urls: ["http://a:9200", "http://b:9200"] }\n', 'x.yaml', {});
    expect(config.sinks?.os).toMatchObject({ urls: ['http://a:9200', 'http://b:9200'] });
    expect(problemsOf('sinks:\n  os: { type: opensearch, url: "http://a:9200", urls: ["http://b:9200"] }\n')).toEqual([
      expect.objectContaining({ path: 'sinks.os', message: "'url' and 'urls' cannot be used together", fix: 'keep one of url, urls' }),
    ]);
    expect(problemsOf('sinks:\n  os: { type: elasticsearch, urls: [] }\n')).toEqual([
      expect.objectContaining({ path: 'sinks.os.urls', message: 'must list at least 1' }),
    ]);
    expect(problemsOf('sinks:\n  os: { type: opensearch, urls: ["ftp://a:21"] }\n').length).toBeGreaterThan(0);
  });

  it('never lets a variable inject structure', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: literal ${ENV} references are the input under test
    const config = parseConfig('sinks:\n  os: { type: opensearch, username: "${EVIL}" }\n', 'x.yaml', { EVIL: 'x\n  admin: true' });
    expect(config.sinks?.os).toMatchObject({ username: 'x\n  admin: true' });
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

  it('refuses an HTTP source without a token on a non-loopback http.address, unless it says allow_anonymous', () => {
    const file = (address: string, source = '{ type: http }') =>
      `sources:\n  in: ${source}\nsinks:\n  os: { type: opensearch }\nhttp:\n  address: "${address}"\n`;
    for (const address of ['0.0.0.0:8080', '[::]:8080', '192.0.2.4:8080', 'ingest.example.org:8080']) {
      const problems = problemsOf(file(address));
      expect(problems, address).toHaveLength(1);
      expect(problems[0]).toMatchObject({ path: 'sources.in.token', line: 2 });
      expect(problems[0]?.message).toContain(`http.address ${address} is not a loopback address`);
      expect(problems[0]?.fix).toMatch(/^set token \(16\+ characters.*\), or allow_anonymous: true/);
    }
    for (const address of ['127.0.0.1:8080', '127.1.2.3:0', '[::1]:8080', 'localhost:8080', 'LOCALHOST:8080'])
      expect(problemsOf(file(address)), address).toEqual([]);
    expect(problemsOf(file('0.0.0.0:8080', '{ type: http, allow_anonymous: true }'))).toEqual([]);
    expect(problemsOf(file('0.0.0.0:8080', '{ type: http, allow_anonymous: false }'))).toHaveLength(1);
    expect(problemsOf(file('0.0.0.0:8080', '{ type: http, token: "0123456789abcdef" }'))).toEqual([]);
    // The default http.address is loopback: a file without an http section keeps working without a token.
    expect(problemsOf('sources:\n  in: { type: http }\nsinks:\n  os: { type: opensearch }\n')).toEqual([]);
    // A configuration built in code (the file plus --forward sinks) gets the same check.
    const built = parseConfig(file('127.0.0.1:8080'), 'x.yaml', {});
    built.http = { address: '0.0.0.0:8080' };
    expect(() => checkConfig(built, '<command line>')).toThrow(/sources\.in\.token: no token/);
  });

  it("takes http.metrics_token (16+ characters) and http.trust_proxy (true or the proxies' addresses)", () => {
    const config = parseConfig(
      'sinks:\n  os: { type: opensearch }\nhttp:\n  metrics_token: "0123456789abcdef"\n  trust_proxy: "10.0.0.0/8, 127.0.0.1"\n',
    );
    expect(config.http).toMatchObject({ metrics_token: '0123456789abcdef', trust_proxy: '10.0.0.0/8, 127.0.0.1' });
    expect(parseConfig('sinks:\n  os: { type: opensearch }\nhttp: { trust_proxy: true }\n').http?.trust_proxy).toBe(true);
    const problems = problemsOf('sinks:\n  os: { type: opensearch }\nhttp: { metrics_token: short, trust_proxy: 2 }\n');
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['http.metrics_token', 'must be at least 16 characters long'],
      ['http.trust_proxy', 'must be a boolean or string'],
    ]);
  });

  it('takes a syslog forwarding sink with its defaults (tcp, rfc5424, facility 16, concurrency 1, verify on)', () => {
    const config = parseConfig(
      'sinks:\n  siem: { type: syslog, address: "siem.example.com:6514", mode: tls, tls: { ca_file: /ca.pem } }\n',
    );
    expect(config.sinks?.siem).toMatchObject({
      type: 'syslog',
      mode: 'tls',
      format: 'rfc5424',
      facility: 16,
      concurrency: 1,
      tls: { ca_file: '/ca.pem', verify: true },
    });
    expect(parseConfig('sinks:\n  s: { type: syslog, address: "h:514" }\n').sinks?.s).toMatchObject({ mode: 'tcp' });
  });

  it('checks a syslog sink: framing only on tcp/tls, tls only with mode tls, known categories, and the query (line:column)', () => {
    const problems = problemsOf(
      [
        'sinks:',
        '  a: { type: syslog, address: "h:514", mode: udp, framing: octet }',
        '  b: { type: syslog, address: "h:514", mode: tcp, tls: { verify: false } }',
        '  c: { type: syslog, address: "h:514", filter: { categories: [ems-nope] } }',
        '  d:',
        '    type: syslog',
        '    address: "h:514"',
        '    filter: { query: "event.dataset:fortiems.vpn AND (" }',
      ].join('\n'),
    );
    expect(problems.map((p) => [p.path, p.line, p.message.split(':')[0]])).toEqual([
      ['sinks.a.framing', 2, 'framing on a UDP destination'],
      ['sinks.b.tls', 3, 'tls settings on a tcp destination'],
      ['sinks.c.filter.categories[0]', 4, "unknown category 'ems-nope'"],
      ['sinks.d.filter.query', 8, 'filter query'],
    ]);
    // The column points into the query, at the end where a field was expected (after the opening quote at column 22).
    expect(problems[3]?.column).toBe(22 + 'event.dataset:fortiems.vpn AND ('.length + 1);
    expect(problems[3]?.message).toMatch(/syntax error at position 33/);
  });

  it('rejects a syslog sink without an address, or with an unknown format, naming the fix', () => {
    const problems = problemsOf('sinks:\n  s: { type: syslog, format: syslog }\n');
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining(["'address' is required here", 'must be one of rfc5424, rfc3164, cef, leef, raw, json']),
    );
  });

  it('takes a detections section with its defaults; the out-of-the-box configuration runs the shipped pack', () => {
    expect(defaultConfig({}).detections).toMatchObject({
      enabled: true,
      interval_seconds: 60,
      lookback_seconds: 60,
      time_field: '@timestamp',
    });
    const config = parseConfig(
      [
        'sinks: { os: { type: opensearch } }',
        'detections:',
        '  interval_seconds: 5',
        '  placeholders: { Admins: [admin, root], Temp: "C:\\\\Temp" }',
        '  outputs:',
        '    siem: { type: syslog, address: "siem:514", format: cef, min_level: high }',
        '    hook: { type: webhook, url: "https://hooks.example/x", token: t0ken, headers: { X-Team: soc } }',
      ].join('\n'),
      'test.yaml',
      {},
    );
    expect(config.detections).toMatchObject({ enabled: true, interval_seconds: 5, max_alerts_per_run: 100, disabled_rules: [] });
    expect(config.detections?.placeholders).toEqual({ Admins: ['admin', 'root'], Temp: 'C:\\Temp' });
    expect(config.detections?.outputs?.siem).toMatchObject({ type: 'syslog', mode: 'tcp', format: 'cef', min_level: 'high' });
    expect(config.detections?.outputs?.hook).toMatchObject({ type: 'webhook', timeout_ms: 10_000, concurrency: 2 });
  });

  it('checks detections: the rules exist, an opensearch sink to search, sane outputs, at their lines', () => {
    const problems = problemsOf(
      [
        'sinks: { s: { type: syslog, address: "h:514" } }',
        'detections:',
        '  rules: /nonexistent/rules',
        '  outputs:',
        '    a: { type: syslog, address: "h:514", mode: udp, framing: octet }',
        '    b: { type: webhook, url: "http://h/x", tls: { verify: false } }',
        '    c: { type: syslog, address: "h:514", filter: { categories: [ems-vpn] } }',
        '    d: { type: pager }',
        '  placeholders: { bad: { nested: x }, "%pct%": y }',
      ].join('\n'),
    );
    expect(problems.map((p) => [p.path, p.line, p.message])).toEqual(
      expect.arrayContaining([
        ['detections.outputs.c.filter', 7, "unknown setting 'filter'"],
        ['detections.outputs.d.type', 8, expect.stringMatching(/must name a known kind/)],
        ['detections.placeholders.bad', 9, expect.any(String)],
        ['detections.placeholders', 9, 'placeholder names are letters, digits and _'],
      ]),
    );
    const semantic = problemsOf(
      [
        'sinks: { s: { type: syslog, address: "h:514" } }',
        'detections:',
        '  rules: /nonexistent/rules',
        '  outputs:',
        '    a: { type: syslog, address: "h:514", mode: udp, framing: octet }',
        '    b: { type: webhook, url: "http://h/x", tls: { verify: false } }',
      ].join('\n'),
    );
    expect(semantic.map((p) => [p.path, p.line, p.message.split(':')[0]])).toEqual([
      ['detections', 2, 'detections search OpenSearch, and no sink is of type opensearch'],
      ['detections.rules', 3, "no such rule file or folder '/nonexistent/rules'"],
      ['detections.outputs.a.framing', 5, 'framing on a UDP destination'],
      ['detections.outputs.b.tls', 6, 'tls settings on an http'],
    ]);
  });

  it('--forward URLs become syslog sinks forward_1, forward_2 with clear errors', () => {
    const config = withForwardSinks(defaultConfig(), [
      'tls://siem.example.com:6514?format=cef&framing=octet&ca=/ca.pem&insecure=1&categories=ems-vpn,ems-authentication&min_level=warning',
      'udp://10.0.0.9:514?format=rfc3164&rate=500&burst=50',
    ]);
    expect(checkConfig(config, '--forward').sinks).toMatchObject({
      opensearch: { type: 'opensearch' },
      forward_1: {
        type: 'syslog',
        address: 'siem.example.com:6514',
        mode: 'tls',
        format: 'cef',
        framing: 'octet',
        tls: { ca_file: '/ca.pem', verify: false },
        filter: { categories: ['ems-vpn', 'ems-authentication'], min_level: 'warning' },
      },
      forward_2: { mode: 'udp', format: 'rfc3164', rate_limit: { events_per_second: 500, burst: 50 } },
    });
    expect(() => parseForwardUrl('udp://h:514?framing=octet')).toThrow(/framing on udp/);
    expect(() => parseForwardUrl('tcp://h:514?ca=/x.pem')).toThrow(/TLS settings .* non-TLS/);
    expect(() => parseForwardUrl('http://h:514')).toThrow(/unknown scheme 'http'/);
    expect(() => parseForwardUrl('tcp://h:514?fromat=cef')).toThrow(/unknown parameter 'fromat'/);
    expect(() => parseForwardUrl('tcp://h?format=cef')).toThrow(/no HOST:PORT/);
    expect(() => checkConfig(withForwardSinks({ sinks: {} }, ['tcp://h:514?query=a:(']), '--forward')).toThrow(
      /filter query: syntax error/,
    );
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

  it('refuses an anonymous HTTP source on a reachable address, naming the path and the fix', () => {
    const file = join(dir, 'anonymous.yaml');
    const body = 'sources:\n  in: { type: http }\nsinks:\n  os: { type: opensearch }\nhttp:\n  address: "0.0.0.0:8080"\n';
    writeFileSync(file, body);
    const failed = spawnSync(process.execPath, [cli, 'validate', file], { encoding: 'utf8' });
    expect(failed.status).toBe(78);
    expect(failed.stderr).toContain(`${file}:2:`);
    expect(failed.stderr).toContain('sources.in.token: no token, and http.address 0.0.0.0:8080 is not a loopback address');
    expect(failed.stderr).toContain('allow_anonymous: true');
    writeFileSync(file, body.replace('{ type: http }', '{ type: http, allow_anonymous: true }'));
    const ok = spawnSync(process.execPath, [cli, 'validate', file], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
  }, 30_000);

  it('counts the detection rules that would run, and names the outputs', () => {
    const file = join(dir, 'detections.yaml');
    writeFileSync(
      file,
      'sinks:\n  os: { type: opensearch }\ndetections:\n  interval_seconds: 30\n  disabled_rules: [ems_policy_changed]\n  outputs:\n    hook: { type: webhook, url: "https://h/x" }\n',
    );
    const ok = spawnSync(process.execPath, [cli, 'validate', file], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/; detections: \d+ rules every 30 s, outputs: hook\)$/m);
    const count = Number(/detections: (\d+) rules/.exec(ok.stdout)?.[1]);
    const everything = join(dir, 'everything.yaml');
    writeFileSync(everything, 'sinks:\n  os: { type: opensearch }\ndetections: {}\n');
    const all = spawnSync(process.execPath, [cli, 'validate', everything], { encoding: 'utf8' });
    // The disabled rule is the one difference.
    expect(Number(/detections: (\d+) rules/.exec(all.stdout)?.[1])).toBe(count + 1);
    expect(count).toBeGreaterThanOrEqual(20);
  });
});
