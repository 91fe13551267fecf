import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import extractZip from 'extract-zip';
import { ActionableError } from '../../platform/errors.js';
import { copyDependencies, ensureCached, type FetchOptions, findCached, type MavenCache, sha512Of, tailLines } from '../managed/maven.js';
import { cacheRoot } from '../managed/paths.js';
import type { VersionRequest } from '../managed/versions.js';

/**
 * A node distribution published on Maven Central as a zip (OpenSearch's and Elasticsearch's `integ-test-zip`): what
 * tells one product's artifact from another. The zip is `<artifact>-<version>.zip` and unpacks to `<artifact>-<version>/`.
 */
export interface ZipDistributionSpec {
  /** The product's name in messages. */
  product: string;
  group: string;
  artifact: string;
  /** The folder under the cache root that holds one folder per version. */
  cacheFolder: string;
  /** The files whose presence makes an unpacked folder a complete node (relative to its home). */
  essentialFiles(version: string): string[];
  /** What a user can do about each failure. */
  fixes: { unfetchable: string; corrupt: string; incomplete: string };
}

export interface CachedDistribution {
  version: string;
  /** The unpacked, read-only distribution (OPENSEARCH_HOME, ES_HOME). */
  home: string;
  sha512: string;
}

function isComplete(spec: ZipDistributionSpec, home: string, version: string): boolean {
  return spec.essentialFiles(version).every((file) => existsSync(join(home, file)));
}

/** A zip's unpacked node in `<cache>/<cacheFolder>/<version>/<artifact>-<version>`, the zip's sha512 in the manifest. */
function zipCache(spec: ZipDistributionSpec): MavenCache<CachedDistribution> {
  return {
    folder: spec.cacheFolder,
    entry(versionDir, manifest) {
      const home = join(versionDir, `${spec.artifact}-${manifest.version}`);
      return isComplete(spec, home, manifest.version) ? { version: manifest.version, home, sha512: manifest.sha512 } : undefined;
    },
    // Downloads through Maven (strict checksums), verifies the archive unpacks to a complete node.
    async stage(work, versionSpec, log) {
      const coordinates = `${spec.group}:${spec.artifact}:${versionSpec}:zip`;
      log(`fetching ${coordinates} from Maven Central with mvn ...`);
      const out = join(work, 'out');
      const result = await copyDependencies(
        work,
        spec.artifact,
        [{ group: spec.group, artifact: spec.artifact, version: versionSpec, type: 'zip' }],
        out,
        ['-DincludeTypes=zip'],
      );
      const zipPattern = new RegExp(`^${spec.artifact}-\\d+\\.\\d+\\.\\d+\\.zip$`);
      const zips = existsSync(out) ? (await readdir(out)).filter((f) => zipPattern.test(f)) : [];
      const zipName = zips[0];
      if (result.exitCode !== 0 || !zipName) {
        throw new ActionableError(`Maven could not fetch ${coordinates}`, spec.fixes.unfetchable, tailLines(result.output, 25));
      }
      const version = zipName.slice(`${spec.artifact}-`.length, -'.zip'.length);
      const zip = join(out, zipName);
      const sha512 = await sha512Of(zip);
      const staging = join(work, 'unpacked');
      try {
        await extractZip(zip, { dir: staging, defaultDirMode: 0o755, defaultFileMode: 0o644 });
      } catch (error) {
        throw new ActionableError(`the downloaded ${zipName} is corrupt: ${(error as Error).message}`, spec.fixes.corrupt);
      }
      if (!isComplete(spec, join(staging, `${spec.artifact}-${version}`), version)) {
        throw new ActionableError(
          `${zipName} does not contain a complete ${spec.product} node (${spec.essentialFiles(version).join(', ')})`,
          spec.fixes.incomplete,
        );
      }
      return {
        folder: staging,
        version,
        sha512,
        details: { artifact: `${spec.group}:${spec.artifact}:${version}:zip` },
        summary: `${spec.product} ${version} verified (sha512 ${sha512.slice(0, 16)}...)`,
      };
    },
  };
}

/** The newest verified distribution in the cache that satisfies the request. */
export function findCachedZipDistribution(
  spec: ZipDistributionSpec,
  request: VersionRequest,
  cacheDir = cacheRoot(),
): Promise<CachedDistribution | undefined> {
  return findCached(zipCache(spec), request, cacheDir);
}

/** Returns a cached distribution satisfying the request, fetching it once if needed. */
export function ensureZipDistribution(spec: ZipDistributionSpec, options: FetchOptions): Promise<CachedDistribution> {
  return ensureCached(zipCache(spec), options);
}
