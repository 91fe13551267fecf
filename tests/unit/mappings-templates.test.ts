import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  type CatalogueField,
  categorySchema,
  dataStreamName,
  defineCategory,
  ECS_FIELDS,
  ecsTargets,
  IP,
  optional,
} from '../../mappings/index.js';
import {
  buildTemplates,
  ECS_ROOT_NAMES,
  fieldAt,
  flattenProperties,
  ISM_POLICY_ID,
  ismPolicy,
  mergedMappingFor,
  rawFieldInventory,
  rawNameSplit,
} from '../../mappings/opensearch/index.js';

const templates = buildTemplates();
const fieldsOf = (category: (typeof CATALOGUE)[number]) => category.schema.fields as readonly CatalogueField[];

function expectedRawType(field: CatalogueField): string {
  const type = Array.isArray(field.type) ? field.type[1] : field.type;
  if (type === 'string') return 'keyword';
  if (type === 'int') return 'integer';
  if (type === 'long') return 'long';
  if (type === 'double' || type === 'float') return 'double';
  const object = type as { type: string; logicalType?: string };
  if (object.logicalType === 'ip') return 'ip';
  return 'keyword'; // enums, mac, ems-datetime
}

describe('the generated index templates', () => {
  it('has one data stream template per category, matching its data stream name', () => {
    expect(Object.keys(templates.indexTemplates)).toHaveLength(CATALOGUE.length + 1);
    for (const category of CATALOGUE) {
      const template = templates.indexTemplates[`logs-${category.dataset}`];
      expect(template, category.name).toBeDefined();
      expect(template?.data_stream).toEqual({});
      expect(template?.priority).toBe(200);
      const [pattern] = template?.index_patterns ?? [];
      const stream = dataStreamName(category.name);
      expect(new RegExp(`^${pattern?.replace(/\./g, '\\.').replace('*', '.*')}$`).test(stream)).toBe(true);
      for (const component of template?.composed_of ?? []) expect(templates.componentTemplates[component], component).toBeDefined();
      expect(template?._meta).toMatchObject({ managed_by: 'fortiems', category: category.name, template_version: 2 });
      expect(template?._meta.catalogue_fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('catches the datasets that are not categories (neighbours, pipeline errors) below the categories', () => {
    const other = templates.indexTemplates['logs-fortiems.other'];
    expect(other?.data_stream).toEqual({});
    expect(other?.priority).toBeLessThan(200);
    const pattern = new RegExp(`^${other?.index_patterns[0]?.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
    for (const stream of [
      'logs-fortiems.unparsed-default',
      'logs-fortiems.forticlient-default',
      'logs-fortiems.fortigate-acme',
      'logs-fortiems.syslog-default',
    ]) {
      expect(pattern.test(stream), stream).toBe(true);
    }
    expect(other?.composed_of).not.toContain('fortiems-client@mappings');
  });

  it('maps what generic syslog lines carry, structured data as one flat_object whatever the SD-IDs', () => {
    const other = templates.indexTemplates['logs-fortiems.other'];
    const ecs = templates.componentTemplates[other?.composed_of.find((name) => name === 'fortiems-ecs@mappings') ?? '']?.template.mappings;
    const properties = ecs?.properties ?? {};
    expect(fieldAt(properties, 'process.name')?.type).toBe('keyword');
    expect(fieldAt(properties, 'process.pid')?.type).toBe('long');
    expect(fieldAt(properties, 'message')?.type).toBe('text');
    expect(fieldAt(properties, 'log.syslog.msgid')?.type).toBe('keyword');
    expect(fieldAt(properties, 'log.syslog.structured_data')).toEqual({ type: 'flat_object' });
    expect(fieldAt(properties, 'fortiems.extra')).toEqual({ type: 'flat_object' });
    expect(ecs?.dynamic).toBe(false);
  });

  it('maps every catalogue field with the right type under ems.*, and its ECS targets with the ECS type', () => {
    for (const category of CATALOGUE) {
      const { properties } = mergedMappingFor(category.name, templates);
      for (const field of fieldsOf(category)) {
        expect(fieldAt(properties, `ems.${field.name}`)?.type, `${category.name} ems.${field.name}`).toBe(expectedRawType(field));
        for (const target of ecsTargets(field)) expect(fieldAt(properties, target)?.type, target).toBe(ECS_FIELDS[target]);
      }
    }
    const client = mergedMappingFor('ems-client', templates).properties;
    expect(fieldAt(client, 'ems.deviceip')?.type).toBe('ip');
    expect(fieldAt(client, 'ems.dtime')?.type).toBe('keyword');
    expect(fieldAt(mergedMappingFor('ems-addaemonworker', templates).properties, 'ems.taskid')?.type).toBe('long');
    expect(fieldAt(mergedMappingFor('ems-vpn', templates).properties, 'ems.duration')?.type).toBe('integer');
  });

  it('maps the fields every document carries', () => {
    const { dynamic, properties } = mergedMappingFor('ems-vpn', templates);
    expect(dynamic).toBe(false);
    expect(templates.componentTemplates['fortiems-ecs@mappings']?.template.mappings?.dynamic).toBe(false);
    expect(fieldAt(properties, 'fortiems.extra')).toEqual({ type: 'flat_object' });
    expect(fieldAt(properties, 'event.original')).toEqual({ type: 'keyword', index: false, doc_values: false });
    expect(fieldAt(properties, '@timestamp')?.type).toBe('date');
    expect(fieldAt(properties, 'event.ingested')?.type).toBe('date');
    expect(fieldAt(properties, 'message')?.type).toBe('text');
    expect(fieldAt(properties, 'related.ip')?.type).toBe('ip');
    for (const name of ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace', 'event.action', 'event.dataset'])
      expect(fieldAt(properties, name)?.type, name).toBe('keyword');
  });

  it('aliases free raw names at the top level, pointing at existing ems.* fields of the same data stream', () => {
    for (const category of CATALOGUE) {
      const { properties } = mergedMappingFor(category.name, templates);
      const aliases = flattenProperties(properties).filter(([, mapping]) => mapping.type === 'alias');
      expect(aliases.length).toBeGreaterThan(10);
      for (const [name, mapping] of aliases) {
        expect(name).not.toContain('.');
        expect(mapping.path).toBe(`ems.${name}`);
        expect(fieldAt(properties, String(mapping.path))?.type, `${category.name}: ${name}`).not.toBe('alias');
        expect(fieldAt(properties, String(mapping.path))).toBeDefined();
      }
    }
    const vpn = mergedMappingFor('ems-vpn', templates).properties;
    for (const name of [
      'hostname',
      'type',
      'subtype',
      'level',
      'msg',
      'deviceip',
      'devid',
      'uid',
      'emsserial',
      'usingpolicy',
      'vd',
      'fctver',
    ])
      expect(fieldAt(vpn, name), name).toEqual({ type: 'alias', path: `ems.${name}` });
    expect(fieldAt(vpn, 'vpntunnel')).toEqual({ type: 'alias', path: 'ems.vpntunnel' });
  });

  it('gives no alias a name that ECS owns; those raw names stay queryable as ems.*', () => {
    const split = rawNameSplit();
    const ecsRoots = new Set<string>([...ECS_ROOT_NAMES, ...Object.keys(ECS_FIELDS).map((name) => name.split('.')[0] as string)]);
    for (const name of split.aliased) expect(ecsRoots.has(name), name).toBe(false);
    expect(split.emsOnly).toEqual(expect.arrayContaining(['user', 'group', 'service', 'server']));
    for (const category of CATALOGUE) {
      const { properties } = mergedMappingFor(category.name, templates);
      for (const root of ecsRoots) {
        const mapping = properties[root];
        if (mapping && 'type' in mapping) expect(mapping.type, root).not.toBe('alias');
      }
      if (fieldsOf(category).some((field) => field.name === 'user')) expect(fieldAt(properties, 'ems.user')?.type).toBe('keyword');
    }
  });

  it('finds no raw field with two types across the categories', () => {
    const inventory = rawFieldInventory();
    expect(inventory.get('duration')?.type).toBe('integer');
    expect(inventory.get('srcip')?.type).toBe('ip');
    expect(() => buildTemplates()).not.toThrow();
  });

  it('fails loudly when two categories disagree on the type of a raw field', () => {
    const a = defineCategory({
      name: 'ems-vpn',
      dataset: 'fortiems.vpn',
      services: [],
      schema: categorySchema('ems-vpn', 'a', ['vpn'], [optional('gateway', IP, { doc: 'ip here' })]),
      events: [],
    });
    const b = defineCategory({
      name: 'ems-network',
      dataset: 'fortiems.network',
      services: [],
      schema: categorySchema('ems-network', 'b', ['network'], [optional('gateway', 'int', { doc: 'a number there' })]),
      events: [],
    });
    expect(() => rawFieldInventory([a, b])).toThrow(/raw field 'gateway' is ip in ems-vpn but integer in ems-network/);
    expect(() => buildTemplates([a, b])).toThrow(/gateway/);
  });

  it('has single-node friendly settings', () => {
    const settings = templates.componentTemplates['fortiems@settings']?.template.settings as { index: Record<string, unknown> };
    expect(settings.index).toMatchObject({ auto_expand_replicas: '0-1', refresh_interval: '5s', codec: 'default' });
  });
});

describe('the ISM policy', () => {
  it('rolls over daily or at 25gb per primary shard and deletes after the retention days (default 30)', () => {
    const { policy } = ismPolicy();
    expect(ISM_POLICY_ID).toBe('fortiems-logs');
    expect(policy.default_state).toBe('hot');
    const hot = policy.states.find((state) => state.name === 'hot');
    expect(hot?.actions).toEqual([{ rollover: { min_index_age: '1d', min_primary_shard_size: '25gb' } }]);
    expect(hot?.transitions).toEqual([{ state_name: 'delete', conditions: { min_index_age: '30d' } }]);
    expect(policy.states.find((state) => state.name === 'delete')?.actions).toEqual([{ delete: {} }]);
    expect(policy.ism_template).toEqual([{ index_patterns: ['logs-fortiems.*'], priority: 100 }]);
  });

  it('takes the retention as a parameter and rejects nonsense', () => {
    expect(ismPolicy({ retentionDays: 7 }).policy.states[0]?.transitions[0]?.conditions).toEqual({ min_index_age: '7d' });
    expect(ismPolicy({ retentionDays: 365 }).policy.description).toMatch(/365 days/);
    // The installer tells an unchanged policy by its description, so every parameter must show there.
    expect(ismPolicy({ rolloverAge: '12h', rolloverPrimaryShardSize: '5gb' }).policy.description).toMatch(/12h.*5gb.*30 days/);
    expect(() => ismPolicy({ retentionDays: 0 })).toThrow(/retention days/);
    expect(() => ismPolicy({ retentionDays: 2.5 })).toThrow(/retention days/);
  });
});
