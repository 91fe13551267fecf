import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableHide,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { type Board, boardSource, boardVariables, type TemplateVariable } from '../boards/model.js';
import { DATASOURCE_REF, DATASOURCE_VARIABLE, OPENSEARCH_PLUGIN_ID, provisionedDatasource } from './datasource.js';

/**
 * "All" is `*`, so `field:$var` becomes an existence query rather than a list of every value (which Grafana would
 * otherwise expand into one huge OR). The price: with "All", events that lack the field entirely are not matched.
 */
export const ALL_VALUE = '*';

/**
 * The SDK fills in `auto`, `auto_min`, `auto_count` (interval variables only) and `allowCustomValue` (its default is
 * Grafana's anyway) on every variable; they mean nothing on query and data source variables and are not in the
 * dashboard JSON schema the tests validate against, so they are left out.
 */
function withoutForeignDefaults(builder: cog.Builder<VariableModel>): cog.Builder<VariableModel> {
  return {
    build: () => {
      const { auto: _auto, auto_min: _autoMin, auto_count: _autoCount, allowCustomValue: _custom, ...model } = builder.build();
      return model;
    },
  };
}

/** The OpenSearch plugin's variable query: the values of one field, as a terms aggregation. */
export function termsVariableQuery(variable: TemplateVariable): string {
  return JSON.stringify({ find: 'terms', field: variable.field, size: 500 });
}

/** `field:$name`, the clause a variable adds to every panel's Lucene query. */
export function variableClause(variable: TemplateVariable): string {
  return `${variable.field}:$${variable.name}`;
}

/** The data source picker (defaulting to the provisioned one for the board's indices) and the board's filters. */
export function dashboardVariables(board: Board): cog.Builder<VariableModel>[] {
  const provisioned = provisionedDatasource(boardSource(board));
  const datasource = new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type(OPENSEARCH_PLUGIN_ID)
    // The provisioned data source by default; any other OpenSearch data source can be picked.
    .current({ text: provisioned.name, value: provisioned.uid });
  const filters = boardVariables(board).map((variable) =>
    new QueryVariableBuilder(variable.name)
      .label(variable.label)
      .description(`Values of ${variable.field}`)
      .datasource(DATASOURCE_REF)
      .query(termsVariableQuery(variable))
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue(ALL_VALUE)
      .current({ text: 'All', value: '$__all' })
      .hide(VariableHide.DontHide),
  );
  return [datasource, ...filters].map(withoutForeignDefaults);
}
