import { buildEmsAdminServer, EMS_ADMIN_API_PREFIX } from './api/admin-api.js';
import { SettingsFile } from './log-settings/store.js';
import { EmsOutputs } from './outputs.js';
import { runSimulation } from './simulation/runner.js';
import type { ScenarioName } from './simulation/scenarios.js';
import { Simulation } from './simulation/simulation.js';

export interface EmbeddedEmsOptions {
  /** Where every line also goes (the log settings add their own destinations). */
  to: string[];
  host: string;
  port: number;
  settingsPath: string;
  scenario: ScenarioName;
  seed: number;
  format: 'rfc3164' | 'rfc5424';
  endpoints: number;
  timeZone: string;
  adminToken: string;
}

export interface RunningEms {
  /** The admin API's base URL (…/api/v1). */
  apiUrl: string;
  sim: Simulation;
  /** Logs ems-stopped, stops the clock and the API, flushes the outputs. */
  stop(): Promise<void>;
}

/**
 * The EMS core in real time with its admin API: what `fortiems ems serve` runs, and what `npm start` runs beside the
 * pipeline so the pipeline has live EMS traffic and an inventory to enrich from.
 */
export async function startEmbeddedEms(options: EmbeddedEmsOptions): Promise<RunningEms> {
  const settingsFile = new SettingsFile(options.settingsPath);
  const sim = new Simulation({
    seed: options.seed,
    start: Date.now(),
    scenario: options.scenario,
    endpoints: options.endpoints,
    identity: { timeZone: options.timeZone },
    settings: settingsFile.load(),
  });
  const outputs = new EmsOutputs({ hostname: sim.ems.identity.hostname, timeZone: options.timeZone });
  for (const url of options.to) outputs.add(url, options.format);
  await outputs.useSettingsDestinations(sim.ems.getSettings().destinations);
  sim.ems.onSettingsChange((settings) => void outputs.useSettingsDestinations(settings.destinations));
  const server = buildEmsAdminServer({ sim, adminToken: options.adminToken, settingsFile });
  const address = await server.listen({ port: options.port, host: options.host });
  sim.ems.scheduler.at(sim.ems.now, () => sim.ems.log('ems-event', 'ems-started', {}));
  const controller = new AbortController();
  const running = runSimulation(sim, (line) => outputs.write(line), { realtime: true, signal: controller.signal });
  return {
    apiUrl: `${address}${EMS_ADMIN_API_PREFIX}`,
    sim,
    stop: async () => {
      controller.abort();
      await running;
      const unsubscribe = sim.ems.onLine((line) => void outputs.write(line));
      sim.ems.log('ems-event', 'ems-stopped', {});
      unsubscribe();
      await server.close();
      await outputs.close();
    },
  };
}
