import { INDEX_REF_NAME } from './saved-object.js';

/** `kibanaSavedObjectMeta.searchSourceJSON` for a Lucene query over the index pattern referenced as INDEX_REF_NAME. */
export function searchSourceJson(lucene: string): string {
  return JSON.stringify({ query: { query: lucene, language: 'lucene' }, filter: [], indexRefName: INDEX_REF_NAME });
}
