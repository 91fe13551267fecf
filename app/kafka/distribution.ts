import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import { copyDependencies, ensureCached, type FetchOptions, findCached, type MavenCache, sha512Of, tailLines } from '../managed/maven.js';
import { cacheRoot } from '../managed/paths.js';
import type { VersionRequest } from '../managed/versions.js';

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

/** The jars whose presence makes a libs folder a broker: the server, the KRaft storage tool, the client protocol. */
export function essentialJars(version: string): string[] {
  return [`kafka_2.13-${version}.jar`, `kafka-server-${version}.jar`, `kafka-clients-${version}.jar`, `kafka-raft-${version}.jar`];
}

/** Kafka's jars in `<cache>/kafka/<version>/libs`, with every jar's sha512 in the manifest. */
const KAFKA_CACHE: MavenCache<KafkaDistribution> = {
  folder: 'kafka',
  entry(versionDir, manifest) {
    const libs = join(versionDir, 'libs');
    if (!essentialJars(manifest.version).every((jar) => existsSync(join(libs, jar)))) return undefined;
    return { version: manifest.version, libs, sha512: manifest.sha512 };
  },
  async stage(work, versionSpec, log) {
    const coordinates = `${KAFKA_GROUP}:${KAFKA_ARTIFACT}:${versionSpec}`;
    log(`fetching ${coordinates} and its runtime dependencies from Maven Central with mvn ...`);
    const staging = join(work, 'staged');
    const libs = join(staging, 'libs');
    const result = await copyDependencies(
      work,
      'kafka',
      [{ group: KAFKA_GROUP, artifact: KAFKA_ARTIFACT, version: versionSpec }, SLF4J_BINDING],
      libs,
      ['-DincludeScope=runtime'],
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
    return {
      folder: staging,
      version,
      sha512,
      details: { jars: hashes },
      summary: `Kafka ${version} (${jars.length} jars, sha512 ${sha512.slice(0, 16)}...)`,
    };
  },
};

export function findCachedKafka(
  request: VersionRequest = DEFAULT_KAFKA_VERSION,
  cacheDir = cacheRoot(),
): Promise<KafkaDistribution | undefined> {
  return findCached(KAFKA_CACHE, request, cacheDir);
}

/** Returns the cached broker jars satisfying the request, fetching them once if needed. */
export function ensureKafka(options: Partial<FetchOptions> = {}): Promise<KafkaDistribution> {
  return ensureCached(KAFKA_CACHE, { ...options, request: options.request ?? DEFAULT_KAFKA_VERSION });
}
