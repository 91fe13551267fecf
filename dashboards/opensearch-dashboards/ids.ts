import type { Board, Panel } from '../boards/model.js';

/** The one index pattern every object points at. */
export const INDEX_PATTERN_ID = 'fortiems-logs';

/** Board id = dashboard id, as in Grafana (the uid) and the console (the route). */
export function dashboardId(board: Board): string {
  return board.id;
}

/** `<board>--<panel>`: panel ids are unique within a board, and boards are unique, so this is unique overall. */
export function panelObjectId(board: Board, panel: Panel): string {
  return `${board.id}--${panel.id}`;
}
