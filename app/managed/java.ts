import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';

export interface JavaRuntime {
  /** The folder given to the server as its Java home (OPENSEARCH_JAVA_HOME, JAVA_HOME). */
  home: string;
  major: number;
  version: string;
}

/** OpenSearch 2.19 and the Kafka 4.x broker both need Java 17. */
export const MINIMUM_JAVA_MAJOR = 17;

/** Parses the `-XshowSettings:properties` dump that `java -version` writes to stderr. */
export function parseJavaProperties(output: string): { home: string; version: string; major: number } | undefined {
  const property = (name: string) => output.match(new RegExp(`^\\s*${name.replace('.', '\\.')} = (.*)$`, 'm'))?.[1]?.trim();
  const version = property('java.version');
  const home = property('java.home');
  if (!version || !home) return undefined;
  return { home, version, major: javaMajor(version) };
}

/** "1.8.0_392" → 8, "17.0.15" → 17, "21" → 21. */
export function javaMajor(version: string): number {
  const [first, second] = version.split(/[.+_-]/);
  const major = Number(first === '1' ? second : first);
  return Number.isFinite(major) ? major : 0;
}

/** `OPENSEARCH_JAVA_HOME` (OpenSearch's own variable, kept for both), `JAVA_HOME`, then `java` on PATH. */
export function detectJava(env: NodeJS.ProcessEnv = process.env): JavaRuntime {
  const candidates = [env.OPENSEARCH_JAVA_HOME, env.JAVA_HOME].filter((h): h is string => Boolean(h)).map((h) => join(h, 'bin', 'java'));
  candidates.push('java');
  const elsewhere = 'or point fortiems at existing servers (OPENSEARCH_URL, KAFKA_BROKERS)';
  for (const java of candidates) {
    // `java -version` writes the properties dump to stderr.
    const run = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', env });
    if (run.error) continue;
    const output = `${run.stdout}${run.stderr}`;
    const parsed = parseJavaProperties(output);
    if (!parsed) continue;
    if (parsed.major < MINIMUM_JAVA_MAJOR) {
      throw new ActionableError(
        `Java ${parsed.version} at ${parsed.home} is too old: OpenSearch 2.19 and Kafka 4 need Java ${MINIMUM_JAVA_MAJOR} or newer`,
        `install Java 17+ (Debian: apt-get install openjdk-17-jre-headless) and point JAVA_HOME at it, ${elsewhere}`,
      );
    }
    return { home: parsed.home, version: parsed.version, major: parsed.major };
  }
  throw new ActionableError(
    'no Java runtime found (looked at OPENSEARCH_JAVA_HOME, JAVA_HOME and `java` on PATH)',
    `install Java 17+ (Debian: apt-get install openjdk-17-jre-headless), ${elsewhere}`,
  );
}
