import type { Panel } from './model.js';

export interface GridPosition {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The 24-column grid the boards are drawn on (Grafana's; OpenSearch Dashboards' 48 columns are twice it). */
export const GRID_COLUMNS = 24;

/**
 * Places panels left to right, wrapping to a new row when the next one does not fit; a row is as tall as its tallest
 * panel. Every output computes positions here, so the boards look the same in Grafana, OSD and the console.
 */
export function layoutPanels(panels: readonly Panel[]): GridPosition[] {
  const positions: GridPosition[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const panel of panels) {
    const w = Math.min(Math.max(panel.width, 1), GRID_COLUMNS);
    if (x + w > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    positions.push({ x, y, w, h: panel.height });
    x += w;
    rowHeight = Math.max(rowHeight, panel.height);
  }
  return positions;
}
