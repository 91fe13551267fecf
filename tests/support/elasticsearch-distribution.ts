import { type CachedDistribution, ensureZipDistribution, type ZipDistributionSpec } from '../../app/opensearch/maven-distribution.js';

/**
 * The Elasticsearch the integration tests run. 8.15.0 runs on the Java 17 that CI installs (17 is the 8.x line's
 * minimum; 9.x needs 21), and the 8.19 client the sink uses speaks to it.
 */
export const ELASTICSEARCH_VERSION = '8.15.0';

/**
 * Elasticsearch's `integ-test-zip` from Maven Central, cached in `<cacheRoot>/elasticsearch/<version>` next to OpenSearch.
 * It is the server with only x-pack-core, x-pack-security, transport-netty4 and apm: no bundled JDK, and none of the
 * optional modules (no `GET /`, no `_data_stream` API, no built-in `logs-*-*` template).
 */
export const ELASTICSEARCH_DISTRIBUTION: ZipDistributionSpec = {
  product: 'Elasticsearch',
  group: 'org.elasticsearch.distribution.integ-test-zip',
  artifact: 'elasticsearch',
  cacheFolder: 'elasticsearch',
  essentialFiles: (version) => ['bin/elasticsearch', `lib/elasticsearch-${version}.jar`],
  fixes: {
    unfetchable: 'check that Maven Central is reachable (or a mirror in ~/.m2/settings.xml) and that the version exists',
    corrupt: 'remove the cached folder (<cacheRoot>/elasticsearch/<version>) and run the test again',
    incomplete: 'report this; try another Elasticsearch version',
  },
};

/** The cached distribution, fetched through mvn on first use (a clean CI machine, an empty ~/.m2). */
export function ensureElasticsearchDistribution(
  version = ELASTICSEARCH_VERSION,
  log: (line: string) => void = () => undefined,
): Promise<CachedDistribution> {
  return ensureZipDistribution(ELASTICSEARCH_DISTRIBUTION, { request: { kind: 'exact', version }, log });
}
