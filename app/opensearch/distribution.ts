import type { FetchOptions } from '../managed/maven.js';
import { cacheRoot } from '../managed/paths.js';
import type { VersionRequest } from '../managed/versions.js';
import {
  type CachedDistribution,
  ensureZipDistribution,
  findCachedZipDistribution,
  type ZipDistributionSpec,
} from './maven-distribution.js';
import { DISTRIBUTION_ARTIFACT, DISTRIBUTION_GROUP } from './versions.js';

/** A cached OpenSearch; `home` is OPENSEARCH_HOME. */
export type Distribution = CachedDistribution;

/** OpenSearch's `integ-test-zip`, cached in `<cacheRoot>/opensearch/<version>`. */
export const OPENSEARCH_DISTRIBUTION: ZipDistributionSpec = {
  product: 'OpenSearch',
  group: DISTRIBUTION_GROUP,
  artifact: DISTRIBUTION_ARTIFACT,
  cacheFolder: 'opensearch',
  essentialFiles: (version) => ['bin/opensearch', `lib/opensearch-${version}.jar`],
  fixes: {
    unfetchable:
      'check that Maven Central is reachable (or a mirror in ~/.m2/settings.xml) and that the version exists; or set OPENSEARCH_URL to an existing cluster',
    corrupt: 'run `fortiems opensearch fetch --refresh`',
    incomplete: 'report this; try another --version',
  },
};

/** The newest verified distribution in the cache that satisfies the request. */
export function findCachedDistribution(request: VersionRequest, cacheDir = cacheRoot()): Promise<Distribution | undefined> {
  return findCachedZipDistribution(OPENSEARCH_DISTRIBUTION, request, cacheDir);
}

/** Returns a cached distribution satisfying the request, fetching it once if needed. */
export function ensureDistribution(options: FetchOptions): Promise<Distribution> {
  return ensureZipDistribution(OPENSEARCH_DISTRIBUTION, options);
}
