/** The settings a managed node runs with; the generated files are kept small and readable on purpose. */
export interface NodeSettings {
  httpPort: number;
  transportPort: number;
  host: string;
  dataDir: string;
  logsDir: string;
  heap: string;
  clusterName: string;
  /** A member of a managed cluster; left out: a single node (`discovery.type: single-node`). */
  cluster?: ClusterMembership;
}

export interface ClusterMembership {
  nodeName: string;
  /** The other members' transport addresses (host:port), where discovery looks for them. */
  seedHosts: string[];
  /**
   * Every member's node name, for the very first election only: set while the cluster has never formed (empty data
   * folders), and left out afterwards, as OpenSearch asks, so a restarted node can never bootstrap a second cluster.
   */
  initialClusterManagers?: string[];
}

function discoveryLines(settings: NodeSettings): string[] {
  const { cluster } = settings;
  if (!cluster) return ['node.name: fortiems-local', 'discovery.type: single-node'];
  return [
    `node.name: ${cluster.nodeName}`,
    // Every member can be elected and holds data: with three, any one may die and the other two keep a quorum.
    'node.roles: [cluster_manager, data, ingest]',
    `discovery.seed_hosts: ${JSON.stringify(cluster.seedHosts)}`,
    ...(cluster.initialClusterManagers ? [`cluster.initial_cluster_manager_nodes: ${JSON.stringify(cluster.initialClusterManagers)}`] : []),
  ];
}

export function renderOpenSearchYml(settings: NodeSettings): string {
  const [nodeName, ...discovery] = discoveryLines(settings);
  return [
    `# Written by fortiems for a managed local ${settings.cluster ? 'cluster member' : 'node'}; edits are overwritten at the next start.`,
    `cluster.name: ${settings.clusterName}`,
    nodeName,
    `network.host: ${settings.host}`,
    `http.port: ${settings.httpPort}`,
    `transport.port: ${settings.transportPort}`,
    ...discovery,
    `path.data: ${JSON.stringify(settings.dataDir)}`,
    `path.logs: ${JSON.stringify(settings.logsDir)}`,
    // A laptop or CI disk is often fuller than OpenSearch's 85% default watermark; never go read-only for that.
    'cluster.routing.allocation.disk.threshold_enabled: false',
    '',
  ].join('\n');
}

/**
 * The distribution's jvm.options with our heap, and with its relative `logs/` and `data` paths made absolute:
 * the launcher resolves them against the read-only distribution folder, not the instance.
 * Heap as both -Xms and -Xmx (OpenSearch's advice); 1g suits a 2-core, 24 GB machine next to the pipeline.
 */
export function rewriteJvmOptions(original: string, options: { heap: string; logsDir: string; dataDir: string }): string {
  if (!/^\d+[mg]$/i.test(options.heap)) throw new Error(`heap must look like 512m or 2g, not '${options.heap}'`);
  return original
    .split('\n')
    .map((line) => {
      if (/^-Xms/.test(line)) return `-Xms${options.heap}`;
      if (/^-Xmx/.test(line)) return `-Xmx${options.heap}`;
      return line
        .replace(/file=logs\//g, `file=${options.logsDir}/`)
        .replace(/ErrorFile=logs\//g, `ErrorFile=${options.logsDir}/`)
        .replace(/Xloggc:logs\//g, `Xloggc:${options.logsDir}/`)
        .replace(/HeapDumpPath=data$/, `HeapDumpPath=${options.dataDir}`);
    })
    .join('\n');
}
