/**
 * RFC 3164 (BSD syslog, what EMS itself sends): `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG`. The timestamp is @timestamp
 * in UTC, because the format has no zone and a forwarded stream mixes hosts. RFC 3164 caps a packet at 1024 bytes;
 * the sink decides whether to truncate (UDP) or not (TCP relays accept longer lines).
 */

import { epochOf } from '../../../parsers/event-fields.js';
import { HEADER_LIMITS, printableToken, rfc3164Header, rfc3164Tag, rfc3164Timestamp, wallClock } from '../../../syslog/syslog-format.js';
import type { Formatter } from '../forward-format.js';
import { appNameOf, hostnameOf, priorityOf } from './header-fields.js';
import { keyValueBody } from './kv-body.js';

export const formatRfc3164: Formatter = (event, options) =>
  rfc3164Header({
    priority: priorityOf(event, options),
    timestamp: rfc3164Timestamp(wallClock(new Date(epochOf(event)), 'UTC')),
    hostname: printableToken(hostnameOf(event, options), HEADER_LIMITS.hostname, 'localhost'),
    tag: rfc3164Tag(appNameOf(event, options)),
  }) + keyValueBody(event);
