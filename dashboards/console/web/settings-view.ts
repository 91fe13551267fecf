import type { LogSettingsAnswer, LogSettingsPatchAnswer, VolumeAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { formatNumber } from './format.js';
import { colorFor } from './palette.js';

// The catalogue's levels, most severe first (mappings/catalogue/levels.ts): the choices of a minimum level.
const LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'] as const;

const sum = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

/** A small stacked bar of a category's emitted lines by level (CSSOM widths: the CSP forbids style attributes). */
function levelBar(counts: Record<string, number> | undefined): HTMLElement {
  const total = sum(counts);
  const bar = h('div', { class: 'level-bar' });
  LEVELS.forEach((level, index) => {
    const count = counts?.[level] ?? 0;
    if (count === 0 || total === 0) return;
    const part = h('span', { attrs: { title: `${level}: ${formatNumber(count)}` } });
    part.style.width = `${(count / total) * 100}%`;
    part.style.background = colorFor(level, index);
    bar.appendChild(part);
  });
  return bar;
}

/** Lines per category (rows) and level (columns), for one of the volume counters. */
function levelMatrix(categories: readonly string[], counts: VolumeAnswer['emitted'], counter: 'emitted' | 'suppressed'): HTMLElement {
  return h(
    'table',
    { class: 'data-table matrix', attrs: { 'data-counter': counter } },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, counter === 'emitted' ? 'Emitted' : 'Suppressed'), ...LEVELS.map((name) => h('th', { class: 'num' }, name))),
    ),
    h(
      'tbody',
      {},
      ...categories.map((category) =>
        h(
          'tr',
          { attrs: { 'data-category': category } },
          h('th', {}, category),
          ...LEVELS.map((name) => h('td', { class: 'num' }, formatNumber(counts[category]?.[name] ?? 0))),
        ),
      ),
    ),
  );
}

/**
 * What an EMS admin tunes and what it costs: per category, the enabled flag and the minimum level (changed through
 * the EMS core admin API, applied at once), and the lines emitted and suppressed by level since the EMS started.
 */
export function settingsView(emsApi: boolean, signal: AbortSignal): HTMLElement {
  const status = h('p', { class: 'muted', attrs: { 'data-role': 'settings-status', 'aria-live': 'polite' } });
  const holder = h('div', { class: 'table-scroll' });
  const matrix = h('div', { class: 'table-scroll' });
  const element = h(
    'div',
    { class: 'settings-view', attrs: { 'data-view': 'settings', 'data-state': 'loading' } },
    h(
      'div',
      { class: 'view-head' },
      h('h1', {}, 'Log settings'),
      h(
        'p',
        { class: 'muted' },
        'Which categories the EMS logs and from which level, with the volume each setting lets through or silences. A change takes effect at once and is audited by the EMS.',
      ),
    ),
    h(
      'div',
      { class: 'toolbar-row' },
      h('button', { attrs: { type: 'button', 'data-control': 'settings-reload' }, on: { click: () => void load() } }, 'Reload volume'),
      status,
    ),
    holder,
    h('h2', {}, 'Lines per category and level: emitted, then suppressed by the settings'),
    matrix,
  );
  if (!emsApi) {
    element.dataset.state = 'unavailable';
    replaceChildren(
      holder,
      h(
        'p',
        { class: 'warning' },
        'No EMS core admin API is configured for this console, so log settings cannot be shown or changed here.',
      ),
    );
    return element;
  }

  async function change(category: string, patch: { enabled?: boolean; level?: string }) {
    status.textContent = `Saving ${category}…`;
    try {
      const answer = await api<LogSettingsPatchAnswer>('/ems/log-settings', {
        method: 'PATCH',
        body: { categories: { [category]: patch } },
      });
      const described = answer.changes.map((entry) => `${entry.setting}: ${entry.oldValue} → ${entry.newValue}`).join(', ');
      await load();
      status.textContent = answer.changes.length === 0 ? 'Nothing changed' : `Saved: ${described}`;
    } catch (error) {
      status.textContent = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
      await load();
    }
  }

  function row(category: string, settings: LogSettingsAnswer, volume: VolumeAnswer): HTMLElement {
    const setting = settings.categories[category] ?? { enabled: true, level: 'information' };
    const enabled = h('input', {
      attrs: { type: 'checkbox', checked: setting.enabled, 'aria-label': `${category} enabled`, 'data-control': 'enabled' },
    });
    enabled.addEventListener('change', () => void change(category, { enabled: enabled.checked }));
    const level = h(
      'select',
      { attrs: { 'aria-label': `${category} minimum level`, 'data-control': 'level' } },
      ...LEVELS.map((name) => h('option', { attrs: { value: name } }, name)),
    );
    level.value = setting.level;
    level.addEventListener('change', () => void change(category, { level: level.value }));
    return h(
      'tr',
      { attrs: { 'data-category': category, 'data-enabled': String(setting.enabled), 'data-level': setting.level } },
      h('th', {}, category),
      h('td', {}, enabled),
      h('td', {}, level),
      h('td', { class: 'num', attrs: { 'data-role': 'emitted' } }, formatNumber(sum(volume.emitted[category]))),
      h('td', { class: 'num', attrs: { 'data-role': 'suppressed' } }, formatNumber(sum(volume.suppressed[category]))),
      h('td', { class: 'bar-cell' }, levelBar(volume.emitted[category])),
    );
  }

  async function load() {
    let settings: LogSettingsAnswer;
    let volume: VolumeAnswer;
    try {
      [settings, volume] = await Promise.all([
        api<LogSettingsAnswer>('/ems/log-settings', { signal }),
        api<VolumeAnswer>('/ems/volume', { signal }),
      ]);
    } catch (error) {
      if (signal.aborted) return;
      element.dataset.state = 'error';
      replaceChildren(
        holder,
        h('p', { class: 'error', attrs: { 'data-role': 'error' } }, error instanceof Error ? error.message : String(error)),
      );
      return;
    }
    const categories = Object.keys(settings.categories);
    replaceChildren(
      holder,
      h(
        'table',
        { class: 'data-table settings' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Category'),
            h('th', {}, 'Enabled'),
            h('th', {}, 'Minimum level'),
            h('th', { class: 'num' }, 'Emitted'),
            h('th', { class: 'num' }, 'Suppressed'),
            h('th', {}, 'Emitted by level'),
          ),
        ),
        h('tbody', {}, ...categories.map((category) => row(category, settings, volume))),
      ),
    );
    replaceChildren(matrix, levelMatrix(categories, volume.emitted, 'emitted'), levelMatrix(categories, volume.suppressed, 'suppressed'));
    element.dataset.state = 'ready';
    element.dataset.loadedAt = String(Date.now());
  }

  void load();
  return element;
}
