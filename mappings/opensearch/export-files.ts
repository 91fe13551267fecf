/**
 * What `fortiems mappings export` writes, as (relative path, JSON value) pairs, so the CLI only writes files and a
 * test can check the set without a file system:
 *
 *   component-templates/<name>.json   body of PUT _component_template/<name>
 *   index-templates/<name>.json       body of PUT _index_template/<name>
 *   ism-policies/fortiems-logs.json   body of PUT _plugins/_ism/policies/fortiems-logs
 *   avro/<category>.avsc              the category's Avro schema (catalogue attributes such as `ecs` ride along)
 *   raw-field-aliases.json            which raw names have a top-level alias and which are ems.* only
 */
import { CATALOGUE } from '../catalogue/index.js';
import { ISM_POLICY_ID, ismPolicy } from './ism-policy.js';
import { rawNameSplit } from './raw-aliases.js';
import { buildTemplates } from './templates.js';

export interface ExportFile {
  path: string;
  content: unknown;
}

export function exportFiles(options: { retentionDays?: number } = {}): ExportFile[] {
  const templates = buildTemplates();
  return [
    ...Object.entries(templates.componentTemplates).map(([name, body]) => ({ path: `component-templates/${name}.json`, content: body })),
    ...Object.entries(templates.indexTemplates).map(([name, body]) => ({ path: `index-templates/${name}.json`, content: body })),
    {
      path: `ism-policies/${ISM_POLICY_ID}.json`,
      content: ismPolicy(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    },
    ...CATALOGUE.map((category) => ({ path: `avro/${category.name}.avsc`, content: category.schema })),
    { path: 'raw-field-aliases.json', content: rawNameSplit() },
  ];
}
