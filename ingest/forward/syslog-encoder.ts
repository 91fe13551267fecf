/** A syslog forwarding sink's encoder: its filter and its format, from its configuration alone (see `sinks/sink-encoder.ts`). */
import { utf8Bytes } from '../../platform/bytes/utf8-slab.js';
import type { SyslogSinkConfig } from '../config/types.js';
import type { EncoderRecipe, SinkEncoder } from '../sinks/sink-encoder.js';
import { formatterFor } from './formats/index.js';
import type { FormatOptions } from './forward-format.js';
import { forwardFilter } from './forward-policies.js';
import { syslogSinkSettings } from './syslog-sink-settings.js';

export function syslogSinkEncoder(id: string, config: SyslogSinkConfig): SinkEncoder {
  // The data folder only names the dead-letter file, which the encoder never touches.
  const settings = syslogSinkSettings(id, config, '.');
  const format = formatterFor(settings.format);
  const options: FormatOptions = {
    facility: settings.facility,
    newlineFramed: settings.mode !== 'udp' && settings.framing === 'newline',
  };
  const filter = forwardFilter(config.filter);
  return { encode: (event) => utf8Bytes(format(event, options)), ...(filter ? { filter } : {}) };
}

/** How a parse worker builds `syslogSinkEncoder` for sink `id`. */
export function syslogEncoderRecipe(id: string, config: SyslogSinkConfig): EncoderRecipe {
  return { module: import.meta.url, name: 'syslogSinkEncoder', id, config };
}
