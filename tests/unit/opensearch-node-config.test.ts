import { describe, expect, it } from 'vitest';
import { renderOpenSearchYml, rewriteJvmOptions } from '../../app/opensearch/node-config.js';

describe('managed node configuration', () => {
  it('binds a single node to loopback with its own data and logs folders', () => {
    const yml = renderOpenSearchYml({
      httpPort: 19200,
      transportPort: 19300,
      host: '127.0.0.1',
      dataDir: '/tmp/i/data',
      logsDir: '/tmp/i/logs',
      heap: '1g',
      clusterName: 'fortiems',
    });
    expect(yml).toContain('network.host: 127.0.0.1');
    expect(yml).toContain('http.port: 19200');
    expect(yml).toContain('transport.port: 19300');
    expect(yml).toContain('discovery.type: single-node');
    expect(yml).toContain('path.data: "/tmp/i/data"');
  });

  it('sets the heap and makes the distribution-relative log paths absolute', () => {
    const original = [
      '-Xms1g',
      '-Xmx1g',
      '-XX:HeapDumpPath=data',
      '-XX:ErrorFile=logs/hs_err_pid%p.log',
      '9-:-Xlog:gc*:file=logs/gc.log:utctime',
    ].join('\n');
    const rewritten = rewriteJvmOptions(original, { heap: '512m', logsDir: '/x/logs', dataDir: '/x/data' }).split('\n');
    expect(rewritten).toEqual([
      '-Xms512m',
      '-Xmx512m',
      '-XX:HeapDumpPath=/x/data',
      '-XX:ErrorFile=/x/logs/hs_err_pid%p.log',
      '9-:-Xlog:gc*:file=/x/logs/gc.log:utctime',
    ]);
  });

  it('refuses a malformed heap instead of passing it to the JVM', () => {
    expect(() => rewriteJvmOptions('-Xms1g', { heap: '1 gigabyte', logsDir: '/l', dataDir: '/d' })).toThrow(/heap/);
  });
});
