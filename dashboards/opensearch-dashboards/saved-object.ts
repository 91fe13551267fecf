/** One line of an OpenSearch Dashboards saved-objects export (`_import` takes the same ndjson). */
export interface SavedObject {
  type: 'index-pattern' | 'visualization' | 'search' | 'dashboard';
  id: string;
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  /**
   * The migration level the attributes are written at: without it OSD treats the object as written by an old release
   * and runs every migration over it, which rewrites what we generate.
   */
  migrationVersion: Record<string, string>;
}

export interface SavedObjectReference {
  name: string;
  type: SavedObject['type'];
  id: string;
}

export const MIGRATION_VERSIONS = {
  'index-pattern': '7.6.0',
  visualization: '7.10.0',
  search: '7.9.3',
  dashboard: '7.9.3',
} as const satisfies Record<SavedObject['type'], string>;

/** The reference name a searchSourceJSON uses for its index pattern (OSD resolves it from `references`). */
export const INDEX_REF_NAME = 'kibanaSavedObjectMeta.searchSourceJSON.index';
