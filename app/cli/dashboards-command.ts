/**
 * `fortiems dashboards export --out DIR`: the boards (dashboards/boards) as files for the tools that read files.
 *
 *   DIR/grafana/<board>.json                              one Grafana dashboard per board
 *   DIR/grafana-provisioning/dashboards/fortiems.yaml     Grafana's dashboards provider for that folder
 *   DIR/grafana-provisioning/datasources/fortiems.yaml    the OpenSearch data source (http://opensearch:9200)
 *   DIR/opensearch-dashboards/fortiems.ndjson             OpenSearch Dashboards saved objects, for `_import`
 *
 * docker-compose.yml mounts `dashboards/generated/` (the documented DIR), so the files are regenerated, not edited.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { GeneratedFile } from '../../dashboards/grafana/index.js';
import { savedObjectsNdjson } from '../../dashboards/opensearch-dashboards/index.js';
import { stdoutLog } from './options.js';

export interface DashboardsExportOptions {
  /** OpenSearch as Grafana's server reaches it. */
  opensearchUrl?: string;
}

export async function dashboardFiles(options: DashboardsExportOptions = {}): Promise<GeneratedFile[]> {
  // Loaded on use: the Grafana SDK is ~220 modules that every other command (and the running pipeline) would hold.
  const { grafanaFiles } = await import('../../dashboards/grafana/index.js');
  return [
    ...grafanaFiles(options.opensearchUrl ? { opensearchUrl: options.opensearchUrl } : {}),
    { path: 'opensearch-dashboards/fortiems.ndjson', content: savedObjectsNdjson() },
  ];
}

/** Writes every file under `outDir`; returns the paths written. */
export async function writeDashboardFiles(outDir: string, options: DashboardsExportOptions = {}): Promise<string[]> {
  const written: string[] = [];
  for (const file of await dashboardFiles(options)) {
    const path = join(outDir, ...file.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    written.push(path);
  }
  return written;
}

export function registerDashboardsCommand(program: Command): void {
  const dashboards = program.command('dashboards').description('the boards as Grafana dashboards and OpenSearch Dashboards saved objects');
  dashboards
    .command('export')
    .description('write Grafana dashboards + provisioning and the OpenSearch Dashboards ndjson under DIR')
    .requiredOption('--out <dir>', 'output folder (docker compose reads dashboards/generated)')
    .option('--opensearch-url <url>', 'OpenSearch as Grafana reaches it, for the provisioned data source', 'http://opensearch:9200')
    .action(async (options: { out: string; opensearchUrl: string }) => {
      const written = await writeDashboardFiles(resolve(options.out), { opensearchUrl: options.opensearchUrl });
      for (const path of written) stdoutLog(path);
    });
}
