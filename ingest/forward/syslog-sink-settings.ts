import { join } from 'node:path';
import { ActionableError } from '../../platform/errors.js';
import type { Framing } from '../../syslog/framing.js';
import type { SyslogSinkConfig } from '../config/types.js';
import type { BatchSettings } from '../sinks/batch-reader.js';
import type { ForwardFormat } from './forward-format.js';
import type { ForwardMode } from './syslog-driver.js';
import { SYSLOG_SINK_SCHEMA } from './syslog-sink-schema.js';

/** A syslog sink's configuration, checked and complete. */
export interface SyslogSinkSettings {
  host: string;
  port: number;
  mode: ForwardMode;
  framing: Framing;
  format: ForwardFormat;
  facility: number;
  concurrency: number;
  batch: BatchSettings;
  deadLetterFile: string;
}

// The defaults come from the schema, so the factory and `fortiems validate` never disagree.
const SCHEMA = SYSLOG_SINK_SCHEMA.properties;

/** `HOST:PORT` or `[v6]:PORT` → host and port. */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):([0-9]{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65_535)) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** Applies the defaults (a hand-built config works too) and resolves the address. */
export function syslogSinkSettings(id: string, config: SyslogSinkConfig, dataDir: string): SyslogSinkSettings {
  const target = splitAddress(config.address);
  if (!target)
    throw new ActionableError(`sinks.${id}.address '${config.address}' is not HOST:PORT`, 'write it as e.g. siem.example.com:6514');
  const mode = config.mode ?? SCHEMA.mode.default;
  if (mode === 'udp' && config.framing)
    throw new ActionableError(`sinks.${id}.framing is set on a UDP destination`, "remove 'framing': a datagram is one message");
  return {
    ...target,
    mode,
    framing: config.framing ?? 'octet',
    format: config.format ?? SCHEMA.format.default,
    facility: config.facility ?? SCHEMA.facility.default,
    concurrency: config.concurrency ?? SCHEMA.concurrency.default,
    batch: {
      maxEvents: config.batch?.max_events ?? SCHEMA.batch.properties.max_events.default,
      maxBytes: config.batch?.max_bytes ?? SCHEMA.batch.properties.max_bytes.default,
      timeoutMs: config.batch?.timeout_ms ?? SCHEMA.batch.properties.timeout_ms.default,
    },
    deadLetterFile: join(dataDir, 'dead-letter', `${id}.ndjson`),
  };
}
