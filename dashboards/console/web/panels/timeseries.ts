import type { PanelData } from '../../api-types.js';
import { colorFor } from '../palette.js';
import uPlot from '../vendor/uPlot.esm.js';

type Series = Extract<PanelData, { type: 'series' }>;

// uPlot draws the legend below the canvas; this much of the panel is left for it (the stylesheet caps its height).
const LEGEND_HEIGHT = 44;

/** Documents per bucket as lines, one per series, with uPlot (canvas; labels are set as text by uPlot itself). */
export function renderTimeseries(body: HTMLElement, data: Series): () => void {
  const size = () => ({ width: Math.max(120, body.clientWidth), height: Math.max(60, body.clientHeight - LEGEND_HEIGHT) });
  const options: uPlot.Options = {
    ...size(),
    scales: { x: { time: true } },
    series: [
      {},
      ...data.series.map((series, index) => {
        const color = colorFor(series.name, index);
        return { label: series.name, stroke: color, fill: `${color}1a`, width: 1.5, points: { show: false } };
      }),
    ],
    axes: [
      { stroke: '#5b6475', grid: { stroke: '#eceff4' } },
      { stroke: '#5b6475', grid: { stroke: '#eceff4' }, size: 56 },
    ],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  // uPlot wants seconds on a time axis.
  const aligned: uPlot.AlignedData = [data.timestamps.map((ms) => ms / 1000), ...data.series.map((series) => series.values)];
  const plot = new uPlot(options, aligned, body);
  const observer = new ResizeObserver(() => plot.setSize(size()));
  observer.observe(body);
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}
