import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { startEmbeddedEms } from '../../ems-core/embedded-ems.js';
import type { LogSettings } from '../../ems-core/log-settings/settings.js';
import { SettingsFile } from '../../ems-core/log-settings/store.js';
import { EmsOutputs } from '../../ems-core/outputs.js';
import { type CountWindow, countWindow } from '../../ems-core/simulation/count-window.js';
import { startOfLocalDay } from '../../ems-core/simulation/ems-time.js';
import { type RunOptions, runSimulation } from '../../ems-core/simulation/runner.js';
import { isScenarioName, SCENARIOS, type Scenario, type ScenarioName, scenarioDays } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { stateRoot } from '../managed/paths.js';
import { registerEmsSettingsCommand } from './ems-settings-command.js';
import { collect, parseDuration, parsePort, parsePositiveInteger, parsePositiveNumber, stderrLog } from './options.js';

function scenarioOption(value: string): ScenarioName {
  if (!isScenarioName(value)) throw new InvalidArgumentError(`one of ${Object.keys(SCENARIOS).join(', ')}`);
  return value;
}

function instantOption(value: string): number {
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) throw new InvalidArgumentError('an ISO 8601 instant, e.g. 2026-11-23T00:00:00Z');
  return instant;
}

function zoneOption(value: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw new InvalidArgumentError('an IANA time zone, e.g. UTC or Europe/Paris');
  }
  return value;
}

interface SimulateOptions {
  to: string[];
  scenario: ScenarioName;
  seed: number;
  rate?: number;
  duration?: number;
  count?: number;
  backfill?: number;
  start?: number;
  realtime?: boolean;
  format: 'rfc3164' | 'rfc5424';
  facility: number;
  endpoints: number;
  timezone: string;
  settings?: string;
}

/**
 * How a run is clocked. --backfill: from now-D to now, as fast as the outputs take it (or --rate).
 * --count without --start (and without --realtime): the last N lines the seeded stream writes up to now, so no line
 * is stamped later than the command's start (`endAt`; see `countWindow`). --rate without --count, or --start:
 * virtual time from --start (default: midnight of today in the EMS zone). Otherwise: real time from now.
 */
export function planRun(
  options: Pick<SimulateOptions, 'backfill' | 'count' | 'rate' | 'start' | 'realtime' | 'duration' | 'timezone'>,
  now: number,
): { start: number; run: RunOptions; endAt?: number } {
  const run: RunOptions = {};
  if (options.count !== undefined) run.count = options.count;
  if (options.duration !== undefined) run.durationMs = options.duration;
  if (options.rate !== undefined) run.rate = options.rate;
  if (options.backfill !== undefined) {
    run.until = now;
    return { start: now - options.backfill, run };
  }
  if (!options.realtime && options.count !== undefined && options.start === undefined) {
    run.until = now;
    return { start: startOfLocalDay(now, options.timezone), run, endAt: now };
  }
  if (!options.realtime && (options.count !== undefined || options.rate !== undefined)) {
    return { start: options.start ?? startOfLocalDay(now, options.timezone), run };
  }
  run.realtime = true;
  return { start: options.start ?? now, run };
}

type SimulationSetup = Pick<SimulateOptions, 'seed' | 'scenario' | 'endpoints' | 'timezone'> & { settings?: LogSettings };

/** The simulation a run drives and how; `now` is the command's start (injectable for tests). */
export function prepareSimulation(
  options: Pick<SimulateOptions, 'backfill' | 'count' | 'rate' | 'start' | 'realtime' | 'duration'> & SimulationSetup,
  now: number,
): { sim: Simulation; run: RunOptions; window?: CountWindow } {
  const make = (start: number, incidentAt?: number) =>
    new Simulation({
      seed: options.seed,
      start,
      scenario: options.scenario,
      endpoints: options.endpoints,
      identity: { timeZone: options.timezone },
      ...(options.settings ? { settings: options.settings } : {}),
      ...(incidentAt !== undefined ? { incidentAt } : {}),
    });
  const { start, run, endAt } = planRun(options, now);
  if (endAt === undefined || run.count === undefined) return { sim: make(start), run };
  const window = countWindow(make, run.count, endAt, options.timezone, (SCENARIOS[options.scenario] as Scenario).incident !== undefined);
  run.skip = window.skip;
  return { sim: make(window.start, window.incidentAt), run, window };
}

function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

export function registerEmsCommand(program: Command): void {
  const ems = program.command('ems').description('the compact EMS core: simulate EMS log traffic, or serve the EMS with its admin API');

  ems
    .command('simulate')
    .description('emit EMS logs (all ten categories) in the canonical syslog format')
    .requiredOption(
      '--to <destination>',
      'udp://HOST:PORT | tcp://HOST:PORT[?framing=octet|newline] | tls://HOST:PORT[?ca=FILE&cert=FILE&key=FILE&server_name=NAME&insecure=1] | file:///PATH | - (repeatable)',
      collect,
    )
    .addOption(new Option('--scenario <name>', Object.keys(SCENARIOS).join(' | ')).default('office-day').argParser(scenarioOption))
    .option('--seed <n>', 'seed: the same seed prints the same lines', (v) => Number.parseInt(v, 10), 1)
    .option('--rate <eps>', 'at most this many lines per second', parsePositiveNumber)
    .option('--duration <time>', 'stop after this much wall-clock time (60s, 5m, 1h)', parseDuration)
    .option(
      '--count <n>',
      'stop after this many lines; without --start they are the last N lines up to now (none later)',
      parsePositiveInteger,
    )
    .option('--backfill <time>', 'emit the last 24h (or any span) of logs as fast as possible, with their timestamps', parseDuration)
    .option('--start <instant>', 'virtual start instant (ISO 8601); with --count the run starts here and may run past now', instantOption)
    .option('--realtime', 'follow the wall clock')
    .addOption(new Option('--format <format>', 'syslog header').choices(['rfc3164', 'rfc5424']).default('rfc3164'))
    .option('--facility <n>', 'syslog facility 0-23', (v) => Number.parseInt(v, 10), 16)
    .option('--endpoints <n>', 'fleet size', parsePositiveInteger, 250)
    .option('--timezone <zone>', 'EMS time zone (dtime and headers)', zoneOption, 'UTC')
    .option('--settings <file>', 'log settings file to apply (categories, levels)')
    .action(async (options: SimulateOptions) => {
      const settings = options.settings ? new SettingsFile(options.settings).load() : undefined;
      const { sim, run, window } = prepareSimulation({ ...options, settings }, Date.now());
      const days = scenarioDays(options.scenario);
      const start = window?.first ?? sim.ems.now;
      if (days > 1 && run.until !== undefined && run.until - start < days * 86_400_000)
        stderrLog(`${options.scenario} unfolds over ${days} days: --backfill ${days}d shows all of it`);
      const outputs = new EmsOutputs({ hostname: sim.ems.identity.hostname, timeZone: options.timezone });
      for (const url of options.to) outputs.add(url, options.format, options.facility);
      const result = await runSimulation(sim, (line) => outputs.write(line), { ...run, signal: stopSignal() });
      await outputs.close();
      const seconds = result.wallMs / 1000;
      stderrLog(
        `${result.lines} lines (${options.scenario}, seed ${options.seed}) from ${new Date(result.first ?? result.virtualStart).toISOString()} to ${new Date(result.virtualEnd).toISOString()} in ${seconds.toFixed(1)} s (${Math.round(result.lines / Math.max(seconds, 0.001))} lines/s), stopped by ${result.stoppedBy}`,
      );
      for (const output of outputs.all()) {
        const stats = output.destination.stats();
        stderrLog(`  ${output.destination.url}: sent ${stats.sent}, dropped ${stats.dropped}, reconnects ${stats.reconnects}`);
        if (stats.dropped > 0) process.exitCode = 2;
      }
    });

  ems
    .command('serve')
    .description('run the EMS core in real time with its admin API (log settings, services, inventory)')
    .option('--to <destination>', 'also send every line here (repeatable; the log settings add their own destinations)', collect, [])
    .option('--port <port>', 'admin API port', parsePort, 8090)
    .option('--host <address>', 'admin API address', '127.0.0.1')
    .option('--settings <file>', 'log settings file (created if missing)', join(stateRoot(), 'ems', 'log-settings.json'))
    .addOption(new Option('--scenario <name>', Object.keys(SCENARIOS).join(' | ')).default('office-day').argParser(scenarioOption))
    .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 1)
    .addOption(new Option('--format <format>', 'syslog header for --to').choices(['rfc3164', 'rfc5424']).default('rfc3164'))
    .option('--endpoints <n>', 'fleet size', parsePositiveInteger, 250)
    .option('--timezone <zone>', 'EMS time zone', zoneOption, 'UTC')
    .action(
      async (options: {
        to: string[];
        port: number;
        host: string;
        settings: string;
        scenario: ScenarioName;
        seed: number;
        format: 'rfc3164' | 'rfc5424';
        endpoints: number;
        timezone: string;
      }) => {
        const adminToken = process.env.FORTIEMS_EMS_TOKEN || randomBytes(24).toString('base64url');
        const ems = await startEmbeddedEms({
          to: options.to,
          host: options.host,
          port: options.port,
          settingsPath: options.settings,
          scenario: options.scenario,
          seed: options.seed,
          format: options.format,
          endpoints: options.endpoints,
          timeZone: options.timezone,
          adminToken,
        });
        process.stdout.write(
          `EMS core admin API: ${ems.apiUrl} (Authorization: Bearer ${process.env.FORTIEMS_EMS_TOKEN ? '$FORTIEMS_EMS_TOKEN' : adminToken})\n`,
        );
        await new Promise<void>((resolve) => stopSignal().addEventListener('abort', () => resolve(), { once: true }));
        await ems.stop();
      },
    );

  registerEmsSettingsCommand(ems);
}
