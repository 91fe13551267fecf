/**
 * npm run bench:geoip — what the shipped GeoIP databases cost to load and hold, how fast a lookup is, and what
 * the event id costs. Prints figures; asserts nothing (timing belongs in benchmarks, not tests).
 * The script runs node with --expose-gc so that the memory figures are settled (the CSV buffers are gone).
 */
import { createHash, hash } from 'node:crypto';
import { GeoIp, loadShippedGeoIpDatabases } from '../../ingest/enrich/geoip.js';
import { isPublicIp } from '../../ingest/enrich/public-ip.js';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_000_000);
const MiB = 1048576;

/** A deterministic spread of addresses (xorshift), so runs compare. */
function addresses(count: number): { v4: string[]; v6: string[] } {
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const v4: string[] = [];
  const v6: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = next();
    v4.push(`${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`);
  }
  for (let i = 0; i < Math.min(count, 100_000); i++) {
    // Global unicast 2000::/3 with a random /48: where real IPv6 traffic comes from.
    v6.push(`2${(next() & 0x3ff).toString(16).padStart(3, '0')}:${(next() & 0xffff).toString(16)}:${(next() & 0xffff).toString(16)}::1`);
  }
  return { v4, v6 };
}

function memory(): { rss: number; heap: number; external: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const usage = process.memoryUsage();
  // `external` includes the ArrayBuffers (the mmdb file, the range arrays).
  return { rss: usage.rss, heap: usage.heapUsed, external: usage.external };
}

function perSecond(label: string, count: number, run: () => number): void {
  const started = process.hrtime.bigint();
  const found = run();
  const nanoseconds = Number(process.hrtime.bigint() - started);
  console.log(
    `${label.padEnd(52)} ${Math.round((count / nanoseconds) * 1e9)
      .toLocaleString('en')
      .padStart(11)} /s  ${(nanoseconds / count / 1000).toFixed(2).padStart(6)} µs each  (${found.toLocaleString('en')} answered)`,
  );
}

console.log(`GeoIP: DB-IP country (mmdb) + ip-location-db ASN ranges; Node ${process.version}, one core`);
const { v4, v6 } = addresses(LOOKUPS);
const before = memory();
const loadStarted = process.hrtime.bigint();
const databases = loadShippedGeoIpDatabases();
const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;
const after = memory();
const stats = databases.asn.stats();
console.log(
  `load: ${loadMs.toFixed(0)} ms; country mmdb ${(databases.country.bytes / MiB).toFixed(1)} MiB (built ${databases.country.builtAt.toISOString().slice(0, 10)}); ` +
    `ASN ${stats.ipv4Ranges.toLocaleString('en')} IPv4 + ${stats.ipv6Ranges.toLocaleString('en')} IPv6 ranges, ${stats.systems.toLocaleString('en')} systems, ` +
    `${(stats.rangeBytes / MiB).toFixed(1)} MiB of range arrays`,
);
console.log(
  `memory held after load: rss +${((after.rss - before.rss) / MiB).toFixed(0)} MiB, heap +${((after.heap - before.heap) / MiB).toFixed(0)} MiB, ` +
    `external (buffers, typed arrays) +${((after.external - before.external) / MiB).toFixed(0)} MiB${globalThis.gc ? '' : ' (run with --expose-gc for settled figures)'}`,
);

const geoip = new GeoIp(() => databases);
let sink = 0;
perSecond('isPublicIp (random IPv4)', v4.length, () => v4.reduce((count, ip) => count + (isPublicIp(ip) ? 1 : 0), 0));
perSecond('country only (mmdb, random IPv4)', v4.length, () => {
  let found = 0;
  for (const ip of v4) if (databases.country.lookup(ip) !== undefined) found++;
  return found;
});
perSecond('GeoIp.lookup: country + AS (random IPv4)', v4.length, () => {
  let found = 0;
  for (const ip of v4) if (geoip.lookup(ip)?.as) found++;
  return found;
});
perSecond('GeoIp.lookup: country + AS (random IPv6)', v6.length, () => {
  let found = 0;
  for (const ip of v6) if (geoip.lookup(ip)?.country) found++;
  return found;
});
perSecond('enrichDocument (public source, private destination)', v4.length, () => {
  let found = 0;
  for (const ip of v4) if (geoip.enrichDocument({ source: { ip }, destination: { ip: '10.0.0.1' } })) found++;
  return found;
});

const line =
  '<134>Nov 23 08:00:00 ems01 ems-client: dtime="2026-11-23 08:00:00" type=event subtype=admin level=information devid=FCTXY25PMDZFNFE2 uid=9C2DF0B55B1DB5CDCE8B75DAD09A7640 hostname="LAPTOP-55PXHFZ" user="jamal.muller" deviceip=10.10.32.23 devicemac=00-b4-35-39-ba-58 emsserial=FCTEMS8883780002 os="Microsoft Windows 11 Professional Edition, 64-bit (build 22631)" msg="online" usingpolicy="Legal-Policy" emshostname="ems01.corp.example.com" vd="default"';
const ids = Math.min(LOOKUPS, 300_000);
console.log(`event id over a ${line.length}-byte line:`);
for (const algorithm of ['sha256', 'sha1'] as const) {
  perSecond(`  crypto.hash('${algorithm}')${algorithm === 'sha256' ? ' (the one used)' : ''}`, ids, () => {
    for (let i = 0; i < ids; i++) sink += hash(algorithm, `fortiems.client\n${line}${i}`, 'base64url').length;
    return ids;
  });
  perSecond(`  createHash('${algorithm}')`, ids, () => {
    for (let i = 0; i < ids; i++) sink += createHash(algorithm).update(`fortiems.client\n${line}${i}`).digest('base64url').length;
    return ids;
  });
}
if (sink < 0) console.log(sink);
