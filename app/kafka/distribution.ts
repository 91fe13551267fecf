import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { newestCached, resolverPom, runMaven, tailLines } from '../managed/maven.js';
import { cacheRoot } from '../managed/paths.js';
import { mavenVersionSpec, type VersionRequest } from '../managed/versions.js';

/**
 * Kafka publishes no server distribution on Maven Central, but the broker is a jar (`kafka_2.13`) whose runtime
 * dependencies are the rest of the tarball's libs/: Maven resolves them, and `java -cp 'libs/*' kafka.Kafka` runs it.
 * 4.1.1: a 4.x release (KRaft only, Java 17) that the pinned @platformatic/kafka 1.x is tested against.
 */
export const DEFAULT_KAFKA_VERSION_TEXT = '4.1.1';
export const DEFAULT_KAFKA_VERSION: VersionRequest = { kind: 'exact', version: DEFAULT_KAFKA_VERSION_TEXT };
export const KAFKA_GROUP = 'org.apache.kafka';
export const KAFKA_ARTIFACT = 'kafka_2.13';
/**
 * The broker logs through SLF4J 1.x; without a binding it would log nothing at all, and start-up failures would be
 * mute. The tarball ships log4j2's binding; this is the one matching the log4j2 core that kafka_2.13 depends on.
 */
const SLF4J_BINDING = { group: 'org.apache.logging.log4j', artifact: 'log4j-slf4j-impl', version: '2.24.3' };

export interface KafkaDistribution {
  version: string;
  /** The folder of jars: the broker runs with `-cp '<libs>/*'`. */
  libs: string;
  /** sha512 over the sorted jar names and their own sha512s: one figure that says the cache is unchanged. */
  sha512: string;
}

export interface FetchOptions {
  request?: VersionRequest;
  refresh?: boolean;
  cacheDir?: string;
  log?: (line: string) => void;
}

interface Manifest {
  version: string;
  sha512: string;
  jars: Record<string, string>;
  fetchedAt: string;
}

const MANIFEST = 'fortiems-manifest.json';

/** The jars whose presence makes a libs folder a broker: the server, the KRaft storage tool, the client protocol. */
export function essentialJars(version: string): string[] {
  return [`kafka_2.13-${version}.jar`, `kafka-server-${version}.jar`, `kafka-clients-${version}.jar`, `kafka-raft-${version}.jar`];
}

async function readManifest(versionDir: string): Promise<KafkaDistribution | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(versionDir, MANIFEST), 'utf8')) as Manifest;
    const libs = join(versionDir, 'libs');
    if (!essentialJars(manifest.version).every((jar) => existsSync(join(libs, jar)))) return undefined;
    return { version: manifest.version, libs, sha512: manifest.sha512 };
  } catch {
    return undefined;
  }
}

async function sha512Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function findCachedKafka(
  request: VersionRequest = DEFAULT_KAFKA_VERSION,
  cacheDir = cacheRoot(),
): Promise<KafkaDistribution | undefined> {
  return newestCached(join(cacheDir, 'kafka'), request, readManifest);
}

async function fetchWithMaven(request: VersionRequest, cacheDir: string, log: (line: string) => void): Promise<KafkaDistribution> {
  const root = join(cacheDir, 'kafka');
  await mkdir(root, { recursive: true, mode: 0o755 });
  // The broker runs as an unprivileged user when we are root: it must be able to traverse the cache.
  await chmod(cacheDir, 0o755).catch(() => undefined);
  await chmod(root, 0o755).catch(() => undefined);
  const work = await mkdtemp(join(root, '.fetch-'));
  try {
    const versionSpec = mavenVersionSpec(request);
    const coordinates = `${KAFKA_GROUP}:${KAFKA_ARTIFACT}:${versionSpec}`;
    log(`fetching ${coordinates} and its runtime dependencies from Maven Central with mvn ...`);
    await writeFile(
      join(work, 'pom.xml'),
      resolverPom('kafka', [{ group: KAFKA_GROUP, artifact: KAFKA_ARTIFACT, version: versionSpec }, SLF4J_BINDING]),
    );
    const staging = join(work, 'staged');
    const libs = join(staging, 'libs');
    // -C: a checksum mismatch fails the download instead of warning.
    const result = await runMaven(
      ['-C', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
      work,
    );
    const jarPattern = new RegExp(`^${KAFKA_ARTIFACT.replace('.', '\\.')}-(\\d+\\.\\d+\\.\\d+)\\.jar$`);
    const jars = existsSync(libs) ? (await readdir(libs)).filter((f) => f.endsWith('.jar')).sort() : [];
    const version = jars.map((f) => jarPattern.exec(f)?.[1]).find(Boolean);
    if (result.exitCode !== 0 || !version) {
      throw new ActionableError(
        `Maven could not fetch ${coordinates}`,
        'check that Maven Central is reachable (or a mirror in ~/.m2/settings.xml) and that the version exists; or set KAFKA_BROKERS to an existing cluster',
        tailLines(result.output, 25),
      );
    }
    const missing = essentialJars(version).filter((jar) => !jars.includes(jar));
    if (missing.length > 0) {
      throw new ActionableError(`Kafka ${version}'s dependencies lack ${missing.join(', ')}`, 'report this; try another --version');
    }
    const hashes: Record<string, string> = {};
    for (const jar of jars) {
      hashes[jar] = await sha512Of(join(libs, jar));
      await chmod(join(libs, jar), 0o644);
    }
    await chmod(libs, 0o755);
    const sha512 = createHash('sha512')
      .update(jars.map((jar) => `${jar} ${hashes[jar]}`).join('\n'))
      .digest('hex');
    await writeFile(
      join(staging, MANIFEST),
      `${JSON.stringify({ version, sha512, jars: hashes, fetchedAt: new Date().toISOString() } satisfies Manifest, null, 2)}\n`,
    );
    const target = join(root, version);
    // Another process may have cached the same version meanwhile: keep its copy.
    const already = await readManifest(target);
    if (already) return already;
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    await chmod(target, 0o755);
    log(`Kafka ${version} (${jars.length} jars, sha512 ${sha512.slice(0, 16)}...) cached in ${target}`);
    const cached = await readManifest(target);
    if (!cached) throw new Error(`cache entry ${target} is incomplete right after copying`);
    return cached;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Returns the cached broker jars satisfying the request, fetching them once if needed. */
export async function ensureKafka(options: FetchOptions = {}): Promise<KafkaDistribution> {
  const request = options.request ?? DEFAULT_KAFKA_VERSION;
  const cacheDir = options.cacheDir ?? cacheRoot();
  if (!options.refresh) {
    const cached = await findCachedKafka(request, cacheDir);
    if (cached) return cached;
  }
  return fetchWithMaven(request, cacheDir, options.log ?? (() => undefined));
}
