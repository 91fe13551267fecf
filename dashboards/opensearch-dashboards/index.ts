import { BOARDS } from '../boards/index.js';
import { type Board, boardSource } from '../boards/model.js';
import { dashboardObject, indexPatternObject, panelObjects } from './objects.js';
import type { SavedObject } from './saved-object.js';

export { ALERTS_INDEX_PATTERN_ID, dashboardId, INDEX_PATTERN_ID, panelObjectId } from './ids.js';
export type { SavedObject, SavedObjectReference } from './saved-object.js';

/** Every saved object, dependencies first (the index patterns, then each board's panels, then its dashboard). */
export function savedObjects(boards: readonly Board[] = BOARDS): SavedObject[] {
  const sources = new Set(boards.map(boardSource));
  // The events pattern always (it is OSD's default for Discover); the alerts one when a board reads it.
  const objects: SavedObject[] = [indexPatternObject('events'), ...(sources.has('alerts') ? [indexPatternObject('alerts')] : [])];
  for (const board of boards) {
    const panels = panelObjects(board);
    objects.push(...panels, dashboardObject(board, panels));
  }
  return objects;
}

/** The file `_import` takes: one JSON object per line. */
export function savedObjectsNdjson(boards: readonly Board[] = BOARDS): string {
  return `${savedObjects(boards)
    .map((object) => JSON.stringify(object))
    .join('\n')}\n`;
}
