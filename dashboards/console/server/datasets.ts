import { CATALOGUE } from '../../../mappings/index.js';

/**
 * The `data_stream.dataset` values the events view filters by: the ten categories, the other hosts' syslog lines that
 * arrived on the same port (`fortiems.syslog`), then the lines that failed to parse.
 */
export const CONSOLE_DATASETS: readonly string[] = [
  ...CATALOGUE.map((category) => category.dataset),
  'fortiems.syslog',
  'fortiems.unparsed',
];
