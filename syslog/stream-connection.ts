/**
 * The one way to open a TCP or TLS connection to a syslog receiver, for the EMS core's emitters and the forwarding
 * sink alike: connect timeout, keepalive, and TLS with a CA file, a client certificate, verification on by default and
 * an explicit server name.
 */
import { readFileSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import type { Writable } from 'node:stream';
import {
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
  checkServerIdentity as tlsCheck,
  connect as tlsConnect,
} from 'node:tls';
import { hostPort, type TransportSpec } from './destination-url.js';

export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Verify the receiver's certificate (default true); false only for receivers with a self-signed one. */
  verify: boolean;
  /** SNI and the name the certificate is checked against (default: the host, when it is a name). */
  serverName?: string;
}

/** How to reach a TCP or TLS syslog receiver. */
export interface StreamTarget {
  host: string;
  port: number;
  mode: 'tcp' | 'tls';
  tls?: TlsSettings;
  connectTimeoutMs: number;
}

/** A connection failure or loss. The forwarding sink retries it with backoff as `unavailable`; the emitters reconnect. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export function describeTarget(target: StreamTarget): string {
  return `${target.mode}://${hostPort(target.host, target.port)}`;
}

/** The target of a tcp:// or tls:// destination URL. */
export function streamTargetOf(spec: TransportSpec & { kind: 'tcp' | 'tls' }, connectTimeoutMs: number): StreamTarget {
  const target: StreamTarget = { host: spec.host, port: spec.port, mode: spec.kind, connectTimeoutMs };
  if (spec.kind === 'tls')
    target.tls = {
      verify: !spec.insecure,
      ...(spec.caFile !== undefined ? { caFile: spec.caFile } : {}),
      ...(spec.certFile !== undefined ? { certFile: spec.certFile } : {}),
      ...(spec.keyFile !== undefined ? { keyFile: spec.keyFile } : {}),
      ...(spec.serverName !== undefined ? { serverName: spec.serverName } : {}),
    };
  return target;
}

const TLS_FILES = [
  ['caFile', 'CA file'],
  ['certFile', 'client certificate'],
  ['keyFile', 'client key'],
] as const;

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the TLS ${what} '${path}': ${(error as Error).message}`, { cause: error });
  }
}

/** Throws now, naming the file, when a TLS file cannot be read: for callers that want a bad path refused up front. */
export function checkTlsFiles(tls: TlsSettings | undefined): void {
  for (const [key, what] of TLS_FILES) {
    const path = tls?.[key];
    if (path !== undefined) readTlsFile(path, what);
  }
}

/** Files are read at each connect, so a renewed certificate is picked up at the next reconnection. */
function tlsOptions(target: StreamTarget): ConnectionOptions {
  const tls = target.tls ?? { verify: true };
  const serverName = tls.serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
  return {
    host: target.host,
    port: target.port,
    // SNI takes a host name only; an IP literal is verified against the certificate's IP SANs.
    ...(serverName ? { servername: serverName } : {}),
    ...(tls.caFile ? { ca: readTlsFile(tls.caFile, 'CA file') } : {}),
    ...(tls.certFile ? { cert: readTlsFile(tls.certFile, 'client certificate') } : {}),
    ...(tls.keyFile ? { key: readTlsFile(tls.keyFile, 'client key') } : {}),
    rejectUnauthorized: tls.verify,
    // An explicit server name also names the certificate identity checked (the default checks the host).
    ...(tls.serverName && tls.verify
      ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => tlsCheck(tls.serverName as string, cert) }
      : {}),
  };
}

/**
 * Resolves with the stream once it emits `readyEvent`; on an error or after `timeoutMs` destroys it and rejects with a
 * ConnectionError that starts with `what` (the destination). `late` words the timeout ("not connected").
 */
export function whenReady<T extends Writable>(stream: T, readyEvent: string, timeoutMs: number, what: string, late: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      stream.off(readyEvent, succeed);
      stream.destroy();
      reject(new ConnectionError(`${what}: ${error.message}`, { cause: error }));
    };
    const succeed = () => {
      clearTimeout(timer);
      stream.off('error', fail);
      resolve(stream);
    };
    const timer = setTimeout(() => fail(new Error(`${late} after ${timeoutMs} ms`)), timeoutMs);
    stream.once('error', fail);
    stream.once(readyEvent, succeed);
  });
}

/** Opens one connection; rejects with a ConnectionError naming the target. */
export async function openStream(target: StreamTarget): Promise<Socket | TLSSocket> {
  const what = describeTarget(target);
  let socket: Socket | TLSSocket;
  try {
    socket = target.mode === 'tls' ? tlsConnect(tlsOptions(target)) : new Socket().connect({ host: target.host, port: target.port });
  } catch (error) {
    throw new ConnectionError(`${what}: ${(error as Error).message}`, { cause: error });
  }
  await whenReady(socket, target.mode === 'tls' ? 'secureConnect' : 'connect', target.connectTimeoutMs, what, 'not connected');
  // Keepalive notices a receiver that vanished without a FIN. Syslog receivers send nothing: reading (and discarding)
  // only lets us see their FIN at once, so a loss is noticed when it happens.
  socket.setKeepAlive(true, 30_000);
  socket.setNoDelay(true);
  socket.resume();
  return socket;
}
