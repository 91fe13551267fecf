import { CATALOGUE, FORTICLIENT } from '../../../mappings/index.js';
import { SYSLOG_DATASET } from '../../../parsers/generic-syslog.js';
import { FORTIGATE_DATASET } from '../../../parsers/neighbours.js';
import { UNPARSED_DATASET } from '../../../parsers/parse-line.js';

/**
 * The `data_stream.dataset` values the events view filters by: the ten categories, FortiClient's own lines (direct or
 * forwarded by FortiAnalyzer) and FortiGate's, the other hosts' syslog lines that arrived on the same port, then the
 * lines that failed to parse.
 */
export const CONSOLE_DATASETS: readonly string[] = [
  ...CATALOGUE.map((category) => category.dataset),
  FORTICLIENT.dataset,
  FORTIGATE_DATASET,
  SYSLOG_DATASET,
  UNPARSED_DATASET,
];
