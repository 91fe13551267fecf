/**
 * `fortiems dead-letter list|show|replay`: what the sinks could not deliver, and sending it again once the cause is
 * fixed (a mapping, a destination). Search sinks' (opensearch, elasticsearch) letters are in
 * `fortiems-dead-letter-<namespace>` on their cluster; a forwarding (syslog) or kafka sink's are in
 * `<data_dir>/dead-letter/<id>.ndjson`. The logic is `ingest/dead-letters/`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { defaultConfig, loadConfigFile } from '../../ingest/config/load-config.js';
import type { FortiemsConfig, SearchSinkConfig } from '../../ingest/config/types.js';
import type { StoredDeadLetter } from '../../ingest/dead-letters/dead-letter-store.js';
import { checkFilter, type DeadLetterFilter, parseTimeBound } from '../../ingest/dead-letters/filters.js';
import { type FileDeadLetter, replayDeadLetterFile } from '../../ingest/dead-letters/replay-dead-letter-file.js';
import { searchDeadLetters } from '../../ingest/dead-letters/search-dead-letters.js';
import { createSyslogSinkDriver } from '../../ingest/forward/create-syslog-sink.js';
import { syslogSinkSettings } from '../../ingest/forward/syslog-sink-settings.js';
import { createKafkaDriver } from '../../ingest/kafka/kafka-driver.js';
import { DEAD_LETTER_FORMAT } from '../../ingest/kafka/kafka-record.js';
import { kafkaDriverOptions } from '../../ingest/kafka/kafka-sink-component.js';
import type { SinkDriver } from '../../ingest/sinks/sink-driver.js';
import { ActionableError } from '../../platform/errors.js';
import { stateRoot } from '../managed/paths.js';
import { runningOpenSearchTarget } from './mappings-command.js';
import { parsePositiveInteger } from './options.js';
import { terminalSafeJson } from './tap-command.js';

interface CommonOptions {
  config?: string;
  sink?: string;
  from?: string;
  to?: string;
  reason?: string;
  dataset?: string;
}

/** A value from a letter as a quoted string a terminal shows and never acts on. */
const safe = (value: string | undefined): string => (value === undefined ? '-' : terminalSafeJson(JSON.stringify(value)));

function configOf(options: CommonOptions): FortiemsConfig {
  return options.config ? loadConfigFile(options.config) : defaultConfig();
}

/** Checked as the option is read (commander prints the message, not a stack); resolved against one `now` later. */
function timeOption(value: string): string {
  try {
    parseTimeBound(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

export function filterOf(options: CommonOptions, now = Date.now()): DeadLetterFilter {
  const filter: DeadLetterFilter = {
    ...(options.from !== undefined ? { from: parseTimeBound(options.from, now) } : {}),
    ...(options.to !== undefined ? { to: parseTimeBound(options.to, now) } : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
  };
  try {
    checkFilter(filter);
  } catch (error) {
    throw new ActionableError((error as Error).message, 'give --from before --to, and leave out an empty --reason or --dataset');
  }
  return filter;
}

/** A sink whose letters are a file: where it is, the format its payloads are in now, and its driver as configured now. */
interface FileSink {
  file: string;
  format: string;
  /** The sink's `batch.max_bytes`: a replay's sends are no larger than the sink's. */
  batchBytes: number | undefined;
  driver(): SinkDriver;
}

/** The syslog or kafka sink named by --sink, when it is one: its letters are a file. */
function fileSink(config: FortiemsConfig, sinkId: string | undefined): FileSink | undefined {
  if (sinkId === undefined) return undefined;
  const sink = config.sinks?.[sinkId];
  if (!sink)
    throw new ActionableError(`no sink '${sinkId}' in the configuration`, 'pass the --config of the pipeline and one of its sink ids');
  const dataDir = dataDirOf(config);
  if (sink.type === 'syslog') {
    const settings = syslogSinkSettings(sinkId, sink, dataDir);
    return {
      file: settings.deadLetterFile,
      format: settings.format,
      batchBytes: sink.batch?.max_bytes,
      driver: () => createSyslogSinkDriver(sinkId, sink, { dataDir }),
    };
  }
  if (sink.type === 'kafka') {
    // The spool payload (`<key>\n<value>`) is what the driver sends, so a letter goes out as the sink sends a record.
    const options = kafkaDriverOptions(sinkId, sink, dataDir);
    return {
      file: options.deadLetterFile,
      format: DEAD_LETTER_FORMAT,
      batchBytes: sink.batch?.max_bytes,
      driver: () => createKafkaDriver(options),
    };
  }
  return undefined;
}

function dataDirOf(config: FortiemsConfig): string {
  return config.data_dir ?? join(stateRoot(), 'ingest');
}

/** The dead letters of the search sink named by --sink (default: the first opensearch sink, else elasticsearch). */
async function searchSink(config: FortiemsConfig, options: CommonOptions & { zone?: string }) {
  const sinks = Object.entries(config.sinks ?? {});
  const chosen = options.sink !== undefined ? config.sinks?.[options.sink] : sinks.find(([, sink]) => sink.type === 'opensearch')?.[1];
  const named = chosen as SearchSinkConfig | undefined;
  // Only an opensearch sink falls back to the default cluster (the managed node); an elasticsearch one names its own.
  const needsDefault = named?.type === 'opensearch' && named.url === undefined && named.urls === undefined;
  const target = needsDefault ? await runningOpenSearchTarget() : undefined;
  return searchDeadLetters(config, { sinkId: options.sink, target, zone: options.zone });
}

function letterRow(letter: StoredDeadLetter): string {
  const message = letter.message.length > 160 ? `${letter.message.slice(0, 160)}…` : letter.message;
  return `${letter.timestamp}  ${safe(letter.id)}  ${safe(letter.reason)}  ${safe(letter.dataset)}  ${safe(message)}`;
}

async function readFileLetters(file: string): Promise<FileDeadLetter[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as FileDeadLetter;
      } catch {
        return { error: { type: 'unreadable_line' } };
      }
    });
}

function addFilterOptions(command: Command): Command {
  return command
    .option('--config <file>', "the pipeline's configuration (its sinks, cluster, namespace, data_dir); without it, the defaults")
    .option(
      '--sink <id>',
      'the sink whose dead letters (default: the first opensearch sink, else the first elasticsearch one); a syslog or kafka sink reads its dead-letter file',
    )
    .option('--from <time>', 'dead-lettered at or after: ISO time, epoch ms, or a span back from now (24h, 7d)', timeOption)
    .option('--to <time>', 'dead-lettered at or before (same forms)', timeOption)
    .option('--reason <type>', 'only this error.type (e.g. mapper_parsing_exception; Elasticsearch says document_parsing_exception)')
    .option('--dataset <dataset>', 'only this event.dataset (e.g. fortiems.ems_vpn)');
}

function noFiltersForFiles(options: CommonOptions): void {
  if (options.from ?? options.to ?? options.reason ?? options.dataset)
    throw new ActionableError(
      '--from, --to, --reason and --dataset select index letters',
      "a syslog or kafka sink's file is listed and replayed whole: leave them out",
    );
}

export function registerDeadLetterCommand(program: Command): void {
  const deadLetter = program
    .command('dead-letter')
    .description('what the sinks could not deliver: list, show, and replay it through the pipeline once the cause is fixed');

  addFilterOptions(deadLetter.command('list').description('counts by reason and dataset, and the newest letters'))
    .option('--limit <n>', 'letters shown', parsePositiveInteger, 10)
    .action(async (options: CommonOptions & { limit: number }) => {
      const config = configOf(options);
      const forward = fileSink(config, options.sink);
      if (forward) {
        noFiltersForFiles(options);
        const { file } = forward;
        const letters = await readFileLetters(file);
        const reasons = new Map<string, number>();
        for (const letter of letters) reasons.set(letter.error?.type ?? 'unknown', (reasons.get(letter.error?.type ?? 'unknown') ?? 0) + 1);
        process.stdout.write(`${letters.length} dead letters in ${file}\nby reason:\n`);
        for (const [reason, count] of reasons) process.stdout.write(`  ${count}\t${safe(reason)}\n`);
        for (const letter of letters.slice(-options.limit))
          process.stdout.write(`${letter['@timestamp'] ?? '-'}  ${safe(letter.error?.type)}  ${safe(letter.error?.message)}\n`);
        return;
      }
      const letters = await searchSink(config, options);
      try {
        const summary = await letters.store.summary(filterOf(options), options.limit);
        process.stdout.write(`${summary.total} dead letters in ${letters.store.index} (sink ${letters.sinkId})\nby reason:\n`);
        for (const bucket of summary.byReason) process.stdout.write(`  ${bucket.count}\t${safe(bucket.key)}\n`);
        process.stdout.write('by dataset:\n');
        for (const bucket of summary.byDataset) process.stdout.write(`  ${bucket.count}\t${safe(bucket.key)}\n`);
        if (summary.sample.length > 0) process.stdout.write('newest:\n');
        for (const letter of summary.sample) process.stdout.write(`  ${letterRow(letter)}\n`);
      } finally {
        await letters.close();
      }
    });

  deadLetter
    .command('show')
    .description('one dead letter in full (JSON), by its id (the event id)')
    .argument('<id>')
    .option('--config <file>', "the pipeline's configuration; without it, the defaults")
    .option('--sink <id>', 'the opensearch or elasticsearch sink (default: the first opensearch sink, else the first elasticsearch one)')
    .action(async (id: string, options: CommonOptions) => {
      const letters = await searchSink(configOf(options), options);
      try {
        const letter = await letters.store.get(id);
        if (!letter)
          throw new ActionableError(`no dead letter ${safe(id)} in ${letters.store.index}`, 'take an id from `fortiems dead-letter list`');
        process.stdout.write(`${terminalSafeJson(JSON.stringify(letter))}\n`);
      } finally {
        await letters.close();
      }
    });

  addFilterOptions(
    deadLetter
      .command('replay')
      .description(
        "parse each letter's event.original again (today's parser and enrichment), store it through the sink with its own id, " +
          'and delete the letter once stored; a syslog or kafka --sink re-sends its file through the sink as configured now. ' +
          'Idempotent. Exit 1 when some still fail',
      ),
  )
    .option('--zone <zone>', "zone of zone-less times in the lines (default: the configuration's pipeline.timezone, else UTC)")
    .action(async (options: CommonOptions & { zone?: string }) => {
      const config = configOf(options);
      const forward = fileSink(config, options.sink);
      if (forward) {
        noFiltersForFiles(options);
        const { file } = forward;
        const driver = forward.driver();
        try {
          const summary = await replayDeadLetterFile(file, driver, {
            format: forward.format,
            ...(forward.batchBytes !== undefined ? { batchBytes: forward.batchBytes } : {}),
          });
          process.stdout.write(
            `${file}: ${summary.matched} lines, ${summary.replayed} replayed, ${summary.delivered} delivered, ` +
              `${summary.stillFailing} still failing, ${summary.unreadable} unreadable, ${summary.deleted} deleted\n`,
          );
          for (const failure of summary.failures)
            process.stderr.write(`still failing: line ${failure.line}: ${safe(failure.reason)} ${safe(failure.message)}\n`);
          if (summary.stillFailing + summary.unreadable > 0) process.exitCode = 1;
        } finally {
          await driver.close?.();
        }
        return;
      }
      const letters = await searchSink(config, options);
      try {
        const summary = await letters.replay(filterOf(options));
        process.stdout.write(
          `${letters.store.index}: ${summary.matched} matched, ${summary.replayed} replayed, ${summary.stored} stored, ` +
            `${summary.stillFailing} still failing, ${summary.unparsable} not parsable, ${summary.deleted} deleted\n`,
        );
        for (const failure of summary.failures)
          process.stderr.write(`still failing: ${safe(failure.id)}: ${safe(failure.reason)} ${safe(failure.message)}\n`);
        if (summary.stillFailing + summary.unparsable > 0) process.exitCode = 1;
      } finally {
        await letters.close();
      }
    });
}
