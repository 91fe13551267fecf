import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isOpenSearchAlive } from '../../app/opensearch/process.js';
import { provideOpenSearch } from '../../app/opensearch/target.js';
import { nodeUrls } from '../../platform/opensearch/target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The first node: what tests that talk to one node use. */
    opensearchUrl: string;
    /** Every node (OPENSEARCH_URL may list several of one cluster); `[opensearchUrl]` for a single node. */
    opensearchUrls: string[];
    opensearchSource: string;
    /** The managed node's instance folder (tests that stop and restart OpenSearch need it); '' for other sources. */
    opensearchInstanceDir: string;
  }
}

/** Live OpenSearch processes whose environment names this instance folder (OPENSEARCH_PATH_CONF points inside it). */
export function openSearchProcessesUsing(instanceDir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return isOpenSearchAlive(pid) && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(instanceDir);
      } catch {
        return false;
      }
    });
}

/**
 * One real OpenSearch for the whole integration run: OPENSEARCH_URL (one node or a comma-separated list) if set, testcontainers when a Docker engine
 * answers, otherwise a managed local node on a free port in a throwaway folder, stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const instanceDir = mkdtempSync(join(tmpdir(), 'fortiems-it-opensearch-'));
  const opensearch = await provideOpenSearch({ instanceDir, port: 0, heap: '1g', allowTestcontainers: true, log: (l) => console.log(l) });
  project.provide('opensearchUrl', opensearch.url);
  project.provide('opensearchUrls', nodeUrls(opensearch));
  project.provide('opensearchSource', opensearch.source);
  project.provide('opensearchInstanceDir', opensearch.source === 'managed' ? instanceDir : '');
  return async () => {
    await opensearch.release();
    const leftovers = openSearchProcessesUsing(instanceDir);
    rmSync(instanceDir, { recursive: true, force: true });
    if (leftovers.length > 0) throw new Error(`OpenSearch processes left behind: ${leftovers.join(', ')}`);
  };
}
