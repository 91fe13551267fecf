import { describe, expect, it } from 'vitest';
import { CLUSTER_NAME, planCluster } from '../../app/opensearch/managed-cluster.js';
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

  it('plans a 3-node cluster: own folders and ports, one cluster name, the others as seeds, all eligible data nodes', () => {
    const plan = planCluster({
      clusterDir: '/c',
      host: '127.0.0.1',
      httpPorts: [9211, 9212, 9213],
      transportPorts: [9311, 9312, 9313],
      heap: '512m',
      bootstrap: true,
    });
    expect(plan.map((node) => node.instanceDir)).toEqual(['/c/node-1', '/c/node-2', '/c/node-3']);
    const ymls = plan.map((node) => renderOpenSearchYml(node.settings));
    for (const yml of ymls) {
      expect(yml).toContain(`cluster.name: ${CLUSTER_NAME}`);
      expect(yml).toContain('node.roles: [cluster_manager, data, ingest]');
      expect(yml).toContain('cluster.initial_cluster_manager_nodes: ["fortiems-1","fortiems-2","fortiems-3"]');
      expect(yml).not.toContain('single-node');
    }
    expect(ymls[1]?.split('\n')).toEqual(
      expect.arrayContaining([
        'node.name: fortiems-2',
        'http.port: 9212',
        'transport.port: 9312',
        'discovery.seed_hosts: ["127.0.0.1:9311","127.0.0.1:9313"]',
        'path.data: "/c/node-2/data"',
        'path.logs: "/c/node-2/logs"',
      ]),
    );
  });

  it('names no initial cluster managers once the cluster has formed, and refuses shared ports', () => {
    const restart = planCluster({
      clusterDir: '/c',
      host: '127.0.0.1',
      httpPorts: [1, 2, 3],
      transportPorts: [4, 5, 6],
      heap: '512m',
      bootstrap: false,
    });
    for (const node of restart) expect(renderOpenSearchYml(node.settings)).not.toContain('initial_cluster_manager_nodes');
    expect(() =>
      planCluster({ clusterDir: '/c', host: 'h', httpPorts: [1, 2, 3], transportPorts: [3, 4, 5], heap: '1g', bootstrap: true }),
    ).toThrow(/own ports/);
  });
});
