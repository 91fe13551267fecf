import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import extractZip from 'extract-zip';
import { ActionableError } from '../errors.js';
import { runMaven, tailLines } from './maven.js';
import { cacheRoot } from './paths.js';
import {
  compareVersions,
  DISTRIBUTION_ARTIFACT,
  DISTRIBUTION_GROUP,
  matchesRequest,
  mavenVersionSpec,
  type VersionRequest,
} from './versions.js';

export interface Distribution {
  version: string;
  /** OPENSEARCH_HOME: the unpacked, read-only distribution. */
  home: string;
  sha512: string;
}

interface Manifest {
  version: string;
  sha512: string;
  artifact: string;
  fetchedAt: string;
}

const MANIFEST = 'fortiems-manifest.json';

export interface FetchOptions {
  request: VersionRequest;
  /** Ask Maven again even when a matching version is cached (a newer patch release may exist). */
  refresh?: boolean;
  cacheDir?: string;
  log?: (line: string) => void;
}

function distributionsDir(cacheDir: string): string {
  return join(cacheDir, 'opensearch');
}

async function readManifest(versionDir: string): Promise<Distribution | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(versionDir, MANIFEST), 'utf8')) as Manifest;
    const home = join(versionDir, `opensearch-${manifest.version}`);
    if (!isCompleteDistribution(home, manifest.version)) return undefined;
    return { version: manifest.version, home, sha512: manifest.sha512 };
  } catch {
    return undefined;
  }
}

function isCompleteDistribution(home: string, version: string): boolean {
  return existsSync(join(home, 'bin', 'opensearch')) && existsSync(join(home, 'lib', `opensearch-${version}.jar`));
}

/** The newest verified distribution in the cache that satisfies the request. */
export async function findCachedDistribution(request: VersionRequest, cacheDir = cacheRoot()): Promise<Distribution | undefined> {
  const root = distributionsDir(cacheDir);
  if (!existsSync(root)) return undefined;
  const versions = (await readdir(root)).filter((name) => /^\d+\.\d+\.\d+$/.test(name) && matchesRequest(name, request));
  versions.sort(compareVersions).reverse();
  for (const version of versions) {
    const found = await readManifest(join(root, version));
    if (found) return found;
  }
  return undefined;
}

async function sha512Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function resolverPom(spec: string): string {
  // A throwaway project whose only job is to let Maven resolve a version range and copy the zip.
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>fortiems.local</groupId>
  <artifactId>opensearch-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${DISTRIBUTION_GROUP}</groupId>
      <artifactId>${DISTRIBUTION_ARTIFACT}</artifactId>
      <version>${spec}</version>
      <type>zip</type>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

/** Downloads through Maven (strict checksums), verifies the archive unpacks to a complete node, caches it. */
async function fetchWithMaven(request: VersionRequest, cacheDir: string, log: (line: string) => void): Promise<Distribution> {
  const root = distributionsDir(cacheDir);
  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(cacheDir, 0o755).catch(() => undefined);
  await chmod(root, 0o755).catch(() => undefined);
  const work = await mkdtemp(join(root, '.fetch-'));
  try {
    const spec = mavenVersionSpec(request);
    const coordinates = `${DISTRIBUTION_GROUP}:${DISTRIBUTION_ARTIFACT}:${spec}:zip`;
    log(`fetching ${coordinates} from Maven Central with mvn ...`);
    await writeFile(join(work, 'pom.xml'), resolverPom(spec));
    const out = join(work, 'out');
    const result = await runMaven(
      ['-C', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${out}`, '-DincludeTypes=zip'],
      work,
    );
    const zips = existsSync(out) ? (await readdir(out)).filter((f) => /^opensearch-\d+\.\d+\.\d+\.zip$/.test(f)) : [];
    const zipName = zips[0];
    if (result.exitCode !== 0 || !zipName) {
      throw new ActionableError(
        `Maven could not fetch ${coordinates}`,
        'check that Maven Central is reachable (or a mirror in ~/.m2/settings.xml) and that the version exists; or set OPENSEARCH_URL to an existing cluster',
        tailLines(result.output, 25),
      );
    }
    const version = zipName.slice('opensearch-'.length, -'.zip'.length);
    const zip = join(out, zipName);
    const sha512 = await sha512Of(zip);
    const staging = join(work, 'unpacked');
    try {
      await extractZip(zip, { dir: staging, defaultDirMode: 0o755, defaultFileMode: 0o644 });
    } catch (error) {
      throw new ActionableError(
        `the downloaded ${zipName} is corrupt: ${(error as Error).message}`,
        'run `fortiems opensearch fetch --refresh`',
      );
    }
    const home = join(staging, `opensearch-${version}`);
    if (!isCompleteDistribution(home, version)) {
      throw new ActionableError(
        `${zipName} does not contain an OpenSearch node (bin/opensearch, lib/opensearch-${version}.jar)`,
        'report this; try another --version',
      );
    }
    await writeFile(
      join(staging, MANIFEST),
      `${JSON.stringify({ version, sha512, artifact: `${DISTRIBUTION_GROUP}:${DISTRIBUTION_ARTIFACT}:${version}:zip`, fetchedAt: new Date().toISOString() } satisfies Manifest, null, 2)}\n`,
    );
    const target = join(root, version);
    const already = await readManifest(target);
    if (already) return already;
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    await chmod(target, 0o755);
    log(`OpenSearch ${version} verified (sha512 ${sha512.slice(0, 16)}...) and cached in ${target}`);
    const cached = await readManifest(target);
    if (!cached) throw new Error(`cache entry ${target} is incomplete right after unpacking`);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Returns a cached distribution satisfying the request, fetching it once if needed. */
export async function ensureDistribution(options: FetchOptions): Promise<Distribution> {
  const cacheDir = options.cacheDir ?? cacheRoot();
  const log = options.log ?? (() => undefined);
  if (!options.refresh) {
    const cached = await findCachedDistribution(options.request, cacheDir);
    if (cached) return cached;
  }
  return fetchWithMaven(options.request, cacheDir, log);
}
