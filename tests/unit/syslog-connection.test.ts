// The shared pieces under both delivery policies: the one TCP/TLS connect (openStream), the stream writer, forwarding's
// StreamSender on it (replay window), the one UDP sender, and the emitters' destinations on the same connect.
import { createSocket } from 'node:dgram';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatagramSender, MAX_DATAGRAM_BYTES, MessageTooLargeError } from '../../syslog/datagram-sender.js';
import { openDestination } from '../../syslog/destinations.js';
import { frameOctetCounted } from '../../syslog/framing.js';
import { ConnectionError, openStream, type StreamTarget } from '../../syslog/stream-connection.js';
import { StreamSender } from '../../syslog/stream-sender.js';
import { socketTransport } from '../../syslog/stream-transports.js';
import { type StreamLink, StreamWriter } from '../../syslog/stream-writer.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../support/tls.js';

/** Records the bytes of each connection it accepts. */
class Receiver {
  readonly connections: { socket: Socket; bytes: Buffer[] }[] = [];
  constructor(
    readonly server: Server,
    event: 'connection' | 'secureConnection' = 'connection',
  ) {
    server.on(event, (socket: Socket) => {
      const connection = { socket, bytes: [] as Buffer[] };
      this.connections.push(connection);
      socket.on('data', (chunk: Buffer) => connection.bytes.push(chunk));
      socket.on('error', () => {});
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  text(connection: number): string {
    return Buffer.concat(this.connections[connection]?.bytes ?? []).toString('utf8');
  }
  async waitFor(connection: number, text: string, timeoutMs = 5_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (this.text(connection) !== text && Date.now() < until) await sleep(10);
    return this.text(connection);
  }
  async stop(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

const receivers: Receiver[] = [];
function receiver(server: Server = createServer(), event?: 'secureConnection'): Receiver {
  const created = new Receiver(server, event);
  receivers.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop().catch(() => {})));
});

const tcp = (port: number): StreamTarget => ({ host: '127.0.0.1', port, mode: 'tcp', connectTimeoutMs: 2_000 });
const frames = (...messages: string[]) => messages.map(frameOctetCounted);
const octets = (...messages: string[]) => Buffer.concat(frames(...messages)).toString('utf8');

describe('openStream: the one TCP/TLS connect', () => {
  let serverCert: SelfSignedCertificate;
  let clientCert: SelfSignedCertificate;
  beforeAll(() => {
    serverCert = createSelfSignedCertificate();
    clientCert = createSelfSignedCertificate();
  });
  afterAll(() => {
    serverCert.remove();
    clientCert.remove();
  });

  it('presents a client certificate to a receiver that requires one (mutual TLS), for both policies', async () => {
    const mtls = receiver(
      createTlsServer({ cert: serverCert.cert, key: serverCert.key, ca: clientCert.cert, requestCert: true, rejectUnauthorized: true }),
      'secureConnection',
    );
    const port = await mtls.listen();
    const tls = { caFile: serverCert.certFile, certFile: clientCert.certFile, keyFile: clientCert.keyFile, verify: true };
    const sender = new StreamSender({ host: 'localhost', port, mode: 'tls', tls, connectTimeoutMs: 2_000 });
    await sender.write(frames('forwarded'), new AbortController().signal);
    await sender.close();
    const query = `ca=${serverCert.certFile}&cert=${clientCert.certFile}&key=${clientCert.keyFile}`;
    const destination = openDestination(`tls://localhost:${port}?${query}`);
    destination.write('emitted');
    await destination.close();
    expect(destination.stats()).toEqual({ sent: 1, dropped: 0, reconnects: 0 });
    expect(await mtls.waitFor(0, octets('forwarded'))).toBe(octets('forwarded'));
    expect(await mtls.waitFor(1, octets('emitted'))).toBe(octets('emitted'));
    expect(mtls.connections.map(({ socket }) => (socket as TLSSocket).authorized)).toEqual([true, true]);
  });

  it('sends server_name as SNI and checks the certificate against it, not against HOST', async () => {
    const names: unknown[] = [];
    const server = receiver(createTlsServer({ cert: serverCert.cert, key: serverCert.key }), 'secureConnection');
    server.server.on('secureConnection', (socket: TLSSocket) => names.push(socket.servername));
    const port = await server.listen();
    const target = (serverName: string): StreamTarget => ({
      host: '127.0.0.1',
      port,
      mode: 'tls',
      tls: { caFile: serverCert.certFile, verify: true, serverName },
      connectTimeoutMs: 2_000,
    });
    const verified = await openStream(target('localhost'));
    await until(() => names.length === 1);
    verified.destroy();
    expect(names).toEqual(['localhost']);
    // The certificate names localhost and 127.0.0.1: with server_name=other.example it is refused although HOST matches.
    await expect(openStream(target('other.example'))).rejects.toThrow(/^tls:\/\/127\.0\.0\.1:\d+: .*other\.example/);
  });

  it('reads the TLS files at each connect and names one it cannot read; a destination checks them up front', async () => {
    const target: StreamTarget = {
      host: '127.0.0.1',
      port: 1,
      mode: 'tls',
      tls: { caFile: '/nonexistent/ca.pem', verify: true },
      connectTimeoutMs: 1_000,
    };
    const error = await openStream(target).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/^tls:\/\/127\.0\.0\.1:1: cannot read the TLS CA file '\/nonexistent\/ca\.pem'/);
    // A destination checks them when it is opened, so a typo is refused before the first write.
    expect(() => openDestination(`tls://h:6514?cert=/nonexistent/c.pem&key=${clientCert.keyFile}`)).toThrow(
      "cannot read the TLS client certificate '/nonexistent/c.pem'",
    );
  });

  it('rejects with a ConnectionError naming the target when nobody listens', async () => {
    const closed = receiver();
    const port = await closed.listen();
    await closed.stop();
    await expect(openStream(tcp(port))).rejects.toThrow(new RegExp(`^tcp://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
  });
});

describe('StreamWriter', () => {
  it('shares one opening among concurrent callers, tells the policy of a loss once, and opens anew after it', async () => {
    const server = receiver();
    const port = await server.listen();
    const lost: StreamLink[] = [];
    const writer = new StreamWriter(socketTransport(tcp(port)), (link) => lost.push(link));
    const [first, second] = await Promise.all([writer.connect(), writer.connect()]);
    expect(first).toBe(second);
    await until(() => server.connections.length === 1);
    server.connections[0]?.socket.destroy();
    await until(() => lost.length > 0);
    expect(lost).toEqual([first]);
    expect(writer.current).toBeUndefined();
    await expect(first.writeConfirmed(Buffer.from('late'))).rejects.toThrow(/^tcp:\/\/127\.0\.0\.1:\d+: connection lost/);
    const next = await writer.connect();
    expect(next).not.toBe(first);
    expect(writer.reconnects).toBe(1);
    await next.writeConfirmed(Buffer.from('again'));
    expect(await server.waitFor(1, 'again')).toBe('again');
    await writer.close(true);
    expect(lost).toHaveLength(1); // retiring on purpose is no loss
    expect(server.connections.length).toBe(2);
  });
});

describe('StreamSender (forwarding) on the shared writer', () => {
  it('writes what the replay window holds first on the next connection after a loss', async () => {
    const server = receiver();
    const port = await server.listen();
    const sender = new StreamSender(tcp(port), { replayWindowMs: 60_000 });
    const signal = new AbortController().signal;
    await sender.write(frames('one', 'two'), signal);
    expect(await server.waitFor(0, octets('one', 'two'))).toBe(octets('one', 'two'));
    server.connections[0]?.socket.destroy();
    await until(() => !sender.connected);
    await sender.write(frames('three'), signal);
    expect(await server.waitFor(1, octets('one', 'two', 'three'))).toBe(octets('one', 'two', 'three'));
    await sender.close();
  });

  it('replays nothing older than its window', async () => {
    const server = receiver();
    const port = await server.listen();
    const sender = new StreamSender(tcp(port), { replayWindowMs: 1 });
    const signal = new AbortController().signal;
    await sender.write(frames('old'), signal);
    await server.waitFor(0, octets('old'));
    await sleep(20);
    server.connections[0]?.socket.destroy();
    await until(() => !sender.connected);
    await sender.write(frames('new'), signal);
    expect(await server.waitFor(1, octets('new'))).toBe(octets('new'));
    await sender.close();
  });

  it('throws a ConnectionError when the receiver is away (the sink helper retries)', async () => {
    const closed = receiver();
    const port = await closed.listen();
    await closed.stop();
    const sender = new StreamSender(tcp(port));
    const error = await sender.write(frames('x'), new AbortController().signal).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(sender.description).toBe(`tcp://127.0.0.1:${port}`);
  });
});

describe('DatagramSender: the one UDP sender', () => {
  it('sends one datagram per message and refuses one too large before sending anything', async () => {
    const server = createSocket('udp4');
    const datagrams: string[] = [];
    server.on('message', (datagram) => datagrams.push(datagram.toString('utf8')));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const sender = new DatagramSender('127.0.0.1', server.address().port, 10);
    try {
      await sender.send(Buffer.from('short'));
      const error = await sender.send(Buffer.from('much too long')).catch((e: Error) => e);
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error).toMatchObject({ bytes: 13, limit: 10 });
      await until(() => datagrams.length === 1);
      expect(datagrams).toEqual(['short']);
    } finally {
      await sender.close();
      server.close();
    }
    expect(new DatagramSender('::1', 514).description).toBe('udp://[::1]:514');
    expect(new DatagramSender('h', 514).maxBytes).toBe(MAX_DATAGRAM_BYTES);
  });

  it('resolves the name on first use and again after a failure, naming the destination', async () => {
    const sender = new DatagramSender('no-such-host.invalid', 514);
    await expect(sender.send(Buffer.from('x'))).rejects.toThrow(/^udp:\/\/no-such-host\.invalid:514: /);
    await expect(sender.send(Buffer.from('x'))).rejects.toBeInstanceOf(ConnectionError);
    await sender.close();
  });
});
