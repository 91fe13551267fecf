import { readFileSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import {
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
  checkServerIdentity as tlsCheck,
  connect as tlsConnect,
} from 'node:tls';

/** How to reach a TCP or TLS syslog receiver. */
export interface StreamTarget {
  host: string;
  port: number;
  mode: 'tcp' | 'tls';
  tls?: {
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    /** Verify the receiver's certificate (default true); false only for receivers with a self-signed one. */
    verify: boolean;
    /** SNI and the name the certificate is checked against (default: the host, when it is a name). */
    serverName?: string;
  };
  connectTimeoutMs: number;
}

/** A connection failure or loss: the sink helper retries it with backoff as `unavailable`. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export function describeTarget(target: StreamTarget): string {
  return `${target.mode}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

/** Files are read at each connect, so a renewed certificate is picked up at the next reconnection. */
function tlsOptions(target: StreamTarget): ConnectionOptions {
  const tls = target.tls ?? { verify: true };
  const serverName = tls.serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
  return {
    host: target.host,
    port: target.port,
    ...(serverName ? { servername: serverName } : {}),
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
    rejectUnauthorized: tls.verify,
    // An explicit server_name also names the certificate identity checked (the default checks the host).
    ...(tls.serverName && tls.verify
      ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => tlsCheck(tls.serverName as string, cert) }
      : {}),
  };
}

/** Opens one connection; rejects with a ConnectionError naming the target. */
export function openStream(target: StreamTarget): Promise<Socket | TLSSocket> {
  const what = describeTarget(target);
  return new Promise((resolve, reject) => {
    let socket: Socket | TLSSocket;
    try {
      socket = target.mode === 'tls' ? tlsConnect(tlsOptions(target)) : new Socket().connect({ host: target.host, port: target.port });
    } catch (error) {
      reject(new ConnectionError(`${what}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const readyEvent = target.mode === 'tls' ? 'secureConnect' : 'connect';
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.off(readyEvent, succeed);
      socket.destroy();
      reject(new ConnectionError(`${what}: ${error.message}`, { cause: error }));
    };
    const succeed = () => {
      clearTimeout(timer);
      socket.off('error', fail);
      // Keepalive notices a receiver that vanished without a FIN; syslog receivers send nothing, reading only
      // lets us see their FIN at once (so the replay window starts at the real moment of loss).
      socket.setKeepAlive(true, 30_000);
      socket.setNoDelay(true);
      socket.resume();
      resolve(socket);
    };
    const timer = setTimeout(() => fail(new Error(`not connected after ${target.connectTimeoutMs} ms`)), target.connectTimeoutMs);
    socket.once('error', fail);
    socket.once(readyEvent, succeed);
  });
}
