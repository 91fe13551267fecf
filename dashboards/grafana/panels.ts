import { PanelBuilder as BarChartBuilder } from '@grafana/grafana-foundation-sdk/barchart';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { ReduceDataOptionsBuilder, StackingConfigBuilder, StackingMode, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import type { DataTransformerConfig, Panel as GrafanaPanel, GridPos } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as PieChartBuilder, PieChartType } from '@grafana/grafana-foundation-sdk/piechart';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { Panel } from '../boards/model.js';
import { DATASOURCE_REF } from './datasource.js';
import { OpenSearchTargetBuilder } from './opensearch-target.js';

/** What every panel builder of the SDK has in common, the part this file sets. */
interface CommonPanelBuilder extends cog.Builder<GrafanaPanel> {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: typeof DATASOURCE_REF): this;
  gridPos(gridPos: GridPos): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  withTransformation(transformation: DataTransformerConfig): this;
}

/** The terms table (one row per field × split value) pivoted into one column per split value, for stacked bars. */
function pivot(field: string, splitField: string): DataTransformerConfig {
  return { id: 'groupingToMatrix', options: { rowField: field, columnField: splitField, valueField: 'Count', emptyValue: 'zero' } };
}

/** The columns of an events panel first, in board order; the other fields stay, to the right. */
function columnsFirst(columns: readonly string[]): DataTransformerConfig {
  return {
    id: 'organize',
    options: { indexByName: Object.fromEntries(columns.map((column, index) => [column, index])), excludeByName: {}, renameByName: {} },
  };
}

function visualisation(panel: Panel): CommonPanelBuilder {
  const spec = panel.query;
  switch (panel.kind) {
    case 'stat':
      return new StatBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
    case 'timeseries':
      return new TimeseriesBuilder().stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(30);
    case 'bar': {
      const bar = new BarChartBuilder().orientation(VizOrientation.Horizontal).stacking(StackingMode.Normal);
      if (spec.type === 'terms') bar.xField(spec.field);
      if (spec.type === 'terms' && spec.splitBy) bar.withTransformation(pivot(spec.field, spec.splitBy.field));
      return bar;
    }
    case 'pie':
      // One slice per row of the terms table, not one slice per reduced column.
      return new PieChartBuilder().pieType(PieChartType.Donut).reduceOptions(new ReduceDataOptionsBuilder().values(true).calcs([]));
    case 'table':
      return new TableBuilder();
    case 'events': {
      const table = new TableBuilder().filterable(true);
      if (spec.type === 'events') table.withTransformation(columnsFirst(spec.columns));
      return table;
    }
  }
}

/** One Grafana panel for one board panel, querying `lucene`. */
export function grafanaPanel(panel: Panel, index: number, gridPos: GridPos, lucene: string): cog.Builder<GrafanaPanel> {
  const builder = visualisation(panel)
    .id(index + 1)
    .title(panel.title)
    .datasource(DATASOURCE_REF)
    .gridPos(gridPos)
    .withTarget(new OpenSearchTargetBuilder(panel.query, lucene));
  return panel.description ? builder.description(panel.description) : builder;
}
