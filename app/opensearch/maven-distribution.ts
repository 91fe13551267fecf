import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import extractZip from 'extract-zip';
import { ActionableError } from '../../platform/errors.js';
import { newestCached, resolverPom, runMaven, tailLines } from '../managed/maven.js';
import { cacheRoot } from '../managed/paths.js';
import { mavenVersionSpec, type VersionRequest } from '../managed/versions.js';

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

export interface FetchOptions {
  request: VersionRequest;
  /** Ask Maven again even when a matching version is cached (a newer patch release may exist). */
  refresh?: boolean;
  cacheDir?: string;
  log?: (line: string) => void;
}

interface Manifest {
  version: string;
  sha512: string;
  artifact: string;
  fetchedAt: string;
}

const MANIFEST = 'fortiems-manifest.json';

function isComplete(spec: ZipDistributionSpec, home: string, version: string): boolean {
  return spec.essentialFiles(version).every((file) => existsSync(join(home, file)));
}

async function readManifest(spec: ZipDistributionSpec, versionDir: string): Promise<CachedDistribution | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(versionDir, MANIFEST), 'utf8')) as Manifest;
    const home = join(versionDir, `${spec.artifact}-${manifest.version}`);
    if (!isComplete(spec, home, manifest.version)) return undefined;
    return { version: manifest.version, home, sha512: manifest.sha512 };
  } catch {
    return undefined;
  }
}

/** The newest verified distribution in the cache that satisfies the request. */
export function findCachedZipDistribution(
  spec: ZipDistributionSpec,
  request: VersionRequest,
  cacheDir = cacheRoot(),
): Promise<CachedDistribution | undefined> {
  return newestCached(join(cacheDir, spec.cacheFolder), request, (versionDir) => readManifest(spec, versionDir));
}

async function sha512Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Downloads through Maven (strict checksums), verifies the archive unpacks to a complete node, caches it. */
async function fetchWithMaven(
  spec: ZipDistributionSpec,
  request: VersionRequest,
  cacheDir: string,
  log: (line: string) => void,
): Promise<CachedDistribution> {
  const root = join(cacheDir, spec.cacheFolder);
  await mkdir(root, { recursive: true, mode: 0o755 });
  // The node runs as an unprivileged user when we are root: it must be able to traverse the cache.
  await chmod(cacheDir, 0o755).catch(() => undefined);
  await chmod(root, 0o755).catch(() => undefined);
  const work = await mkdtemp(join(root, '.fetch-'));
  try {
    const versionSpec = mavenVersionSpec(request);
    const coordinates = `${spec.group}:${spec.artifact}:${versionSpec}:zip`;
    log(`fetching ${coordinates} from Maven Central with mvn ...`);
    await writeFile(
      join(work, 'pom.xml'),
      resolverPom(spec.artifact, [{ group: spec.group, artifact: spec.artifact, version: versionSpec, type: 'zip' }]),
    );
    const out = join(work, 'out');
    const result = await runMaven(
      ['-C', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${out}`, '-DincludeTypes=zip'],
      work,
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
    const home = join(staging, `${spec.artifact}-${version}`);
    if (!isComplete(spec, home, version)) {
      throw new ActionableError(
        `${zipName} does not contain a complete ${spec.product} node (${spec.essentialFiles(version).join(', ')})`,
        spec.fixes.incomplete,
      );
    }
    await writeFile(
      join(staging, MANIFEST),
      `${JSON.stringify({ version, sha512, artifact: `${spec.group}:${spec.artifact}:${version}:zip`, fetchedAt: new Date().toISOString() } satisfies Manifest, null, 2)}\n`,
    );
    const target = join(root, version);
    // Another process may have cached the same version meanwhile: keep its copy.
    const already = await readManifest(spec, target);
    if (already) return already;
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    await chmod(target, 0o755);
    log(`${spec.product} ${version} verified (sha512 ${sha512.slice(0, 16)}...) and cached in ${target}`);
    const cached = await readManifest(spec, target);
    if (!cached) throw new Error(`cache entry ${target} is incomplete right after unpacking`);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Returns a cached distribution satisfying the request, fetching it once if needed. */
export async function ensureZipDistribution(spec: ZipDistributionSpec, options: FetchOptions): Promise<CachedDistribution> {
  const cacheDir = options.cacheDir ?? cacheRoot();
  const log = options.log ?? (() => undefined);
  if (!options.refresh) {
    const cached = await findCachedZipDistribution(spec, options.request, cacheDir);
    if (cached) return cached;
  }
  return fetchWithMaven(spec, options.request, cacheDir, log);
}
