/**
 * The component contract's promise: a new sink type is its own definition plus one registry line. `memory` below is a
 * test-only sink (it keeps what it receives); registered in a test registry, it is configurable in YAML (its schema,
 * its defaults, its semantic check with file:line:column) and receives events through a running pipeline, with no
 * edit anywhere else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../app/service/ingest-service.js';
import { type ComponentRegistry, type SinkFactory, schemaDefaults } from '../../ingest/components/contract.js';
import { COMPONENTS } from '../../ingest/components/registry.js';
import { ConfigError, defaultConfig, parseConfig } from '../../ingest/config/load-config.js';
import { needsDefaultCluster } from '../../ingest/topology/topology.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import { silentLogger } from '../../platform/logging/logger.js';

// ---- the sink type's own definition ----
interface MemorySinkConfig {
  type: 'memory';
  label?: string;
  max_events?: number;
}

const received = new Map<string, ParsedEvent[]>();

const memorySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { const: 'memory' },
    label: { type: 'string', minLength: 1, default: 'captured' },
    max_events: { type: 'integer', minimum: 1, default: 1000 },
  },
} as const;

const memorySinkFactory: SinkFactory<MemorySinkConfig> = {
  type: 'memory',
  schema: memorySchema,
  defaults: schemaDefaults(memorySchema),
  check: (config, context) =>
    config.label === 'forbidden'
      ? [{ path: [...context.path, 'label'], message: "the label 'forbidden' is reserved", fix: 'choose another label' }]
      : [],
  create: (id, config, { buffer }) => {
    const events: ParsedEvent[] = [];
    received.set(`${id}:${config.label}`, events);
    return {
      id,
      type: 'memory',
      accept: async (batch) => {
        events.push(...batch.slice(0, (config.max_events ?? 1000) - events.length));
      },
      start: async () => undefined,
      stop: () => buffer.close(),
      ready: async () => true,
    };
  },
};

// ---- the one registry line ----
const TEST_COMPONENTS: ComponentRegistry = { sources: COMPONENTS.sources, sinks: [...COMPONENTS.sinks, memorySinkFactory] };

const problemsOf = (text: string, components?: ComponentRegistry): string => {
  try {
    parseConfig(text, 'test.yaml', {}, components);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('a sink type added through the registry', () => {
  const dirs: string[] = [];
  const services: IngestService[] = [];
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is configurable in YAML: its schema fragment validates and its defaults are applied', () => {
    const config = parseConfig('sinks:\n  capture: { type: memory }\n', 'test.yaml', {}, TEST_COMPONENTS);
    expect(config.sinks?.capture).toEqual({ type: 'memory', label: 'captured', max_events: 1000 });
    expect(memorySinkFactory.defaults).toEqual({ label: 'captured', max_events: 1000 });

    expect(problemsOf('sinks:\n  capture: { type: memory, max_event: 5 }\n', TEST_COMPONENTS)).toContain(
      "test.yaml:2:28 sinks.capture.max_event: unknown setting 'max_event'\n    fix: did you mean 'max_events'? (known here: type, label, max_events)",
    );
    expect(problemsOf('sinks:\n  capture: { type: memory, max_events: 0 }\n', TEST_COMPONENTS)).toContain(
      'test.yaml:2:28 sinks.capture.max_events: must be ≥ 1',
    );
  });

  it('runs its own semantic check, reported at the place in the file', () => {
    expect(problemsOf('sinks:\n  capture:\n    type: memory\n    label: forbidden\n', TEST_COMPONENTS)).toContain(
      "test.yaml:4:5 sinks.capture.label: the label 'forbidden' is reserved\n    fix: choose another label",
    );
  });

  it('is a known kind only where registered: the message lists the registry', () => {
    expect(problemsOf('sinks:\n  capture: { type: nope }\n', TEST_COMPONENTS)).toContain(
      'fix: sources: syslog, http or kafka; sinks: opensearch, elasticsearch, syslog, kafka or memory',
    );
    expect(problemsOf('sinks:\n  capture: { type: memory }\n')).toContain(
      "sinks.capture.type: 'type' must name a known kind here (memory is not one)\n    fix: sources: syslog, http or kafka; sinks: opensearch, elasticsearch, syslog or kafka",
    );
  });

  it('needs the default cluster only when a sink factory says it writes there', () => {
    expect(needsDefaultCluster(defaultConfig({}))).toBe(true);
    const parse = (sinks: string) => parseConfig(`sinks:\n${sinks}`, 'test.yaml', {}, TEST_COMPONENTS);
    expect(needsDefaultCluster(parse('  siem: { type: syslog, address: "siem:514" }\n'), TEST_COMPONENTS)).toBe(false);
    expect(needsDefaultCluster(parse('  os: { type: opensearch, url: "http://os:9200" }\n'), TEST_COMPONENTS)).toBe(false);
    expect(needsDefaultCluster(parse('  capture: { type: memory }\n'), TEST_COMPONENTS)).toBe(false);
    expect(needsDefaultCluster(parse('  capture: { type: memory }\n  os: { type: opensearch }\n'), TEST_COMPONENTS)).toBe(true);
  });

  it('receives the events of a running pipeline', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fortiems-registry-'));
    dirs.push(dataDir);
    const config = parseConfig(
      `data_dir: ${JSON.stringify(dataDir)}
sources:
  http: { type: http }
pipeline:
  enrich: { geoip: false }
sinks:
  capture: { type: memory, label: proof }
http:
  address: "127.0.0.1:0"
`,
      'test.yaml',
      {},
      TEST_COMPONENTS,
    );
    const service = new IngestService({ dataDir, logger: silentLogger(), components: TEST_COMPONENTS });
    services.push(service);
    await service.start(config);
    const lines = [1, 2, 3].map(
      (i) =>
        `<134>Dec  1 09:00:00 ems01 ems-event: dtime="2026-12-01 09:00:00" type=event subtype=system level=notice emsserial=FCTEMS8822000123 msg="registry ${i}" emshostname="ems01" vd="default"`,
    );
    const response = await fetch(`${service.httpUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `${lines.join('\n')}\n`,
    });
    expect(response.status).toBeLessThan(300);
    const events = received.get('capture:proof') as ParsedEvent[];
    for (let wait = 0; events.length < 3 && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toHaveLength(3);
    expect(JSON.stringify(events)).toContain('registry 3');
  });
});
