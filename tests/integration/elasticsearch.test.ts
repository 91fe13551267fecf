import { afterAll, beforeAll } from 'vitest';
import { type ElasticsearchNode, startElasticsearchNode } from '../support/elasticsearch-node.js';
import { deadLetterReplayTests } from './elasticsearch/dead-letter-replay.js';
import { sinkTests } from './elasticsearch/sink.js';

/**
 * Everything that needs the real Elasticsearch (Maven Central's integ-test-zip), on one node: starting one takes tens
 * of seconds, so the files in elasticsearch/ share it. Their namespaces are distinct, so they meet no other's data.
 */
let node: ElasticsearchNode | undefined;

beforeAll(async () => {
  node = await startElasticsearchNode({ heap: '512m', log: (line) => console.log(line) });
});

afterAll(async () => {
  // Throws when any of the node's processes outlives SIGKILL.
  await node?.stop();
});

const nodeOf = (): ElasticsearchNode => {
  if (!node) throw new Error('the Elasticsearch node did not start');
  return node;
};

sinkTests(nodeOf);
deadLetterReplayTests(nodeOf);
