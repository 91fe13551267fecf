/**
 * `fortiems mappings install [--retention-days 30]`: templates, data streams and (with the ISM plugin) retention into
 * a RUNNING OpenSearch: `OPENSEARCH_URL`, else the managed default node when it is up. It never starts a node itself:
 * installing mappings into a node that then stops again would be a surprise.
 *
 * `fortiems mappings export --out DIR`: the same artefacts as JSON files (and the catalogue as `.avsc`), for a
 * cluster fortiems does not reach, review, or diffing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { hasIsmPlugin, installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { RETENTION_DEFAULTS, type RetentionReport, runRetention } from '../../ingest/sinks/search/retention/retention.js';
import { ROLLOVER_MAX_AGE_PATTERN, ROLLOVER_MAX_SIZE_PATTERN } from '../../ingest/sinks/search/retention/retention-plan.js';
import { checkRetentionDays, DEFAULT_RETENTION_DAYS, exportFiles } from '../../mappings/opensearch/index.js';
import { ActionableError } from '../../platform/errors.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { nodeUrls, type OpenSearchTarget, targetFromEnv } from '../../platform/opensearch/target.js';
import { statusOfManagedNode } from '../opensearch/managed-node.js';
import { defaultInstanceDir } from '../opensearch/paths.js';
import { stderrLog, stdoutLog } from './options.js';

function retentionDaysOption(value: string): number {
  try {
    return checkRetentionDays(Number(value));
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function patternOption(pattern: string, example: string) {
  return (value: string): string => {
    if (!new RegExp(pattern).test(value)) throw new InvalidArgumentError(`'${value}' is not like ${example}`);
    return value;
  };
}

function namespaceOption(value: string): string {
  if (!/^[a-z0-9_]+$/.test(value)) throw new InvalidArgumentError('a namespace is lower-case letters, digits and _');
  return value;
}

/** The retention report as lines a person reads: what was (or would be) rolled over and deleted, and why. */
export function describeRetention(report: RetentionReport, dryRun: boolean): string[] {
  if (report.outcome === 'lease-held')
    return [
      `another fortiems (${report.holder}) holds the retention lease until ${new Date(report.leaseExpiresAt ?? 0).toISOString()}: nothing done`,
    ];
  const lines: string[] = [];
  for (const stream of report.rolledOver) lines.push(`${dryRun ? 'would roll over' : 'rolled over'} ${stream}`);
  const acted = dryRun ? report.expired : report.deleted;
  for (const index of acted) {
    const since = index.basis === 'created' ? 'created' : 'rolled over';
    lines.push(
      `${dryRun ? 'would delete' : 'deleted'} ${index.index} (${index.stream}; ${since} ${new Date(index.since).toISOString()}, ${index.ageDays} days ago)`,
    );
  }
  if (acted.length === 0) lines.push(dryRun ? 'nothing to delete' : 'nothing deleted');
  if (report.outcome === 'lease-lost') lines.push('stopped: the lease was taken over by another process');
  for (const error of report.errors) lines.push(`error: ${error}`);
  return lines;
}

/** OPENSEARCH_URL, else the managed node of `instanceDir` when it is up; never starts one. */
export async function runningOpenSearchTarget(
  instanceDir = defaultInstanceDir(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenSearchTarget> {
  const fromEnv = targetFromEnv(env);
  if (fromEnv) return fromEnv;
  const status = await statusOfManagedNode(instanceDir);
  if (status.status === 'up') return { url: status.state.url, source: 'managed' };
  throw new ActionableError(
    status.status === 'unresponsive'
      ? `the managed OpenSearch (pid ${status.state.pid}) does not answer at ${status.state.url}`
      : 'no OpenSearch to install into: OPENSEARCH_URL is not set and the managed node is not running',
    'run `fortiems opensearch start` (or `npm start`) first, or set OPENSEARCH_URL to an existing cluster',
  );
}

/** Writes every export file under `outDir`; returns the paths written. */
export async function writeExportFiles(outDir: string, options: { retentionDays?: number } = {}): Promise<string[]> {
  const written: string[] = [];
  for (const file of exportFiles(options)) {
    const path = join(outDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(file.content, null, 2)}\n`);
    written.push(path);
  }
  return written;
}

export function registerMappingsCommand(program: Command): void {
  const mappings = program
    .command('mappings')
    .description('OpenSearch index templates, data streams and retention generated from the EMS log catalogue');

  mappings
    .command('install')
    .description('install the templates, create the ten data streams and, with the ISM plugin, the retention policy (idempotent)')
    .option(
      '--retention-days <days>',
      'delete backing indices older than this (needs the ISM plugin)',
      retentionDaysOption,
      DEFAULT_RETENTION_DAYS,
    )
    .option('--dir <folder>', 'instance folder of the managed OpenSearch, when OPENSEARCH_URL is not set', defaultInstanceDir())
    .action(async (options: { retentionDays: number; dir: string }) => {
      const target = await runningOpenSearchTarget(options.dir);
      stderrLog(`installing fortiems mappings into ${nodeUrls(target).join(', ')} (${target.source}) ...`);
      const result = await installMappings(createOpenSearchClient(target), { retentionDays: options.retentionDays, log: stderrLog });
      const created = result.dataStreams.filter((stream) => stream.created).length;
      process.stdout.write(
        `installed ${result.componentTemplates.length} component templates, ${result.indexTemplates.length} index templates; ` +
          `data streams: ${created} created, ${result.dataStreams.length - created} already there; ` +
          `ISM policy ${result.ism.policyId}: ${result.ism.status}\n`,
      );
    });

  mappings
    .command('retention')
    .description(
      "fortiems' own retention, as `npm start` runs it where the ISM plugin is missing: roll the namespace's data streams over " +
        'by age and size, delete backing indices older than the retention (never a write index), under the retention lease',
    )
    .option('--dry-run', 'only show what would be rolled over and deleted; change nothing')
    .option(
      '--retention-days <days>',
      'delete backing indices this many days after their rollover',
      retentionDaysOption,
      RETENTION_DEFAULTS.retentionDays,
    )
    .option('--namespace <name>', 'data_stream.namespace of the streams', namespaceOption, 'default')
    .option(
      '--rollover-max-age <age>',
      'roll a write index over at this age',
      patternOption(ROLLOVER_MAX_AGE_PATTERN, '1d, 12h'),
      RETENTION_DEFAULTS.rolloverMaxAge,
    )
    .option(
      '--rollover-max-size <size>',
      'or at this primary size',
      patternOption(ROLLOVER_MAX_SIZE_PATTERN, '25gb, 500mb'),
      RETENTION_DEFAULTS.rolloverMaxSize,
    )
    .option('--dir <folder>', 'instance folder of the managed OpenSearch, when OPENSEARCH_URL is not set', defaultInstanceDir())
    .action(
      async (options: {
        dryRun?: boolean;
        retentionDays: number;
        namespace: string;
        rolloverMaxAge: string;
        rolloverMaxSize: string;
        dir: string;
      }) => {
        const target = await runningOpenSearchTarget(options.dir);
        const client = createOpenSearchClient(target);
        try {
          const dryRun = options.dryRun ?? false;
          if (await hasIsmPlugin(client))
            stderrLog('note: this cluster has the ISM plugin, whose fortiems-logs policy is the retention `npm start` relies on');
          const report = await runRetention(
            client,
            {
              namespace: options.namespace,
              retentionDays: options.retentionDays,
              rolloverMaxAge: options.rolloverMaxAge,
              rolloverMaxSize: options.rolloverMaxSize,
              leaseSeconds: RETENTION_DEFAULTS.leaseSeconds,
            },
            { dryRun, log: stderrLog },
          );
          for (const line of describeRetention(report, dryRun)) stdoutLog(line);
          // 3: did not act (the lease is another's, or was lost); 1: something failed.
          if (report.outcome === 'lease-held' || report.outcome === 'lease-lost') process.exitCode = 3;
          else if (report.errors.length > 0) process.exitCode = 1;
        } finally {
          await client.close();
        }
      },
    );

  mappings
    .command('export')
    .description('write the templates and the ISM policy as JSON, and the catalogue as Avro schemas (.avsc)')
    .requiredOption('--out <folder>', 'folder to write into (created if missing)')
    .option('--retention-days <days>', 'retention written into the ISM policy', retentionDaysOption, DEFAULT_RETENTION_DAYS)
    .action(async (options: { out: string; retentionDays: number }) => {
      const outDir = resolve(options.out);
      const written = await writeExportFiles(outDir, { retentionDays: options.retentionDays });
      process.stdout.write(`wrote ${written.length} files to ${outDir}\n`);
    });
}
