import { type Board, type BoardSource, boardSource, type Panel } from '../boards/model.js';

/** The index pattern the events boards' objects point at. */
export const INDEX_PATTERN_ID = 'fortiems-logs';
/** The index pattern the alerts boards' objects point at. */
export const ALERTS_INDEX_PATTERN_ID = 'fortiems-alerts';

export const indexPatternId = (source: BoardSource): string => (source === 'alerts' ? ALERTS_INDEX_PATTERN_ID : INDEX_PATTERN_ID);

/** The index pattern object a board's panels reference. */
export const boardIndexPatternId = (board: Board): string => indexPatternId(boardSource(board));

/** Board id = dashboard id, as in Grafana (the uid) and the console (the route). */
export function dashboardId(board: Board): string {
  return board.id;
}

/** `<board>--<panel>`: panel ids are unique within a board, and boards are unique, so this is unique overall. */
export function panelObjectId(board: Board, panel: Panel): string {
  return `${board.id}--${panel.id}`;
}
