import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import { isValidZone } from '../../mappings/index.js';
import { parseLine } from '../../parsers/parse-line.js';
import { stderrLog } from './options.js';

function zoneOption(value: string): string {
  if (!isValidZone(value)) throw new InvalidArgumentError('an IANA time zone, e.g. UTC or Europe/Paris');
  return value;
}

/** Writes through stdout's buffer, waiting when it is full, so a large file never piles up in memory. */
function writer(): { write(text: string): Promise<void> | undefined } {
  return {
    write(text: string) {
      if (process.stdout.write(text)) return undefined;
      return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
    },
  };
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description(
      'parse EMS / FortiClient / FortiGate lines: one normalized JSON event per input line on stdout (failures included, as pipeline_error events), a summary on stderr',
    )
    .argument('[file]', 'input file, or - for stdin', '-')
    .option('--tz <zone>', 'zone of zone-less times (RFC 3164 headers, EMS dtime) from this source', zoneOption, 'UTC')
    .option('--namespace <name>', 'data_stream.namespace', 'default')
    .action(async (file: string, options: { tz: string; namespace: string }) => {
      const input = file === '-' ? process.stdin : createReadStream(file);
      const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      const out = writer();
      const byDataset = new Map<string, number>();
      let count = 0;
      let failures = 0;
      let withProblems = 0;
      const started = Date.now();
      for await (const line of lines) {
        const event = parseLine(line, { receivedAt: Date.now(), zone: options.tz, namespace: options.namespace });
        count++;
        if (event.kind === 'pipeline_error') failures++;
        else if (event.problems.length > 0) withProblems++;
        byDataset.set(event.dataset, (byDataset.get(event.dataset) ?? 0) + 1);
        const pending = out.write(`${JSON.stringify(event.document)}\n`);
        if (pending) await pending;
      }
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      stderrLog(
        `${count} lines: ${count - failures} events (${withProblems} with validation problems), ${failures} pipeline errors; ${Math.round(count / seconds)} lines/s`,
      );
      for (const [dataset, n] of [...byDataset].sort()) stderrLog(`  ${dataset.padEnd(28)} ${n}`);
    });
}
