import { describe, expect, it } from 'vitest';
import { CATALOGUE, validateRecord } from '../../mappings/index.js';
import { ecsMac, osType, toIndexDocument } from '../../mappings/opensearch/index.js';
import { SAMPLE_RECORDS } from '../support/sample-records.js';

const received = { timestamp: '2026-11-22T10:00:01.000Z', ingested: new Date('2026-11-22T10:00:01.250Z') };

describe('the sample records', () => {
  it('cover every category and pass validation', () => {
    for (const category of CATALOGUE) {
      const record = SAMPLE_RECORDS[category.name];
      expect(record, category.name).toBeDefined();
      expect(validateRecord(category.name, record), category.name).toEqual([]);
    }
  });
});

describe('the indexed document', () => {
  it('of an ems-client "online" record (golden)', () => {
    const original = '<134>Nov 22 10:00:01 ems01 ems-client: dtime="2026-11-22 10:00:01" type=event subtype=admin ...';
    const document = toIndexDocument('ems-client', SAMPLE_RECORDS['ems-client'], { ...received, original });
    expect(document).toEqual({
      '@timestamp': '2026-11-22T10:00:01.000Z',
      message: 'online',
      event: {
        kind: 'event',
        action: 'endpoint-online',
        category: ['host'],
        type: ['start'],
        outcome: 'success',
        severity: 6,
        dataset: 'fortiems.client',
        module: 'fortiems',
        original,
        ingested: '2026-11-22T10:00:01.250Z',
      },
      log: { level: 'information' },
      device: { serial_number: 'FCT8001ZQ7RB4K2A' },
      host: {
        id: '6F1C3B9A0D2E4F5A8B7C6D5E4F3A2B1C',
        hostname: 'PC-FIN-0042',
        name: 'PC-FIN-0042',
        ip: '10.20.30.42',
        mac: 'A1-B2-C3-4D-38-A6',
        os: { full: 'Microsoft Windows 11 Professional Edition, 64-bit (build 22631)', type: 'windows' },
      },
      user: { name: 'alice.martin' },
      agent: { version: '7.2.4.0972' },
      observer: {
        serial_number: 'FCTEMS8822001975',
        hostname: 'ems01.corp.example',
        vendor: 'Fortinet',
        product: 'FortiClient EMS',
        type: 'ems',
      },
      related: { ip: ['10.20.30.42'], user: ['alice.martin'], hosts: ['PC-FIN-0042', 'ems01.corp.example'] },
      ems: {
        emsserial: 'FCTEMS8822001975',
        emshostname: 'ems01.corp.example',
        vd: 'default',
        type: 'event',
        devid: 'FCT8001ZQ7RB4K2A',
        uid: '6F1C3B9A0D2E4F5A8B7C6D5E4F3A2B1C',
        hostname: 'PC-FIN-0042',
        user: 'alice.martin',
        deviceip: '10.20.30.42',
        devicemac: 'a1-b2-c3-4d-38-a6',
        os: 'Microsoft Windows 11 Professional Edition, 64-bit (build 22631)',
        usingpolicy: 'Finance-Laptops',
        fctver: '7.2.4.0972',
        dtime: '2026-11-22 10:00:01',
        subtype: 'admin',
        level: 'information',
        msg: 'online',
        status: 'online',
      },
      data_stream: { type: 'logs', dataset: 'fortiems.client', namespace: 'default' },
    });
  });

  it('of an ems-vpn authentication failure (golden, ECS parts)', () => {
    const document = toIndexDocument('ems-vpn', SAMPLE_RECORDS['ems-vpn'], { ...received, namespace: 'tenant1' });
    expect(document.event).toEqual({
      kind: 'event',
      action: 'vpn-auth-failure',
      category: ['authentication', 'network'],
      type: ['start'],
      outcome: 'failure',
      severity: 4,
      dataset: 'fortiems.vpn',
      module: 'fortiems',
      ingested: '2026-11-22T10:00:01.250Z',
      reason: 'invalid password',
    });
    expect(document).toMatchObject({
      message: 'VPN authentication failed',
      source: { ip: '198.51.100.77' },
      destination: { ip: '203.0.113.10' },
      user: { name: 'alice.martin', target: { name: 'amartin' } },
      related: {
        ip: ['10.20.30.42', '203.0.113.10', '198.51.100.77'],
        user: ['alice.martin', 'amartin'],
        hosts: ['PC-FIN-0042', 'ems01.corp.example'],
      },
      ems: { vpntunnel: 'HQ-SSL', gateway: '203.0.113.10', remip: '198.51.100.77', vpnuser: 'amartin', reason: 'invalid password' },
      data_stream: { type: 'logs', dataset: 'fortiems.vpn', namespace: 'tenant1' },
    });
    expect(document.fortiems).toBeUndefined();
  });

  it('puts unknown keys into fortiems.extra, never next to the known fields', () => {
    const document = toIndexDocument(
      'ems-client',
      { ...SAMPLE_RECORDS['ems-client'], pcdomain: 'corp.example' },
      { ...received, unknown: { site: 'paris', url: 'https://example.org/?q=1' } },
    );
    expect(document.fortiems).toEqual({ extra: { site: 'paris', url: 'https://example.org/?q=1', pcdomain: 'corp.example' } });
    expect(document.ems).not.toHaveProperty('pcdomain');
    expect(document).not.toHaveProperty('pcdomain');
  });

  it('deduplicates related.* values', () => {
    const document = toIndexDocument(
      'ems-network',
      { ...SAMPLE_RECORDS['ems-network'], srcip: '10.20.30.42', deviceip: '10.20.30.42' },
      received,
    );
    expect(document.related).toEqual({ ip: ['10.20.30.42'], user: ['alice.martin'], hosts: ['PC-FIN-0042', 'ems01.corp.example'] });
  });

  it('writes ECS host.mac upper-case and hyphenated, and keeps the raw MAC as it came', () => {
    const document = toIndexDocument('ems-client', SAMPLE_RECORDS['ems-client'], received);
    expect((document.host as { mac: string }).mac).toBe('A1-B2-C3-4D-38-A6');
    expect(document.ems.devicemac).toBe('a1-b2-c3-4d-38-a6');
    expect(ecsMac('a1:b2:c3:4d:38:a6')).toBe('A1-B2-C3-4D-38-A6');
  });

  it('keeps the first ECS value when two fields target the same ECS field, and skips empty values', () => {
    const document = toIndexDocument('ems-event', { ...SAMPLE_RECORDS['ems-event'], user: 'alice.martin', emshostname: '' }, received);
    expect(document.user).toEqual({ name: 'alice.martin' });
    expect(document.related).toMatchObject({ user: ['alice.martin', 'emsadmin'] });
    expect(document.observer).not.toHaveProperty('hostname');
    expect(document.ems.emshostname).toBe('');
  });

  it('leaves event.action out for a message the catalogue does not know', () => {
    const document = toIndexDocument('ems-error', { ...SAMPLE_RECORDS['ems-error'], msg: 'Something new' }, received);
    expect(document.event).not.toHaveProperty('action');
    expect(document.event).toMatchObject({ kind: 'event', severity: 2, dataset: 'fortiems.error' });
  });

  it('derives host.os.type from the os text', () => {
    expect(osType('Microsoft Windows 10 Professional Edition, 64-bit')).toBe('windows');
    expect(osType('macOS Sonoma 14.5')).toBe('macos');
    expect(osType('Mac OS X 10.15')).toBe('macos');
    expect(osType('Ubuntu 22.04.4 LTS')).toBe('linux');
    expect(osType('iOS 17.5')).toBe('ios');
    expect(osType('iPadOS 17.5')).toBe('ios');
    expect(osType('Android 14')).toBe('android');
    expect(osType('ChromeOS 126')).toBe('chromeos');
    expect(osType('Plan 9')).toBeUndefined();
  });
});
