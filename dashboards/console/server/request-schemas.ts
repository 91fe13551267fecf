import { TEMPLATE_VARIABLES, type TemplateVariable } from '../../boards/model.js';
import { INSTANT_PATTERN } from './time-range.js';

/** The query string every data route shares: time range, the query box and the template variables. */
export interface DataQuery {
  from: string;
  to: string;
  q: string;
  ems_server?: string[];
  category?: string[];
  level?: string[];
  site?: string[];
}

const instant = { type: 'string', pattern: INSTANT_PATTERN, maxLength: 40 } as const;

// A variable may repeat (`level=error&level=warning`); fastify's Ajv turns a single value into a one-item list.
const variableValues = { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 256 } } as const;

export const dataQueryProperties = {
  from: { ...instant, default: 'now-24h' },
  to: { ...instant, default: 'now' },
  q: { type: 'string', maxLength: 2000, default: '' },
  ...Object.fromEntries(TEMPLATE_VARIABLES.map((variable) => [variable.name, variableValues])),
} as const;

export function selectedVariables(query: DataQuery): Partial<Record<TemplateVariable['name'], readonly string[]>> {
  const selected: Partial<Record<TemplateVariable['name'], readonly string[]>> = {};
  for (const variable of TEMPLATE_VARIABLES) {
    const values = query[variable.name];
    if (values && values.length > 0) selected[variable.name] = values;
  }
  return selected;
}

/** Ids as boards and panels spell them: lower-case words and dashes. */
export const idParam = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } as const;

/** OpenSearch's default index.max_result_window: paging stops there (`from + size` must stay within it). */
export const MAX_RESULT_WINDOW = 10_000;
const MAX_PAGE_SIZE = 200;

/** `page` and `size` of a paged listing (events, alerts). */
export const pagingProperties = {
  page: { type: 'integer', minimum: 1, maximum: MAX_RESULT_WINDOW, default: 1 },
  size: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 },
} as const;

/**
 * `:id` of one event or alert: the pipeline's and the scheduler's ids are SHA-256 in base64url, OpenSearch's own
 * are 20 characters of the same alphabet; nothing else is a lookup.
 */
export const documentIdSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } } },
} as const;
