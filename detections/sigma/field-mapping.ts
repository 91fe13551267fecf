/**
 * Sigma field and logsource names → our indices. ECS names pass through; in a Fortinet/EMS rule, raw Fortinet names
 * (hostname, srcip, msg…) go to `ems.<raw>` (the one place every raw field is stored, aliased or not); anything else
 * maps to itself, so SigmaHQ rules for other products still compile. The rename is for Fortinet rules only: a DNS
 * rule's `query` is its own product's field, not `ems.query`.
 */
import { CATALOGUE, ECS_FIELDS, type RawFieldType, rawFieldInventory } from '../../mappings/index.js';

export interface MappedField {
  readonly name: string;
  /** keyword unless the catalogue types the field; decides case-insensitivity and numeric handling. */
  readonly type: RawFieldType | 'date' | 'text' | 'unknown';
}

/** Whether string semantics (case-insensitive, wildcards, regexp) apply: keyword-like or unknown to us. */
export function isTextual(field: MappedField): boolean {
  return field.type === 'keyword' || field.type === 'unknown';
}

const RAW_FIELDS = rawFieldInventory();
const ECS_TYPES: Record<string, string> = ECS_FIELDS;
const ECS_TYPE_MAP: Record<string, MappedField['type']> = { keyword: 'keyword', text: 'text', ip: 'ip', long: 'long', date: 'date' };

/** Full-text (Sigma `keywords`) searches go to the ECS text field holding the log message. */
export const KEYWORD_FIELD = 'message';

/** `fortinet`: the rule's logsource is Fortinet/EMS (`isFortinetLogsource`), so raw Fortinet names are ours. */
export function mapField(sigmaField: string, fortinet: boolean): MappedField {
  const ecs = ECS_TYPES[sigmaField];
  if (ecs !== undefined) return { name: sigmaField, type: ECS_TYPE_MAP[ecs] ?? 'unknown' };
  // `ems.<raw>` names only our documents, whatever the rule's product.
  const raw = sigmaField.startsWith('ems.') ? RAW_FIELDS.get(sigmaField.slice(4)) : fortinet ? RAW_FIELDS.get(sigmaField) : undefined;
  if (raw) return { name: `ems.${raw.name}`, type: raw.type };
  return { name: sigmaField, type: 'unknown' };
}

const FORTIEMS_PRODUCTS = new Set(['fortiems', 'fortinet', 'forticlient_ems']);

export function isFortinetLogsource(logsource: Readonly<Record<string, string>>): boolean {
  const product = logsource.product?.toLowerCase();
  return product !== undefined && FORTIEMS_PRODUCTS.has(product);
}

/** The index pattern a rule searches: one EMS data stream when the logsource names a category, else everything. */
export function indexPatternFor(logsource: Readonly<Record<string, string>>): string {
  if (!isFortinetLogsource(logsource)) return 'logs-*';
  const wanted = (logsource.service ?? logsource.category)?.toLowerCase();
  if (wanted === undefined) return 'logs-fortiems.*-*';
  // `ems-authentication`, `authentication` and the dataset `fortiems.authentication` all name the same category.
  const category = CATALOGUE.find((entry) => entry.name === wanted || entry.dataset === wanted || entry.dataset === `fortiems.${wanted}`);
  return category ? `logs-${category.dataset}-*` : 'logs-fortiems.*-*';
}
