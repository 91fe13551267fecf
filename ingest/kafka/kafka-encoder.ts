/** The `kafka` sink's encoder: each event's received line as a wire-format record (`kafka-record.ts`), key first. */
import { utf8Bytes } from '../../platform/bytes/utf8-slab.js';
import type { KafkaSinkConfig } from '../config/types.js';
import type { EncoderRecipe, SinkEncoder } from '../sinks/sink-encoder.js';
import { encodeRecordValue, keyText, lineRecordOf, partitionKey } from './kafka-record.js';

export function kafkaSinkEncoder(id: string, config: KafkaSinkConfig): SinkEncoder {
  const keying = config.partition_key ?? 'sender';
  return {
    encode: (event) => {
      const record = lineRecordOf(event, id);
      const key = keying === 'sender' ? partitionKey(event, id) : keying === 'source' ? keyText(record.sourceId) : '';
      // The spool payload is `<key>\n<value>` (`spoolPayloadText`), encoded in one pass.
      return utf8Bytes(key, '\n', encodeRecordValue(record));
    },
  };
}

/** How a parse worker builds `kafkaSinkEncoder` for sink `id`. */
export function kafkaEncoderRecipe(id: string, config: KafkaSinkConfig): EncoderRecipe {
  return { module: import.meta.url, name: 'kafkaSinkEncoder', id, config };
}
