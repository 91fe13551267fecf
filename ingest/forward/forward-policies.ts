/**
 * The forwarding policies a syslog sink takes from its configuration: which events (the filter) and how fast (the
 * rate limit), as the two plain functions the sink helper and the driver call.
 */
import type { Level } from '../../mappings/index.js';
import type { ParsedEvent } from '../../parsers/parse-line.js';
import type { Throttle } from '../../syslog/stream-sender.js';
import type { SyslogSinkConfig } from '../config/types.js';
import { compileForwardFilter } from './filter.js';
import { RateLimiter } from './rate-limit.js';

export function forwardFilter(config: SyslogSinkConfig['filter']): ((event: ParsedEvent) => boolean) | undefined {
  if (!config || (!config.categories?.length && !config.min_level && !config.query)) return undefined;
  return compileForwardFilter({
    ...(config.categories ? { categories: config.categories } : {}),
    // The schema's enum holds exactly the level names.
    ...(config.min_level ? { min_level: config.min_level as Level } : {}),
    ...(config.query ? { query: config.query } : {}),
  });
}

/** One bucket per destination: the sink's batches share it, whatever the concurrency. */
export function forwardThrottle(config: SyslogSinkConfig['rate_limit']): Throttle | undefined {
  if (!config) return undefined;
  const limiter = new RateLimiter(config.events_per_second, config.burst ?? Math.max(1, Math.ceil(config.events_per_second)));
  return (events, signal) => limiter.take(events, signal);
}
