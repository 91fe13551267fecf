/**
 * What the console shows, kept in the URL's hash (`#/board/<id>?from=now-24h&q=…`): a view can be bookmarked, shared
 * and reloaded, and the back button works. Parsing never trusts the hash: unknown values fall back to defaults.
 */
import type { AlertLevel, AlertStatus } from '../../../mappings/opensearch/alerts.js';
import type { TemplateVariable } from '../../boards/model.js';
import { isAlertLevel, isAlertStatus } from './alert-levels.js';

export type VariableName = TemplateVariable['name'];
export const VARIABLE_NAMES: readonly VariableName[] = ['ems_server', 'category', 'level', 'site'];

export type View =
  | { kind: 'board'; id: string }
  | { kind: 'events' }
  | { kind: 'alerts' }
  | { kind: 'settings' }
  | { kind: 'system' }
  | { kind: 'dead-letters' };

export const REFRESH_CHOICES = { off: 0, '10s': 10_000, '30s': 30_000, '1m': 60_000 } as const;
export type RefreshChoice = keyof typeof REFRESH_CHOICES;

export const RANGE_PRESETS: readonly { from: string; label: string }[] = [
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-1h', label: 'Last hour' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-7d', label: 'Last 7 days' },
];

export const PAGE_SIZES = [25, 50, 100] as const;

export interface ViewState {
  view: View;
  /** `now-24h`-style or ISO instants, as the API takes them. */
  from: string;
  to: string;
  q: string;
  refresh: RefreshChoice;
  /** One selected value per variable; absent means all. */
  variables: Partial<Record<VariableName, string>>;
  page: number;
  size: number;
  /** The alerts view's filters: a minimum level, one rule id and one status; absent means all. */
  minLevel?: AlertLevel | undefined;
  rule?: string | undefined;
  status?: AlertStatus | undefined;
}

export const DEFAULTS = { from: 'now-24h', to: 'now', refresh: 'off', page: 1, size: 50 } as const;

const INSTANT = /^(now(-[1-9][0-9]{0,5}[smhdw])?|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))$/;
const BOARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

function parseView(path: string, defaultBoard: string): View {
  const [kind, id] = path.replace(/^\/+/, '').split('/');
  if (kind === 'events') return { kind: 'events' };
  if (kind === 'alerts') return { kind: 'alerts' };
  if (kind === 'settings') return { kind: 'settings' };
  if (kind === 'system') return { kind: 'system' };
  if (kind === 'dead-letters') return { kind: 'dead-letters' };
  if (kind === 'board' && id && BOARD_ID.test(id)) return { kind: 'board', id };
  return { kind: 'board', id: defaultBoard };
}

export function parseHash(hash: string, defaultBoard: string): ViewState {
  const text = hash.replace(/^#/, '');
  const question = text.indexOf('?');
  const path = question < 0 ? text : text.slice(0, question);
  const params = new URLSearchParams(question < 0 ? '' : text.slice(question + 1));
  const instant = (name: string, fallback: string) => {
    const value = params.get(name);
    return value !== null && INSTANT.test(value) ? value : fallback;
  };
  const refresh = params.get('refresh');
  const page = Number(params.get('page'));
  const size = Number(params.get('size'));
  const minLevel = params.get('min_level');
  const rule = params.get('rule');
  const status = params.get('status');
  const variables: Partial<Record<VariableName, string>> = {};
  for (const name of VARIABLE_NAMES) {
    const value = params.get(name);
    if (value) variables[name] = value.slice(0, 256);
  }
  return {
    view: parseView(path, defaultBoard),
    from: instant('from', DEFAULTS.from),
    to: instant('to', DEFAULTS.to),
    q: (params.get('q') ?? '').slice(0, 2000),
    refresh: refresh !== null && refresh in REFRESH_CHOICES ? (refresh as RefreshChoice) : DEFAULTS.refresh,
    variables,
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : DEFAULTS.page,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULTS.size,
    minLevel: isAlertLevel(minLevel) ? minLevel : undefined,
    rule: rule ? rule.slice(0, 256) : undefined,
    status: isAlertStatus(status) ? status : undefined,
  };
}

export function toHash(state: ViewState): string {
  const path = state.view.kind === 'board' ? `/board/${state.view.id}` : `/${state.view.kind}`;
  const params = new URLSearchParams();
  if (state.from !== DEFAULTS.from) params.set('from', state.from);
  if (state.to !== DEFAULTS.to) params.set('to', state.to);
  if (state.q !== '') params.set('q', state.q);
  if (state.refresh !== DEFAULTS.refresh) params.set('refresh', state.refresh);
  for (const name of VARIABLE_NAMES) {
    const value = state.variables[name];
    if (value) params.set(name, value);
  }
  if (state.page !== DEFAULTS.page) params.set('page', String(state.page));
  if (state.size !== DEFAULTS.size) params.set('size', String(state.size));
  if (state.minLevel) params.set('min_level', state.minLevel);
  if (state.rule) params.set('rule', state.rule);
  if (state.status) params.set('status', state.status);
  const query = params.toString();
  return `#${path}${query === '' ? '' : `?${query}`}`;
}

/** The query string of a data request: range, query box, the selected variables. */
export function dataQuery(state: ViewState): Record<string, string | readonly string[]> {
  const query: Record<string, string | readonly string[]> = { from: state.from, to: state.to };
  if (state.q !== '') query.q = state.q;
  for (const name of VARIABLE_NAMES) {
    const value = state.variables[name];
    if (value) query[name] = [value];
  }
  return query;
}
