// First-seen rules (fortiems.new_terms) on the real OpenSearch: the scheduler alerts once for an address new in the
// last 30 days and stays quiet for a known one; the rogue administrator of the EMS core is caught by address and by
// country once the office day has made the administrators' addresses known; an office day raises nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadDetectionRules } from '../../detections/runtime/detection-rules.js';
import { type NewTermsRule, newTerms } from '../../detections/runtime/new-terms.js';
import { eventsOf, indexEvents, indexInNamespace } from '../../detections/runtime/rule-samples.js';
import { DetectionScheduler } from '../../detections/runtime/scheduler.js';
import { compileRules, isNewTermsRule } from '../../detections/sigma/compile.js';
import { runSimulation } from '../../ems-core/simulation/runner.js';
import type { ScenarioName } from '../../ems-core/simulation/scenarios.js';
import { Simulation } from '../../ems-core/simulation/simulation.js';
import { installMappings } from '../../ingest/sinks/search/install-mappings.js';
import { alertsIndex } from '../../mappings/index.js';
import { silentLogger } from '../../platform/logging/logger.js';
import { createOpenSearchClient } from '../../platform/opensearch/client.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { formatLine } from '../../syslog/syslog-format.js';

const ADDRESS_RULE = 'detections/rules/ems_admin_login_new_source_address.yml';
const COUNTRY_RULE = 'detections/rules/ems_admin_login_new_country.yml';
const DAY = 86_400_000;
// Tuesday 2026-12-01 00:00 UTC, as in rules.test.ts.
const START = Date.UTC(2026, 11, 1);

function firstSeenRule(file: string): NewTermsRule {
  const rule = compileRules(file).find(isNewTermsRule);
  if (!rule) throw new Error(`${file} is not a first-seen rule`);
  return rule;
}

const two = (value: number): string => String(value).padStart(2, '0');

/** An EMS administrator login at `at` (UTC wall clock), as the EMS core writes it. */
function login(at: number, srcip: string, admin = 'admin'): string {
  const time = new Date(at);
  const month = time.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const clock = `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())}`;
  const dtime = `${time.getUTCFullYear()}-${two(time.getUTCMonth() + 1)}-${two(time.getUTCDate())} ${clock}`;
  return `<134>${month} ${String(time.getUTCDate()).padStart(2, ' ')} ${clock} ems01.corp.example.com ems-authentication: dtime="${dtime}" type=event subtype=auth level=information emsserial=FCTEMS8883780002 msg="Administrator logged in" admin="${admin}" srcip=${srcip} ui="GUI" method="local" emshostname="ems01.corp.example.com" vd="default"`;
}

describe('first-seen rules on a real OpenSearch', () => {
  const client = createOpenSearchClient({ url: inject('opensearchUrl') });
  const namespaces: string[] = [];

  async function freshNamespace(): Promise<string> {
    const namespace = `fs${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    await installMappings(client, { namespace, log: () => undefined });
    return namespace;
  }

  async function indexSimulation(scenario: ScenarioName, count: number, incidentAt?: number): Promise<string> {
    const namespace = await freshNamespace();
    const sim = new Simulation({ seed: 1, start: START, scenario, ...(incidentAt !== undefined ? { incidentAt } : {}) });
    const lines: string[] = [];
    const options = { hostname: sim.ems.identity.hostname, timeZone: sim.ems.identity.timeZone };
    await runSimulation(sim, (line) => void lines.push(formatLine(line, options)), { count });
    await indexEvents(client, eventsOf(lines, namespace), namespace);
    return namespace;
  }

  afterAll(async () => {
    for (const namespace of namespaces) {
      await client.indices.deleteDataStream({ name: `logs-fortiems.*-${namespace}` }).catch(() => undefined);
      await client.indices.delete({ index: alertsIndex(namespace) }).catch(() => undefined);
    }
    await client.close();
  });

  it('the scheduler alerts once for an address new in 30 days, not for a known one, and not again next run', async () => {
    const namespace = await freshNamespace();
    const now = Math.floor(Date.now() / 1000) * 1000;
    await indexEvents(
      client,
      eventsOf(
        [
          login(now - 5 * DAY, '10.10.1.15'),
          login(now - 40 * DAY, '198.51.100.9'),
          login(now - 30_000, '10.10.1.15'),
          login(now - 20_000, '203.0.113.7'),
          login(now - 15_000, '203.0.113.7', 'svc_backup'),
          login(now - 10_000, '198.51.100.9'),
        ],
        namespace,
      ),
      namespace,
    );
    const registry = new MetricsRegistry();
    const scheduler = new DetectionScheduler({
      client: createOpenSearchClient({ url: inject('opensearchUrl') }),
      rules: loadDetectionRules(ADDRESS_RULE),
      rulesRoot: 'detections/rules',
      namespace,
      alertsIndex: alertsIndex(namespace),
      intervalMs: 60_000,
      lookbackMs: 60_000,
      timeField: '@timestamp',
      maxAlertsPerRun: 100,
      outputs: [],
      registry,
      logger: silentLogger(),
      now: () => now,
    });
    await scheduler.start({ schedule: false });
    const run = await scheduler.runOnce();
    expect(run.failures).toEqual([]);
    // 203.0.113.7 never seen (one alert for its two logins); 198.51.100.9 last seen 40 days ago; 10.10.1.15 known.
    expect(run.created.map((alert) => alert.fortiems.alert.source_event?.source_ip).sort()).toEqual(['198.51.100.9', '203.0.113.7']);
    // On the value's first event in the range.
    const fresh = run.created.find((alert) => alert.fortiems.alert.source_event?.source_ip === '203.0.113.7');
    expect(fresh?.fortiems.alert.first_seen).toBe(new Date(now - 20_000).toISOString());
    const again = await scheduler.runOnce();
    expect(again.created).toEqual([]);
    expect(again.duplicates).toBe(2);
    await scheduler.stop();
  });

  it('catches the rogue administrator by address and by country once the office day made the admins known', async () => {
    // The incident on the second day (after hours: 02:41 on Wednesday); the first day's logins are the history.
    const namespace = await indexSimulation('rogue-admin-after-hours', 4000, START + DAY + 10.5 * 3_600_000);
    const range = { from: START + DAY, to: START + 3 * DAY };
    const address = firstSeenRule(ADDRESS_RULE);
    const byAddress = await newTerms(client, address, indexInNamespace(address.index, namespace), { range });
    expect(byAddress).toHaveLength(1);
    const outsider = String(byAddress[0]?.values['ems.srcip']);
    expect(outsider).not.toMatch(/^10\./);
    // Its first login: admin at 02:41 EMS time (UTC here) on the second day.
    expect(byAddress[0]?.firstSeen).toBe(START + DAY + 2 * 3_600_000 + 41 * 60_000);
    const country = firstSeenRule(COUNTRY_RULE);
    const byCountry = await newTerms(client, country, indexInNamespace(country.index, namespace), { range });
    expect(byCountry.map((term) => term.values['source.geo.country_iso_code'])).toEqual([expect.stringMatching(/^[A-Z]{2}$/)]);
  });

  it('an office day (20,000 lines) raises no first-seen alert once the first day is history', async () => {
    const namespace = await indexSimulation('office-day', 20_000);
    const range = { from: START + DAY, to: START + 20 * DAY };
    for (const file of [ADDRESS_RULE, COUNTRY_RULE]) {
      const rule = firstSeenRule(file);
      expect(await newTerms(client, rule, indexInNamespace(rule.index, namespace), { range }), file).toEqual([]);
    }
    // The first day alone has no history: every administrator address is new there.
    const address = firstSeenRule(ADDRESS_RULE);
    const firstDay = await newTerms(client, address, indexInNamespace(address.index, namespace), {
      range: { from: START, to: START + DAY },
    });
    expect(firstDay.map((term) => term.values['ems.srcip']).sort()).toEqual(['10.10.1.15', '10.10.1.22', '10.10.1.31']);
  });
});
