import { describe, expect, it } from 'vitest';
import { assignEventId, eventIdOf } from '../../ingest/enrich/event-id.js';
import { parseLine } from '../../parsers/parse-line.js';

const LINE =
  '<134>Nov 23 08:00:00 ems01 ems-client: dtime="2026-11-23 08:00:00" type=event subtype=admin level=information devid=FCTXY25PMDZFNFE2 uid=9C2DF0B55B1DB5CDCE8B75DAD09A7640 hostname="LAPTOP-55PXHFZ" user="jamal.muller" deviceip=10.10.32.23 devicemac=00-b4-35-39-ba-58 emsserial=FCTEMS8883780002 os="Microsoft Windows 11" msg="online" status="online" usingpolicy="Legal-Policy" emshostname="ems01.corp.example.com" vd="default"';

describe('content event ids (rules test samples, fixtures)', () => {
  it('gives the same line the same id, whenever and however often it is parsed', () => {
    const first = parseLine(LINE, { receivedAt: Date.parse('2026-11-23T08:00:01Z') });
    const again = parseLine(LINE, { receivedAt: Date.parse('2026-11-24T12:00:00Z') }); // a replay, a day later
    const id = assignEventId(first.document, first.dataset);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/); // SHA-256, base64url, no padding
    expect(assignEventId(again.document, again.dataset)).toBe(id);
    expect((first.document.event as Record<string, unknown>).id).toBe(id);
    expect(eventIdOf('fortiems.client', LINE)).toBe(id);
  });

  it('tells apart lines that differ in one byte, and the same line in two datasets', () => {
    const ids = new Set<string>();
    for (let second = 0; second < 60; second++)
      ids.add(eventIdOf('fortiems.client', LINE.replace('08:00:00', `08:00:${String(second).padStart(2, '0')}`)));
    ids.add(eventIdOf('fortiems.client', `${LINE} `));
    ids.add(eventIdOf('fortiems.unparsed', LINE));
    expect(ids.size).toBe(62);
  });

  it('always computes the id, and sets none without event.original', () => {
    const document: Record<string, unknown> = { event: { id: 'vendor-message-type-42', original: LINE } };
    expect(assignEventId(document, 'fortiems.client')).toBe(eventIdOf('fortiems.client', LINE));
    const withoutOriginal: Record<string, unknown> = { event: { kind: 'event' } };
    expect(assignEventId(withoutOriginal, 'fortiems.client')).toBeUndefined();
    expect(withoutOriginal).toEqual({ event: { kind: 'event' } });
    expect(assignEventId({}, 'fortiems.client')).toBeUndefined();
  });
});
