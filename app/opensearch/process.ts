import { isProcessAlive } from '../managed/process.js';

/** True while this pid is a live OpenSearch (not a recycled pid). */
export function isOpenSearchAlive(pid: number): boolean {
  return isProcessAlive(pid, ['org.opensearch.bootstrap.OpenSearch', 'bin/opensearch']);
}
