/** The settings a managed single node runs with; the generated files are kept small and readable on purpose. */
export interface NodeSettings {
  httpPort: number;
  transportPort: number;
  host: string;
  dataDir: string;
  logsDir: string;
  heap: string;
  clusterName: string;
}

export function renderOpenSearchYml(settings: NodeSettings): string {
  return [
    '# Written by fortiems for a managed local node; edits are overwritten at the next start.',
    `cluster.name: ${settings.clusterName}`,
    'node.name: fortiems-local',
    `network.host: ${settings.host}`,
    `http.port: ${settings.httpPort}`,
    `transport.port: ${settings.transportPort}`,
    'discovery.type: single-node',
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
