import { createWriteStream } from 'node:fs';
import { isIP, Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

/** How a queued stream destination gets a stream to write to, and whether that stream is its own to end. */
export interface StreamTransport {
  /** Resolves with a stream ready for writing; rejects with an error that names the destination. */
  open(): Promise<Writable>;
  /** False for a stream that belongs to someone else (stdout): it is then neither ended nor destroyed. */
  readonly owned: boolean;
}

function whenReady<T extends Writable>(stream: T, readyEvent: string, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      stream.off(readyEvent, succeed);
      stream.destroy();
      reject(new Error(`${what}: ${error.message}`, { cause: error }));
    };
    const succeed = () => {
      clearTimeout(timer);
      stream.off('error', fail);
      resolve(stream);
    };
    const timer = setTimeout(() => fail(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    stream.once('error', fail);
    stream.once(readyEvent, succeed);
  });
}

function tuned(socket: Socket): Socket {
  // Keepalive notices a receiver that vanished without a FIN; inbound bytes (syslog receivers send none) are discarded.
  socket.setKeepAlive(true, 60_000);
  socket.resume();
  return socket;
}

export function tcpTransport(host: string, port: number, connectTimeoutMs: number): StreamTransport {
  const what = `tcp://${host}:${port}`;
  return {
    owned: true,
    open: async () => tuned(await whenReady(new Socket().connect({ host, port }), 'connect', connectTimeoutMs, what)),
  };
}

export interface TlsTrust {
  /** PEM CA bundle to verify the receiver with, instead of the system roots. */
  ca?: Buffer;
  /** Skip verification: EMS accepted self-signed receiver certificates, so some sites need this. */
  insecure: boolean;
}

export function tlsTransport(host: string, port: number, trust: TlsTrust, connectTimeoutMs: number): StreamTransport {
  const what = `tls://${host}:${port}`;
  return {
    owned: true,
    open: async () => {
      const socket = tlsConnect({
        host,
        port,
        // SNI takes a host name only; an IP literal is verified against the certificate's IP SANs.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(trust.ca ? { ca: trust.ca } : {}),
        rejectUnauthorized: !trust.insecure,
      });
      return tuned(await whenReady(socket, 'secureConnect', connectTimeoutMs, what));
    },
  };
}

export function fileTransport(path: string, openTimeoutMs: number): StreamTransport {
  return { owned: true, open: () => whenReady(createWriteStream(path, { flags: 'a' }), 'ready', openTimeoutMs, `file://${path}`) };
}

export function stdoutTransport(stream: NodeJS.WritableStream): StreamTransport {
  const writable = stream as Writable;
  return {
    owned: false,
    open: async () => {
      if (writable.destroyed || writable.writableEnded) throw new Error('stdout is closed');
      return writable;
    },
  };
}
