import type { VersionRequest } from '../managed/versions.js';

export const DISTRIBUTION_GROUP = 'org.opensearch.distribution.integ-test-zip';
export const DISTRIBUTION_ARTIFACT = 'opensearch';

/** 2.19.x runs on Java 17; the 3.x line needs Java 21. */
export function defaultVersionRequest(javaMajor: number): VersionRequest {
  return javaMajor >= 21 ? { kind: 'line', line: '3' } : { kind: 'line', line: '2.19' };
}
