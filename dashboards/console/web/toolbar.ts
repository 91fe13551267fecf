import type { BoardsAnswer, VariableValuesAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatNumber, toLocalInput } from './format.js';
import { RANGE_PRESETS, REFRESH_CHOICES, type RefreshChoice, type VariableName, type ViewState } from './state.js';

export interface Toolbar {
  element: HTMLElement;
  /** Shows the state's values (after navigation) and reloads the variables' choices for its range. */
  sync(state: ViewState): void;
}

const CUSTOM = 'custom';

/**
 * The controls every view shares: time range (presets or custom), the Lucene query box, one select per template
 * variable, auto-refresh and refresh-now. Each change is handed to `change` as a partial state.
 */
export function createToolbar(
  variables: BoardsAnswer['variables'],
  change: (partial: Partial<ViewState>) => void,
  refreshNow: () => void,
  /** Ids of the boards that read the alerts (`source: 'alerts'`): they take no variables either. */
  alertBoards: ReadonlySet<string> = new Set(),
): Toolbar {
  const range = h(
    'select',
    { attrs: { 'aria-label': 'Time range', 'data-control': 'range' } },
    ...RANGE_PRESETS.map((preset) => h('option', { attrs: { value: preset.from } }, preset.label)),
    h('option', { attrs: { value: CUSTOM } }, 'Custom range…'),
  );
  const customFrom = h('input', { attrs: { type: 'datetime-local', 'aria-label': 'From', 'data-control': 'custom-from' } });
  const customTo = h('input', { attrs: { type: 'datetime-local', 'aria-label': 'To', 'data-control': 'custom-to' } });
  const custom = h(
    'span',
    { class: 'custom-range', attrs: { hidden: true } },
    customFrom,
    '→',
    customTo,
    h('button', { attrs: { type: 'button', 'data-control': 'custom-apply' }, on: { click: () => applyCustom() } }, 'Apply'),
  );
  range.addEventListener('change', () => {
    if (range.value === CUSTOM) {
      custom.hidden = false;
      if (!customFrom.value) customFrom.value = toLocalInput(Date.now() - 86_400_000);
      if (!customTo.value) customTo.value = toLocalInput(Date.now());
      return;
    }
    custom.hidden = true;
    change({ from: range.value, to: 'now', page: 1 });
  });
  function applyCustom() {
    const from = new Date(customFrom.value);
    const to = new Date(customTo.value);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
      customTo.setCustomValidity('the end must come after the start');
      customTo.reportValidity();
      return;
    }
    customTo.setCustomValidity('');
    change({ from: from.toISOString(), to: to.toISOString(), page: 1 });
  }

  const query = h('input', {
    class: 'query',
    attrs: {
      type: 'search',
      placeholder: 'Lucene query, e.g. log.level:error AND host.hostname:PC-*',
      'aria-label': 'Query',
      'data-control': 'query',
    },
  });
  const queryForm = h(
    'form',
    {
      class: 'query-form',
      on: {
        submit: (event) => {
          event.preventDefault();
          change({ q: query.value.trim(), page: 1 });
        },
      },
    },
    query,
    h('button', { attrs: { type: 'submit', 'data-control': 'search' } }, 'Search'),
  );

  const selects = new Map<VariableName, HTMLSelectElement>();
  for (const variable of variables) {
    const select = h('select', { attrs: { 'aria-label': variable.label, 'data-variable': variable.name } });
    select.addEventListener('change', () =>
      change({ variables: { ...currentVariables(), [variable.name]: select.value || undefined }, page: 1 }),
    );
    selects.set(variable.name, select);
  }
  const currentVariables = () => Object.fromEntries([...selects].map(([name, select]) => [name, select.value || undefined]));

  const refresh = h(
    'select',
    { attrs: { 'aria-label': 'Auto-refresh', 'data-control': 'refresh' } },
    ...Object.keys(REFRESH_CHOICES).map((choice) =>
      h('option', { attrs: { value: choice } }, choice === 'off' ? 'Auto-refresh off' : `Every ${choice}`),
    ),
  );
  refresh.addEventListener('change', () => change({ refresh: refresh.value as RefreshChoice }));

  const variableRow = h(
    'div',
    { class: 'toolbar-row variables' },
    ...variables.map((variable) => h('label', {}, h('span', {}, variable.label), selects.get(variable.name) as HTMLSelectElement)),
  );
  const element = h(
    'div',
    { class: 'toolbar' },
    h(
      'div',
      { class: 'toolbar-row' },
      range,
      custom,
      queryForm,
      refresh,
      h('button', { attrs: { type: 'button', 'data-control': 'refresh-now' }, on: { click: refreshNow } }, '↻'),
    ),
    variableRow,
  );

  let loading: AbortController | undefined;
  async function loadChoices(state: ViewState) {
    loading?.abort();
    loading = new AbortController();
    const { signal } = loading;
    await Promise.all(
      variables.map(async (variable) => {
        const select = selects.get(variable.name) as HTMLSelectElement;
        const selected = state.variables[variable.name] ?? '';
        let values: VariableValuesAnswer['values'] = [];
        try {
          values = (await api<VariableValuesAnswer>(`/variables/${variable.name}`, { query: { from: state.from, to: state.to }, signal }))
            .values;
        } catch {
          if (signal.aborted) return;
        }
        const options = [h('option', { attrs: { value: '' } }, 'All')];
        for (const value of values)
          options.push(h('option', { attrs: { value: value.key } }, `${value.key} (${formatNumber(value.count)})`));
        // A selection from the URL stays selectable even when the range holds none of it.
        if (selected && !values.some((value) => value.key === selected))
          options.push(h('option', { attrs: { value: selected } }, selected));
        replaceChildren(select, ...options);
        select.value = selected;
      }),
    );
  }

  let choicesFor = '';
  return {
    element,
    sync(state) {
      const preset = RANGE_PRESETS.some((candidate) => candidate.from === state.from) && state.to === 'now';
      range.value = preset ? state.from : CUSTOM;
      custom.hidden = preset;
      if (!preset) {
        customFrom.value = toLocalInput(Date.parse(state.from) || Date.now() - 86_400_000);
        customTo.value = toLocalInput(state.to === 'now' ? Date.now() : Date.parse(state.to) || Date.now());
      }
      if (document.activeElement !== query) query.value = state.q;
      refresh.value = state.refresh;
      for (const [name, select] of selects) select.value = state.variables[name] ?? '';
      // The variables are fields of the events; alerts have none of them, so there they would filter nothing.
      variableRow.hidden = state.view.kind === 'alerts' || (state.view.kind === 'board' && alertBoards.has(state.view.id));
      const key = `${state.from}|${state.to}|${JSON.stringify(state.variables)}`;
      if (key !== choicesFor) {
        choicesFor = key;
        void loadChoices(state);
      }
    },
  };
}
