import type {
  SystemAnswer,
  SystemComponent,
  SystemComponentKind,
  SystemCount,
  SystemDetections,
  SystemLastError,
} from '../system-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatNumber, formatTime } from './format.js';

/** How often the page reads `/api/system` while it is visible. */
export const SYSTEM_REFRESH_MS = 5_000;

/** `num`: right-aligned figures; `wrap`: free text that may break anywhere (an id, an error message). */
type Cell = { field: string; label: string; value: (component: SystemComponent) => string; num?: boolean; wrap?: boolean };

const rate = (value: number | null) => (value === null ? '–' : value.toFixed(1));
const counts = (list: readonly SystemCount[]) => list.map((entry) => `${entry.key}: ${formatNumber(entry.count)}`).join(', ');
const lastErrorText = (error: SystemLastError | null) =>
  error ? `${formatTime(error.at)} ${error.stage}/${error.errorType}: ${error.message}` : '';
const optional = (value: number | undefined) => (value === undefined ? '' : formatNumber(value));

const COMMON_HEAD: Cell[] = [
  { field: 'id', label: 'Component', value: (c) => c.id, wrap: true },
  { field: 'type', label: 'Type', value: (c) => c.type },
  { field: 'inPerSecond', label: 'In/s', value: (c) => rate(c.inPerSecond), num: true },
  { field: 'outPerSecond', label: 'Out/s', value: (c) => rate(c.outPerSecond), num: true },
  { field: 'receivedEvents', label: 'Received', value: (c) => formatNumber(c.receivedEvents), num: true },
  { field: 'sentEvents', label: 'Sent', value: (c) => formatNumber(c.sentEvents), num: true },
  { field: 'errors', label: 'Errors', value: (c) => formatNumber(c.errors), num: true },
  { field: 'discarded', label: 'Discarded', value: (c) => formatNumber(c.discarded), num: true },
];
const COMMON_TAIL: Cell[] = [
  { field: 'discardedBy', label: 'Discarded by reason', value: (c) => counts(c.discardedBy) },
  { field: 'errorsBy', label: 'Errors by stage/type', value: (c) => counts(c.errorsBy) },
  { field: 'lastError', label: 'Last error', value: (c) => lastErrorText(c.lastError), wrap: true },
];

/** The columns of each kind's table: the common ones, and what only that kind has. */
const COLUMNS: Record<SystemComponentKind, Cell[]> = {
  source: [
    ...COMMON_HEAD,
    { field: 'receivedBytes', label: 'Received bytes', value: (c) => formatNumber(c.receivedBytes), num: true },
    { field: 'openConnections', label: 'Connections', value: (c) => optional(c.openConnections), num: true },
    ...COMMON_TAIL,
  ],
  transform: [
    ...COMMON_HEAD,
    { field: 'queueEvents', label: 'Queue events', value: (c) => optional(c.queueEvents), num: true },
    { field: 'queueBytes', label: 'Queue bytes', value: (c) => optional(c.queueBytes), num: true },
    ...COMMON_TAIL,
  ],
  sink: [
    ...COMMON_HEAD,
    { field: 'sentBytes', label: 'Sent bytes', value: (c) => formatNumber(c.sentBytes), num: true },
    { field: 'bufferType', label: 'Buffer', value: (c) => (c.bufferType === 'disk' ? 'disk spool' : (c.bufferType ?? '')) },
    { field: 'bufferEvents', label: 'Buffered events', value: (c) => formatNumber(c.bufferEvents), num: true },
    { field: 'bufferBytes', label: 'Buffered bytes', value: (c) => formatNumber(c.bufferBytes), num: true },
    { field: 'deadLettered', label: 'Dead letters', value: (c) => formatNumber(c.deadLettered), num: true },
    { field: 'deduplicated', label: 'Deduplicated', value: (c) => formatNumber(c.deduplicated), num: true },
    { field: 'unaccounted', label: 'Unaccounted', value: (c) => optional(c.unaccounted), num: true },
    ...COMMON_TAIL,
  ],
};

const TITLES: Record<SystemComponentKind, string> = { source: 'Sources', transform: 'Parse and enrich', sink: 'Sinks' };

function componentTable(kind: SystemComponentKind, components: readonly SystemComponent[]): HTMLElement {
  const columns = COLUMNS[kind];
  return h(
    'section',
    { attrs: { 'data-system': kind } },
    h('h2', {}, TITLES[kind]),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table system-table' },
        h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { class: column.num ? 'num' : '' }, column.label)))),
        h(
          'tbody',
          {},
          ...components.map((component) =>
            h(
              'tr',
              { attrs: { 'data-component': component.id, 'data-kind': component.kind } },
              ...columns.map((column) =>
                h(
                  'td',
                  { class: column.num ? 'num' : column.wrap ? 'key' : '', attrs: { 'data-field': column.field } },
                  column.value(component),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A two-column table of named values (the cluster, the detections). */
function facts(name: string, rows: readonly [string, string, string][]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table system-facts', attrs: { 'data-system': name } },
      h(
        'tbody',
        {},
        ...rows.map(([field, label, value]) => h('tr', {}, h('th', {}, label), h('td', { attrs: { 'data-field': field } }, value))),
      ),
    ),
  );
}

function clusterSection(answer: SystemAnswer): HTMLElement {
  const health = answer.opensearch;
  const body =
    'error' in health
      ? h('p', { class: 'error', attrs: { 'data-system': 'opensearch-error' } }, health.error)
      : facts('opensearch', [
          ['status', 'Status', health.status],
          ['clusterName', 'Cluster', health.clusterName],
          ['nodes', 'Nodes', formatNumber(health.nodes)],
          ['dataNodes', 'Data nodes', formatNumber(health.dataNodes)],
          ['activeShards', 'Active shards', formatNumber(health.activeShards)],
          ['unassignedShards', 'Unassigned shards', formatNumber(health.unassignedShards)],
        ]);
  return h('section', {}, h('h2', {}, 'OpenSearch cluster'), body);
}

function detectionsSection(detections: SystemDetections | null): HTMLElement {
  const body = detections
    ? facts('detections', [
        ['runsOk', 'Runs', formatNumber(detections.runsOk)],
        ['runsFailed', 'Failed runs', formatNumber(detections.runsFailed)],
        ['alerts', 'Alerts raised', formatNumber(detections.alerts)],
        ['ruleErrors', 'Rule errors', formatNumber(detections.ruleErrors)],
        [
          'rules',
          'Rules active / skipped / refused',
          `${detections.rulesActive} / ${detections.rulesSkipped} / ${detections.rulesRefused}`,
        ],
        ['lastRun', 'Last successful run', detections.lastRun ? formatTime(detections.lastRun) : 'none yet'],
        ['lastRunSeconds', 'Last run took (s)', detections.lastRunSeconds.toFixed(3)],
        ['lastError', 'Last error', lastErrorText(detections.lastError)],
      ])
    : h('p', { class: 'muted' }, 'No detections run in this process.');
  return h('section', {}, h('h2', {}, 'Detections'), body);
}

function emsSection(answer: SystemAnswer): HTMLElement {
  const ems = answer.ems;
  let body: HTMLElement;
  if ('notConfigured' in ems) body = h('p', { class: 'muted' }, 'No EMS core admin API is configured for this console.');
  else if ('error' in ems) body = h('p', { class: 'error', attrs: { 'data-system': 'ems-error' } }, ems.error);
  else {
    const down = ems.services.filter((service) => !service.up).length;
    body = h(
      'div',
      {},
      h('p', { class: 'muted', attrs: { 'data-system': 'ems-summary' } }, `${ems.services.length} services, ${down} down`),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table', attrs: { 'data-system': 'ems' } },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Service'),
              h('th', {}, 'Severity'),
              h('th', {}, 'State'),
              h('th', { class: 'num' }, 'Restarts'),
              h('th', {}, 'Down since'),
            ),
          ),
          h(
            'tbody',
            {},
            ...ems.services.map((service) =>
              h(
                'tr',
                { class: service.up ? '' : 'down', attrs: { 'data-service': service.name, 'data-up': String(service.up) } },
                h('td', {}, service.name),
                h('td', {}, service.severity),
                h('td', {}, service.up ? 'up' : 'down'),
                h('td', { class: 'num' }, formatNumber(service.restarts)),
                h('td', {}, service.downSince ? formatTime(service.downSince) : ''),
              ),
            ),
          ),
        ),
      ),
    );
  }
  return h('section', {}, h('h2', {}, 'EMS core services'), body);
}

function render(answer: SystemAnswer): HTMLElement[] {
  const kinds: SystemComponentKind[] = ['source', 'transform', 'sink'];
  return [
    ...kinds.map((kind) =>
      componentTable(
        kind,
        answer.components.filter((component) => component.kind === kind),
      ),
    ),
    detectionsSection(answer.detections),
    clusterSection(answer),
    emsSection(answer),
  ];
}

/**
 * What the process is doing now: per component its rates, totals, errors, discards, buffers and last error; the
 * detections; the search cluster's health; the EMS core's services. Read every few seconds while the tab is visible
 * (a hidden tab does not poll; it reads at once when shown again). Every value is text.
 */
export function systemView(signal: AbortSignal): HTMLElement {
  const status = h('p', { class: 'muted', attrs: { 'data-role': 'system-status', 'aria-live': 'polite' } }, 'Loading…');
  const body = h('div', { class: 'system-body' });
  const element = h(
    'div',
    { class: 'system-view', attrs: { 'data-view': 'system', 'data-state': 'loading' } },
    h(
      'div',
      { class: 'view-head' },
      h('h1', {}, 'System'),
      h('p', { class: 'muted' }, 'This process’s own metrics, as /metrics shows them, per component; events per second between two reads.'),
    ),
    status,
    body,
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  let loading = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = signal.aborted || document.hidden ? undefined : setTimeout(() => void load(), SYSTEM_REFRESH_MS);
  };
  async function load() {
    if (loading || signal.aborted) return;
    loading = true;
    try {
      const answer = await api<SystemAnswer>('/system', { signal });
      if (signal.aborted) return;
      replaceChildren(body, ...render(answer));
      const span = answer.rateWindowSeconds === null ? 'rates from the next read' : `rates over ${answer.rateWindowSeconds.toFixed(1)} s`;
      status.textContent = `Read ${formatTime(answer.at)} · ${span} · every ${SYSTEM_REFRESH_MS / 1000} s while this tab is visible`;
      element.dataset.state = 'ready';
      element.dataset.at = answer.at;
    } catch (error) {
      if (signal.aborted) return;
      status.textContent = `Not read: ${error instanceof Error ? error.message : String(error)}`;
      element.dataset.state = 'error';
    } finally {
      loading = false;
      schedule();
    }
  }
  const onVisibility = () => {
    if (document.hidden) clearTimeout(timer);
    else void load();
  };
  document.addEventListener('visibilitychange', onVisibility);
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  });
  void load();
  return element;
}
