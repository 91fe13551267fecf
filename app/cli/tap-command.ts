import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfigFile } from '../../ingest/config/load-config.js';
import { ActionableError } from '../../platform/errors.js';
import { stateRoot } from '../managed/paths.js';
import { TAP_TOKEN_FILE } from '../service/console-credentials.js';
import { parsePositiveInteger } from './options.js';

/**
 * Characters JSON.stringify leaves as they are but a terminal may act on: DEL and the C1 controls (0x9b is CSI on some
 * terminals), the line and paragraph separators, and the bidirectional overrides that reorder what is shown.
 */
const TERMINAL_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One record from the tap as a line safe for a terminal: parsed and serialized again (so every control character is an
 * escape), then the characters JSON allows raw escaped as well. Something that is not JSON is printed as a JSON string.
 */
export function terminalSafeJson(line: string): string {
  let text: string;
  try {
    text = JSON.stringify(JSON.parse(line));
  } catch {
    text = JSON.stringify({ unparsable: line });
  }
  return text.replace(TERMINAL_UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface TapOptions {
  component?: string;
  filter?: string;
  limit?: number;
  url?: string;
  tokenFile?: string;
  config?: string;
}

/** Where the running pipeline answers and the token it wants: flags, then FORTIEMS_TAP_TOKEN, then the configuration. */
function target(options: TapOptions): { url: string; token: string } {
  const config = options.config ? loadConfigFile(options.config) : undefined;
  const address = config?.http?.address;
  const url = (options.url ?? (address && !address.endsWith(':0') ? `http://${address}` : 'http://127.0.0.1:8080')).replace(/\/+$/, '');
  const configured = process.env.FORTIEMS_TAP_TOKEN || config?.http?.tap_token;
  if (!options.tokenFile && configured) return { url, token: configured };
  const file = options.tokenFile ?? join(config?.data_dir ?? join(stateRoot(), 'ingest'), TAP_TOKEN_FILE);
  try {
    return { url, token: readFileSync(file, 'utf8').trim() };
  } catch (error) {
    throw new ActionableError(
      `no tap token: ${(error as Error).message}`,
      'run it as the user that runs the pipeline (the token is in <data_dir>/tap-token), or pass --token-file, --config, or FORTIEMS_TAP_TOKEN',
    );
  }
}

/** Writes through stdout's buffer; a reader that stops reading (a pager) slows only this process, the tap then drops. */
function print(text: string): Promise<void> | undefined {
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

async function runTap(options: TapOptions): Promise<void> {
  const { url, token } = target(options);
  const query = new URLSearchParams();
  if (options.component) query.set('component', options.component);
  if (options.filter) query.set('filter', options.filter);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    let response: Response;
    try {
      response = await fetch(`${url}/tap?${query}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    } catch (error) {
      if (abort.signal.aborted) return;
      throw new ActionableError(
        `cannot reach the pipeline at ${url}: ${(error as Error).message}`,
        'is fortiems ingest (or npm start) running? pass its http address with --url',
      );
    }
    if (!response.ok || !response.body) {
      const body = await response.text().catch(() => '');
      throw new ActionableError(`tap refused (${response.status}): ${terminalSafeJson(body)}`, tapAdvice(response.status));
    }
    const decoder = new TextDecoder();
    let pending = '';
    let shown = 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const reader = response.body.getReader();
    try {
      while (shown < limit) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        let newline = pending.indexOf('\n');
        while (newline >= 0 && shown < limit) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.length > 0) {
            shown++;
            const waiting = print(`${terminalSafeJson(line)}\n`);
            if (waiting) await waiting;
          }
          newline = pending.indexOf('\n');
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function tapAdvice(status: number): string {
  if (status === 401) return "the token does not match: use the pipeline host's <data_dir>/tap-token or http.tap_token";
  if (status === 404) return 'name a component of the running configuration (the answer lists them)';
  if (status === 429) return 'too many taps are open on that pipeline; close one';
  return 'see the message above';
}

export function registerTapCommand(program: Command): void {
  program
    .command('tap')
    .description(
      'a live tail of the events leaving a component of a running pipeline (fortiems ingest / npm start), one JSON line each; a slow reader never slows the pipeline (the tap drops and counts: fortiems_tap_dropped_events_total)',
    )
    .option('--component <id>', "a source id (its raw lines), 'parse' (parsed events; the default) or a sink id (the events it takes)")
    .option(
      '--filter <query>',
      "only events that match, in the forward filter's query language, e.g. 'event.category:ems-authentication' or 'host.hostname:pc-0* AND NOT event.outcome:success'",
    )
    .option('--limit <n>', 'stop after n events', (value) => {
      const n = parsePositiveInteger(value);
      if (n > 1_000_000) throw new InvalidArgumentError('at most 1000000');
      return n;
    })
    .option('--url <url>', "the pipeline's HTTP address (default: the configuration's http.address, else http://127.0.0.1:8080)")
    .option('--token-file <file>', 'the tap token (default: FORTIEMS_TAP_TOKEN, http.tap_token, or <data_dir>/tap-token)')
    .option('--config <file>', "the pipeline's configuration file, for its http.address, http.tap_token and data_dir")
    .action(async (options: TapOptions) => {
      await runTap(options);
    });
}
