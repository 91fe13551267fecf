/**
 * The syslog forwarding driver: each record's payload is one already formatted message (`formats/`) in UTF-8, sent over UDP
 * (one datagram each) or one persistent TCP/TLS connection (octet-counting or newline framing, RFC 6587).
 *
 * Delivery guarantee. A batch is `ok` once every frame is written and the kernel has taken it; syslog over TCP/TLS has
 * no application-level acknowledgement. Events wait in the sink's disk spool until then, so a receiver that is down or
 * refuses connections loses nothing: the send throws, the helper retries with backoff as `unavailable`, and the whole
 * unacknowledged batch is written again once it answers (at-least-once). What the receiver may still lose when it
 * stops — frames the kernel took but it never read — is covered by the replay window (`replay-window.ts`): the frames
 * written during the last `replayWindowMs` before the connection broke are written again first on the next connection.
 * Duplicates after a receiver stop or crash are therefore bounded by: the batch being written at that moment plus the
 * frames written in the replay window before it. (A fortiems crash in that window loses the in-memory replay, not the
 * spool.) UDP is at-most-once: a datagram sent while nobody listens is gone.
 */

import { DatagramSender, MessageTooLargeError } from '../../syslog/datagram-sender.js';
import { type Framing, framerFor } from '../../syslog/framing.js';
import type { StreamTarget } from '../../syslog/stream-connection.js';
import { StreamSender, type Throttle } from '../../syslog/stream-sender.js';
import type { BufferRecord } from '../buffers/event-buffer.js';
import type { DeadLetter, ItemOutcome, SendResult, SinkDriver } from '../sinks/sink-driver.js';
import { appendDeadLetters, type DeadLetterContext } from './dead-letter-file.js';

export type ForwardMode = 'udp' | 'tcp' | 'tls';

export interface SyslogDriverSettings {
  host: string;
  port: number;
  mode: ForwardMode;
  /** TCP/TLS only (default octet). */
  framing?: Framing;
  tls?: StreamTarget['tls'];
  connectTimeoutMs?: number;
  /** See the delivery guarantee above (default 2000 ms). */
  replayWindowMs?: number;
  /** Waits before events are written: the destination's rate limit. */
  throttle?: Throttle;
  /** Where undeliverable messages are appended (JSON lines). */
  deadLetterFile: string;
  /** Written with each dead letter: the sink and the format its payload is in (what a replay checks). */
  deadLetterContext?: DeadLetterContext;
  /** Largest UDP payload (default 65,507 bytes, the IPv4 maximum). */
  maxDatagramBytes?: number;
}

export function createSyslogDriver(settings: SyslogDriverSettings): SinkDriver & { readonly description: string } {
  return settings.mode === 'udp' ? datagramDriver(settings) : streamDriver(settings);
}

function streamDriver(settings: SyslogDriverSettings): SinkDriver & { readonly description: string } {
  const frame = framerFor(settings.framing ?? 'octet');
  const sender = new StreamSender(
    {
      host: settings.host,
      port: settings.port,
      mode: settings.mode === 'tls' ? 'tls' : 'tcp',
      ...(settings.tls ? { tls: settings.tls } : {}),
      connectTimeoutMs: settings.connectTimeoutMs ?? 10_000,
    },
    {
      ...(settings.replayWindowMs !== undefined ? { replayWindowMs: settings.replayWindowMs } : {}),
      ...(settings.throttle ? { throttle: settings.throttle } : {}),
    },
  );
  let lastSendFailed = false;
  return {
    type: 'syslog',
    description: sender.description,
    async send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult> {
      const frames = batch.map((record) => frame(record.payload));
      try {
        await sender.write(frames, signal);
      } catch (error) {
        lastSendFailed = true;
        throw error;
      }
      lastSendFailed = false;
      return { outcomes: batch.map(() => ({ status: 'ok' })), bytes: frames.reduce((sum, f) => sum + f.length, 0) };
    },
    deadLetter: (letters: readonly DeadLetter[]) => appendDeadLetters(settings.deadLetterFile, letters, settings.deadLetterContext),
    // Ready unless the last attempt failed: a connection is only opened when there is something to send.
    healthy: async () => !lastSendFailed,
    close: () => sender.close(),
  };
}

function datagramDriver(settings: SyslogDriverSettings): SinkDriver & { readonly description: string } {
  const sender = new DatagramSender(settings.host, settings.port, settings.maxDatagramBytes);
  let lastSendFailed = false;
  return {
    type: 'syslog',
    description: sender.description,
    async send(batch: readonly BufferRecord[], signal: AbortSignal): Promise<SendResult> {
      const outcomes: ItemOutcome[] = [];
      let bytes = 0;
      for (const record of batch) {
        if (signal.aborted) throw new Error(`${sender.description}: aborted`);
        const payload = record.payload;
        try {
          await settings.throttle?.(1, signal);
          await sender.send(payload);
          outcomes.push({ status: 'ok' });
          bytes += payload.length;
        } catch (error) {
          if (!(error instanceof MessageTooLargeError)) {
            lastSendFailed = true;
            // The datagrams already sent are gone either way; the whole batch goes again (duplicates, never loss).
            throw error;
          }
          outcomes.push({ status: 'reject', errorType: MessageTooLargeError.errorType, error: error.message });
        }
      }
      lastSendFailed = false;
      return { outcomes, bytes };
    },
    deadLetter: (letters: readonly DeadLetter[]) => appendDeadLetters(settings.deadLetterFile, letters, settings.deadLetterContext),
    healthy: async () => !lastSendFailed,
    close: () => sender.close(),
  };
}
