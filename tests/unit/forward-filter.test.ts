import { describe, expect, it } from 'vitest';
import { compileForwardFilter } from '../../ingest/forward/filter.js';
import { compileQuery } from '../../ingest/forward/filter-query.js';
import { RateLimiter } from '../../ingest/forward/rate-limit.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';

// Real lines from `fortiems ems simulate --seed 1`.
const NETWORK_LINE =
  '<134>Dec  1 07:30:00 ems01.corp.example.com ems-network: dtime="2026-12-01 07:30:00" type=event subtype=network level=information devid=FCTXY25PMDZFNFE2 uid=9C2DF0B55B1DB5CDCE8B75DAD09A7640 hostname="LAPTOP-55PXHFZ" user="jamal.muller" deviceip=10.10.32.23 devicemac=00-b4-35-39-ba-58 emsserial=FCTEMS8883780002 os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" msg="Connection accepted" srcip=10.10.32.23 srcport=54907 dstport=8013 service="fcems_ecsocksrv" certstatus="valid" tlsver="TLSv1.3" usingpolicy="Legal-Policy" emshostname="ems01.corp.example.com" vd="default" fctver="7.2.5.1049"';
const CLIENT_WARNING_LINE =
  '<132>Dec  1 07:30:13 ems01.corp.example.com ems-client: dtime="2026-12-01 07:30:13" type=event subtype=endpoint level=warning devid=FCT67C10GU3XM2RK uid=1309AF63CB2FE1AB75E503DECA3CD7DE hostname="Galaxy-S23-yasmin" user="yasmin.martin" deviceip=10.10.33.67 devicemac=1c-d6-62-df-1c-d7 emsserial=FCTEMS8883780002 os="Android 13" msg="Endpoint compliance changed" status="compliant" reason="posture passed" usingpolicy="Global" emshostname="ems01.corp.example.com" vd="default" fctver="7.4.0.0127"';
const VPN_LINE =
  '<134>Dec  1 07:38:00 ems01.corp.example.com ems-vpn: dtime="2026-12-01 07:38:00" type=event subtype=vpn level=information devid=FCTEMZYEJX2BZJGK uid=9B17466055CE38D4037A9CD482042B83 hostname="oscar-macbook-air" user="oscar.larsen" deviceip=192.168.1.224 devicemac=79-2a-83-bd-97-52 emsserial=FCTEMS8883780002 os="macOS Sonoma 14.5" msg="VPN connection attempt" vpntunnel="Branch-Lyon" vpntype="ssl" gateway=203.0.113.20 remip=86.48.129.208 srccountry="GB" vpnuser="oscar.larsen" usingpolicy="Global" emshostname="ems01.corp.example.com" vd="default" fctver="7.4.1.1720"';

const parse = (line: string): ParsedEvent => parseLine(line, { receivedAt: Date.UTC(2026, 11, 1, 8) });
const network = parse(NETWORK_LINE);
const warning = parse(CLIENT_WARNING_LINE);
const vpn = parse(VPN_LINE);
const broken = parse('this is not a log line');
const ALL = { network, warning, vpn, broken };

/** Names of the events a query selects, for compact assertions. */
function selected(query: string): string[] {
  const predicate = compileQuery(query);
  return Object.entries(ALL)
    .filter(([, event]) => predicate(event.document))
    .map(([name]) => name);
}

describe('filter query: terms', () => {
  it('field:value is exact and case-sensitive', () => {
    expect(selected('event.action:connection-accepted')).toEqual(['network']);
    expect(selected('event.action:Connection-Accepted')).toEqual([]);
    expect(selected('event.action:connection')).toEqual([]);
  });

  it('quoted values may contain spaces, colons and a literal *', () => {
    expect(selected('message:"VPN connection attempt"')).toEqual(['vpn']);
    expect(selected('ems.dtime:"2026-12-01 07:30:13"')).toEqual(['warning']);
    expect(selected('message:"VPN*"')).toEqual([]);
    expect(compileQuery('message:"say \\"hi\\""')({ message: 'say "hi"' })).toBe(true);
  });

  it('bare values keep colons (IPv6, times) and match numbers and array elements', () => {
    expect(compileQuery('source.ip:fe80::1')({ source: { ip: 'fe80::1' } })).toBe(true);
    expect(selected('ems.srcport:54907')).toEqual(['network']);
    expect(selected('related.ip:203.0.113.20')).toEqual(['vpn']);
    expect(selected('event.category:session')).toEqual(['vpn']);
  });

  it('* wildcards at the end, the start, both; alone it means exists', () => {
    expect(selected('host.hostname:LAPTOP-*')).toEqual(['network']);
    expect(selected('host.hostname:*-air')).toEqual(['vpn']);
    expect(selected('host.os.full:*Windows*')).toEqual(['network']);
    expect(selected('destination.ip:*')).toEqual(['vpn']);
    // Inside a word `*` is a literal.
    expect(selected('host.hostname:LAPTOP*PXHFZ')).toEqual([]);
  });

  it('_exists_:field', () => {
    expect(selected('_exists_:source.port')).toEqual(['network']);
    expect(selected('_exists_:error.message')).toEqual(['broken']);
    expect(selected('_exists_:no.such.field')).toEqual([]);
  });

  it('raw names resolve like the index aliases: hostname → ems.hostname; user stays ECS', () => {
    expect(selected('hostname:Galaxy-*')).toEqual(['warning']);
    expect(selected('subtype:vpn')).toEqual(['vpn']);
    expect(selected('level:warning')).toEqual(['warning']);
    expect(selected('ems.user:oscar.larsen')).toEqual(['vpn']);
    expect(selected('user.name:oscar.larsen')).toEqual(['vpn']);
    // `user` has no alias (ECS owns it): it is an object, never equal to a name.
    expect(selected('user:oscar.larsen')).toEqual([]);
  });
});

describe('filter query: operators and precedence', () => {
  it('AND, OR, NOT', () => {
    expect(selected('subtype:vpn OR subtype:network')).toEqual(['network', 'vpn']);
    expect(selected('usingpolicy:Global AND level:warning')).toEqual(['warning']);
    expect(selected('NOT _exists_:ems')).toEqual(['broken']);
    expect(selected('NOT NOT subtype:vpn')).toEqual(['vpn']);
  });

  it('NOT binds tighter than AND, AND tighter than OR; parentheses override', () => {
    // a OR (b AND c)
    expect(selected('subtype:network OR usingpolicy:Global AND level:warning')).toEqual(['network', 'warning']);
    // (a OR b) AND c
    expect(selected('(subtype:network OR usingpolicy:Global) AND level:information')).toEqual(['network', 'vpn']);
    // (NOT a) AND b
    expect(selected('NOT subtype:vpn AND usingpolicy:Global')).toEqual(['warning']);
    expect(selected('NOT (subtype:vpn AND usingpolicy:Global)')).toEqual(['network', 'warning', 'broken']);
  });
});

describe('filter query: syntax errors name the position and what was expected', () => {
  const cases: [string, RegExp][] = [
    ['hostname:', /position 10: expected a value after 'hostname:', found end of query/],
    ['(subtype:vpn', /position 13: expected '\)', found end of query/],
    ['subtype:vpn level:warning', /position 13: expected AND, OR or the end of the query, found 'level'/],
    ['AND subtype:vpn', /position 1: expected a field name, 'NOT' or '\(', found 'AND'/],
    ['subtype:vpn OR', /position 15: expected a field name, 'NOT' or '\(', found end of query/],
    ['message:"open', /position 14: expected a closing '"', found end of query/],
    ['subtype vpn', /position 9: expected ':' after the field name 'subtype', found 'vpn'/],
    ['_exists_:(', /position 10: expected a field name after '_exists_:', found '\('/],
    ['a$b:c', /position 1: expected a field name/],
    ['   ', /position 1: expected a query, found an empty query/],
  ];
  for (const [query, message] of cases) {
    it(JSON.stringify(query), () => {
      expect(() => compileQuery(query)).toThrow(message);
    });
  }
});

describe('compileForwardFilter', () => {
  const pass = (spec: Parameters<typeof compileForwardFilter>[0]) => {
    const filter = compileForwardFilter(spec);
    return Object.entries(ALL)
      .filter(([, event]) => filter(event))
      .map(([name]) => name);
  };

  it('no conditions: everything passes, pipeline errors included', () => {
    expect(pass({})).toEqual(['network', 'warning', 'vpn', 'broken']);
  });

  it('categories and min_level; pipeline errors pass only when neither is set', () => {
    expect(pass({ categories: ['ems-vpn', 'ems-client'] })).toEqual(['warning', 'vpn']);
    expect(pass({ min_level: 'warning' })).toEqual(['warning']);
    expect(pass({ min_level: 'debug' })).toEqual(['network', 'warning', 'vpn']);
    expect(pass({ categories: [] })).toEqual(['network', 'warning', 'vpn', 'broken']);
  });

  it('the query applies to pipeline errors too, and all conditions must hold', () => {
    expect(pass({ query: 'NOT event.kind:pipeline_error' })).toEqual(['network', 'warning', 'vpn']);
    expect(pass({ query: 'event.kind:pipeline_error' })).toEqual(['broken']);
    expect(pass({ categories: ['ems-client', 'ems-network'], query: 'level:information' })).toEqual(['network']);
  });

  it('rejects an unknown min_level and a bad query at compile time', () => {
    expect(() => compileForwardFilter({ min_level: 'loud' as never })).toThrow(/unknown min_level 'loud'/);
    expect(() => compileForwardFilter({ query: 'a:b OR' })).toThrow(/position 7/);
  });
});

describe('RateLimiter', () => {
  it('lets the burst through at once, then paces at the rate (waits, never drops)', async () => {
    const limiter = new RateLimiter(50, 5);
    const start = performance.now();
    await limiter.take(5);
    expect(performance.now() - start).toBeLessThan(100);
    // 10 more at 50/s: about 200 ms. Generous bounds: never faster than the rate allows, and not absurdly slow.
    for (let i = 0; i < 10; i++) await limiter.take(1);
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a take larger than the burst is paced, not refused', async () => {
    const limiter = new RateLimiter(100, 10);
    const start = performance.now();
    await limiter.take(30); // 10 at once, then 20 at 100/s ≈ 200 ms
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(1500);
  });

  it('an abort rejects a waiting take with the signal reason, and later takes still work', async () => {
    const limiter = new RateLimiter(1, 1);
    await limiter.take(1);
    const controller = new AbortController();
    const waiting = limiter.take(1, controller.signal);
    setTimeout(() => controller.abort(new Error('stopping')), 20);
    await expect(waiting).rejects.toThrow('stopping');
    const fast = new RateLimiter(1000, 1);
    await expect(fast.take(1)).resolves.toBeUndefined();
  });

  it('rejects nonsense settings', () => {
    expect(() => new RateLimiter(0, 1)).toThrow(/eventsPerSecond/);
    expect(() => new RateLimiter(10, 0)).toThrow(/burst/);
  });
});
