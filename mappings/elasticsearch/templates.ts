/**
 * The Elasticsearch form of the generated templates: the same component and index templates as OpenSearch's (one
 * source, `buildTemplates()`), with the two things the engines name differently translated:
 * - OpenSearch's `flat_object` is Elasticsearch's `flattened` (`fortiems.extra`, `log.syslog.structured_data`);
 * - retention: `index.lifecycle.name` in the settings component when the cluster has ILM (OpenSearch's ISM attaches
 *   its policy by pattern instead, so the OpenSearch settings name none).
 * The rest is valid on both: `auto_expand_replicas`, `codec: default`, `refresh_interval`, `alias`, `dynamic: false`.
 * Priority 200 (150 for the catch-all) is above Elasticsearch's built-in `logs` template (100, `logs-*-*`), so ours
 * decide our data streams' mappings.
 */
import { buildTemplates, type OpenSearchTemplates, SETTINGS_COMPONENT } from '../opensearch/templates.js';

export interface ElasticsearchTemplateOptions {
  /** The ILM policy to attach; none when the cluster has no ILM. */
  lifecyclePolicy?: string;
}

/** Every `{ type: 'flat_object' }` in a template becomes `{ type: 'flattened' }`; nothing else changes. */
function toElasticsearchTypes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toElasticsearchTypes) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    out[key] = key === 'type' && inner === 'flat_object' ? 'flattened' : toElasticsearchTypes(inner);
  return out as T;
}

export function elasticsearchTemplates(
  options: ElasticsearchTemplateOptions = {},
  templates: OpenSearchTemplates = buildTemplates(),
): OpenSearchTemplates {
  const converted = toElasticsearchTypes(templates);
  const settings = converted.componentTemplates[SETTINGS_COMPONENT];
  if (settings && options.lifecyclePolicy) {
    const index = (settings.template.settings?.index ?? {}) as Record<string, unknown>;
    settings.template.settings = { ...settings.template.settings, index: { ...index, lifecycle: { name: options.lifecyclePolicy } } };
  }
  return converted;
}
