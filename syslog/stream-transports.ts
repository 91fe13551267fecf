import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { describeTarget, openStream, type StreamTarget, whenReady } from './stream-connection.js';

/** Where a stream writer gets a stream to write to, and whether that stream is its own to end. */
export interface StreamTransport {
  /** The destination, as error messages name it (`tcp://HOST:PORT`). */
  readonly description: string;
  /** Resolves with a stream ready for writing; rejects with an error that starts with the description. */
  open(): Promise<Writable>;
  /** False for a stream that belongs to someone else (stdout): it is then neither ended nor destroyed. */
  readonly owned: boolean;
}

/** A TCP or TLS connection (`openStream`). */
export function socketTransport(target: StreamTarget): StreamTransport {
  return { description: describeTarget(target), owned: true, open: () => openStream(target) };
}

export function fileTransport(path: string, openTimeoutMs: number): StreamTransport {
  const description = `file://${path}`;
  return {
    description,
    owned: true,
    open: () => whenReady(createWriteStream(path, { flags: 'a' }), 'ready', openTimeoutMs, description, 'not open'),
  };
}

export function stdoutTransport(stream: NodeJS.WritableStream): StreamTransport {
  const writable = stream as Writable;
  return {
    description: 'stdout',
    owned: false,
    open: async () => {
      if (writable.destroyed || writable.writableEnded) throw new Error('stdout is closed');
      return writable;
    },
  };
}
