import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { cacheRoot } from './paths.js';
import { compareVersions, matchesRequest, mavenVersionSpec, type VersionRequest } from './versions.js';

export interface MavenResult {
  exitCode: number;
  output: string;
}

/** Runs `mvn` in batch mode and collects its output; a missing `mvn` becomes an actionable error. */
export function runMaven(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<MavenResult> {
  const mvn = env.FORTIEMS_MVN || 'mvn';
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, ['-B', '--no-transfer-progress', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new ActionableError(
            `Maven (${mvn}) is not installed; it is needed once, to fetch OpenSearch or Kafka from Maven Central`,
            'install it (Debian: apt-get install maven), or point fortiems at existing servers (OPENSEARCH_URL, KAFKA_BROKERS)',
          ),
        );
      } else reject(error);
    });
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

export function tailLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export interface MavenDependency {
  group: string;
  artifact: string;
  /** An exact version or a Maven range (`[4.1.0,4.2.0)`). */
  version: string;
  type?: string;
}

/**
 * A throwaway project whose only job is to let Maven resolve versions (ranges too) and copy artifacts with
 * `dependency:copy-dependencies`; the plugin version is pinned so every machine resolves the same way.
 */
export function resolverPom(name: string, dependencies: MavenDependency[]): string {
  const entries = dependencies
    .map(
      (d) => `    <dependency>
      <groupId>${d.group}</groupId>
      <artifactId>${d.artifact}</artifactId>
      <version>${d.version}</version>${d.type ? `\n      <type>${d.type}</type>` : ''}
    </dependency>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>fortiems.local</groupId>
  <artifactId>${name}-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${entries}
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

/**
 * The cache keeps one folder per version under `root`; `read` says whether a folder holds a complete, verified entry.
 * Returns the newest entry that satisfies the request.
 */
export async function newestCached<T>(
  root: string,
  request: VersionRequest,
  read: (versionDir: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!existsSync(root)) return undefined;
  const versions = (await readdir(root)).filter((name) => /^\d+\.\d+\.\d+$/.test(name) && matchesRequest(name, request));
  versions.sort(compareVersions).reverse();
  for (const version of versions) {
    const found = await read(join(root, version));
    if (found) return found;
  }
  return undefined;
}

/**
 * `dependency:copy-dependencies` of a resolver pom into `outputDirectory`; `-C`: a checksum mismatch fails the download
 * instead of warning.
 */
export async function copyDependencies(
  work: string,
  name: string,
  dependencies: MavenDependency[],
  outputDirectory: string,
  extraArgs: string[],
): Promise<MavenResult> {
  const pom = join(work, 'pom.xml');
  await writeFile(pom, resolverPom(name, dependencies));
  return runMaven(['-C', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDirectory}`, ...extraArgs], work);
}

export async function sha512Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface FetchOptions {
  request: VersionRequest;
  /** Ask Maven again even when a matching version is cached (a newer patch release may exist). */
  refresh?: boolean;
  cacheDir?: string;
  log?: (line: string) => void;
}

/** What a cache entry records about itself (`fortiems-manifest.json`), besides what each server adds. */
export interface Manifest {
  version: string;
  sha512: string;
  fetchedAt: string;
}

const MANIFEST = 'fortiems-manifest.json';

/** A fetch's result, complete and verified, in a folder under the fetch's work folder; it becomes the cache entry. */
export interface StagedEntry {
  folder: string;
  version: string;
  sha512: string;
  /** What the manifest records besides version, sha512 and time (the jars' hashes, the artifact's coordinates). */
  details: Record<string, unknown>;
  /** For the log line: what was cached, e.g. `Kafka 4.1.1 (46 jars, sha512 …)`. */
  summary: string;
}

/** A server fetched from Maven Central and cached per version: what differs between Kafka's jars and a node's zip. */
export interface MavenCache<T> {
  /** The folder under the cache root that holds one folder per version. */
  folder: string;
  /** The entry a version folder holds, given its manifest; undefined when the folder is not complete. */
  entry(versionDir: string, manifest: Manifest): T | undefined;
  /** Fetches with Maven into `work` (a fresh folder, removed afterwards); throws an ActionableError it cannot. */
  stage(work: string, versionSpec: string, log: (line: string) => void): Promise<StagedEntry>;
}

async function readEntry<T>(cache: MavenCache<T>, versionDir: string): Promise<T | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(versionDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  return cache.entry(versionDir, manifest);
}

/** The newest complete entry in the cache that satisfies the request. */
export function findCached<T>(cache: MavenCache<T>, request: VersionRequest, cacheDir = cacheRoot()): Promise<T | undefined> {
  return newestCached(join(cacheDir, cache.folder), request, (versionDir) => readEntry(cache, versionDir));
}

async function fetchIntoCache<T>(cache: MavenCache<T>, request: VersionRequest, cacheDir: string, log: (line: string) => void): Promise<T> {
  const root = join(cacheDir, cache.folder);
  await mkdir(root, { recursive: true, mode: 0o755 });
  // The server runs as an unprivileged user when we are root: it must be able to traverse the cache.
  await chmod(cacheDir, 0o755).catch(() => undefined);
  await chmod(root, 0o755).catch(() => undefined);
  const work = await mkdtemp(join(root, '.fetch-'));
  try {
    const staged = await cache.stage(work, mavenVersionSpec(request), log);
    const { version, sha512 } = staged;
    await writeFile(
      join(staged.folder, MANIFEST),
      `${JSON.stringify({ version, sha512, ...staged.details, fetchedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    const target = join(root, version);
    // Another process may have cached the same version meanwhile: keep its copy.
    const already = await readEntry(cache, target);
    if (already) return already;
    await rm(target, { recursive: true, force: true });
    await rename(staged.folder, target);
    await chmod(target, 0o755);
    log(`${staged.summary}, cached in ${target}`);
    const cached = await readEntry(cache, target);
    if (!cached) throw new Error(`cache entry ${target} is incomplete right after it was made`);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Returns a cached entry satisfying the request, fetching it once if needed. */
export async function ensureCached<T>(cache: MavenCache<T>, options: FetchOptions): Promise<T> {
  const cacheDir = options.cacheDir ?? cacheRoot();
  if (!options.refresh) {
    const cached = await findCached(cache, options.request, cacheDir);
    if (cached) return cached;
  }
  return fetchIntoCache(cache, options.request, cacheDir, options.log ?? (() => undefined));
}
