import { type Command, Option } from 'commander';
import { ActionableError } from '../../platform/errors.js';
import { TOKEN_ENV } from '../replay/http-sender.js';
import { openInput } from '../replay/line-source.js';
import { checkDedupeDestination, openSender, REPLAY_FORMS } from '../replay/open-sender.js';
import { Replay } from '../replay/replay.js';
import { parseDuration, parsePositiveNumber, stderrLog } from './options.js';
import { formatBytes, formatCount, startProgress } from './progress.js';

interface ReplayOptions {
  to: string;
  rate?: number;
  format: 'raw';
  token?: string;
  timeout: number;
  dedupe?: boolean;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('send the lines of a file (or stdin) to a syslog destination or the HTTP source, with backpressure and progress on stderr')
    .argument('<file>', 'input file, or - for stdin')
    .requiredOption('--to <destination>', REPLAY_FORMS)
    .option('--rate <eps>', 'at most this many lines per second', parsePositiveNumber)
    .addOption(
      new Option('--format <format>', 'how lines are sent: raw (each line as it is, one message each)').choices(['raw']).default('raw'),
    )
    .option('--token <token>', `bearer token for http(s) destinations (default: $${TOKEN_ENV})`)
    .option(
      '--dedupe',
      'http(s) only: give each line an id from its content and its occurrence number in the file, so replaying the same file again stores nothing twice',
    )
    .addOption(
      new Option('--timeout <time>', 'give up when the destination takes nothing for this long (60s, 2m)')
        .argParser(parseDuration)
        .default(15_000, '15s'),
    )
    .addHelpText(
      'after',
      '\nUDP cannot push back: a receiver that falls behind loses datagrams, so give udp:// a --rate it can keep up with.\nhttps:// destinations with a private CA: set NODE_EXTRA_CA_CERTS=/path/to/ca.pem.',
    )
    .action(async (file: string, options: ReplayOptions) => {
      const isHttp = /^https?:\/\//i.test(options.to);
      if (options.token !== undefined && !isHttp)
        throw new ActionableError('--token is for http(s):// destinations', 'drop --token, or send to the HTTP source');
      const token = options.token ?? (process.env[TOKEN_ENV] || undefined);
      if (options.dedupe) checkDedupeDestination(options.to);
      const input = openInput(file);
      const sender = openSender(options.to, token, options.timeout, { dedupe: options.dedupe === true });
      const replay = new Replay(sender, options.rate);
      const { read } = replay;
      const interrupt = () => replay.interrupt();
      process.once('SIGINT', interrupt);
      const progress = startProgress({
        stream: process.stderr,
        totalBytes: input.totalBytes,
        sample: () => ({ lines: sender.delivered(), bytes: read.bytes }),
      });
      const started = Date.now();
      let failure: unknown;
      try {
        await replay.run(input.stream);
      } catch (error) {
        failure = error;
      }
      progress.stop();
      process.off('SIGINT', interrupt);
      await sender.close().catch((error: unknown) => {
        failure ??= error;
      });
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const delivered = formatCount(sender.delivered());
      const took = `${seconds.toFixed(1)} s`;
      if (failure)
        stderrLog(
          `replay: ${delivered} of ${formatCount(read.lines)} lines read were delivered to ${options.to} before it failed (${took})`,
        );
      else {
        const skipped = read.blank > 0 ? `; ${formatCount(read.blank)} blank lines skipped` : '';
        const rate = `${formatCount(Math.round(sender.delivered() / seconds))} lines/s`;
        const what = `${replay.interrupted ? 'interrupted after ' : ''}${delivered} lines (${formatBytes(read.bytes)})`;
        stderrLog(`replay: ${what} to ${options.to} in ${took}, ${rate}${skipped}`);
      }
      if (failure) throw failure;
      if (replay.interrupted) process.exitCode = 130;
    });
}
