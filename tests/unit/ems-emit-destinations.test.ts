import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Destination } from '../../syslog/destination.js';
import { parseDestinationUrl } from '../../syslog/destination-url.js';
import { openDestination } from '../../syslog/destinations.js';
import { frameNewline, frameOctetCounted } from '../../syslog/framing.js';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../support/tls.js';

/** A stream receiver that records the bytes of each connection. */
class Receiver {
  readonly connections: Buffer[][] = [];
  readonly sockets = new Set<Socket>();
  constructor(
    readonly server: Server,
    connectionEvent: 'connection' | 'secureConnection' = 'connection',
  ) {
    server.on(connectionEvent, (socket: Socket) => this.accept(socket));
  }
  private accept(socket: Socket): void {
    const chunks: Buffer[] = [];
    this.connections.push(chunks);
    this.sockets.add(socket);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }
  bytes(connection = 0): Buffer {
    return Buffer.concat(this.connections[connection] ?? []);
  }
  allBytes(): Buffer {
    return Buffer.concat(this.connections.flat());
  }
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  async waitForBytes(length: number, timeoutMs = 5_000): Promise<Buffer> {
    const until = Date.now() + timeoutMs;
    while (this.allBytes().length < length && Date.now() < until) await sleep(10);
    return this.allBytes();
  }
}

const tcpReceiver = () => new Receiver(createServer());
const destinations: Destination[] = [];
function track(destination: Destination): Destination {
  destinations.push(destination);
  return destination;
}
afterEach(async () => {
  await Promise.all(destinations.splice(0).map((destination) => destination.close()));
});

const MESSAGES = ['<134>Oct  1 22:17:30 ems01 ems-client: msg="online"', '<132>Oct  1 22:17:31 ems01 ems-vpn: user="Zoë 山田"', 'x'];
const octetBytes = (messages: readonly string[]) => Buffer.concat(messages.map(frameOctetCounted));

describe('parseDestinationUrl', () => {
  it('reads every form, with the IANA syslog ports and octet counting by default', () => {
    expect(parseDestinationUrl('udp://logs.example:5514')).toEqual({ kind: 'udp', host: 'logs.example', port: 5514 });
    expect(parseDestinationUrl('udp://[::1]')).toEqual({ kind: 'udp', host: '::1', port: 514 });
    expect(parseDestinationUrl('tcp://10.0.0.5')).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 514, framing: 'octet' });
    expect(parseDestinationUrl('tcp://h:1514?framing=newline')).toEqual({ kind: 'tcp', host: 'h', port: 1514, framing: 'newline' });
    expect(parseDestinationUrl('tls://h')).toEqual({ kind: 'tls', host: 'h', port: 6514, framing: 'octet', insecure: false });
    expect(parseDestinationUrl('tls://h:6514?insecure=1&framing=newline')).toEqual({
      kind: 'tls',
      host: 'h',
      port: 6514,
      framing: 'newline',
      insecure: true,
    });
    expect(parseDestinationUrl('tls://h:6514?ca=/etc/ca.pem')).toEqual({
      kind: 'tls',
      host: 'h',
      port: 6514,
      framing: 'octet',
      caFile: '/etc/ca.pem',
      insecure: false,
    });
    expect(parseDestinationUrl('file:///var/log/ems%20out.log')).toEqual({ kind: 'file', path: '/var/log/ems out.log' });
    expect(parseDestinationUrl('-')).toEqual({ kind: 'stdout' });
  });

  it.each([
    ['syslog.example:514', 'unknown scheme'],
    ['http://h:514', "unknown scheme 'http'"],
    ['not a url', 'not a URL'],
    ['tcp://h:0', 'PORT must be 1-65535'],
    ['tcp://h:514?framing=lf', "framing must be 'octet' or 'newline'"],
    ['udp://h:514?framing=octet', "unknown option 'framing' for udp"],
    ['tcp://h:514?insecure=1', "unknown option 'insecure' for tcp"],
    ['tls://h:514?insecure=yes', 'insecure must be 1 or 0'],
    ['tls://h:514?ca=/ca.pem&insecure=1', 'choose one'],
    ['tcp://h:514/path', 'no path'],
    ['tcp://user:pw@h:514', 'credentials'],
    ['file://relative/path', 'file:///absolute/path'],
    ['file:///var/log/', 'absolute path'],
  ])('refuses %s, naming the accepted forms', (url, why) => {
    expect(() => parseDestinationUrl(url)).toThrow(why);
    expect(() => parseDestinationUrl(url)).toThrow('expected udp://HOST:PORT, tcp://HOST:PORT');
  });

  it('refuses an unreadable CA file when the destination is created, not at the first write', () => {
    expect(() => openDestination('tls://127.0.0.1:6514?ca=/nonexistent/ca.pem')).toThrow(
      "cannot read the TLS CA file '/nonexistent/ca.pem'",
    );
  });
});

describe('framing', () => {
  it('octet counting prefixes the UTF-8 byte length, not the character count', () => {
    expect(frameOctetCounted('é山').toString('utf8')).toBe('5 é山');
    expect(frameOctetCounted('')).toEqual(Buffer.from('0 '));
  });

  it('newline framing ends each message with LF and escapes line breaks inside it', () => {
    expect(frameNewline('a\nb\r\nc').toString()).toBe('a\\nb\\r\\nc\n');
  });
});

describe('TCP destination', () => {
  let receiver: Receiver;
  afterEach(async () => {
    await receiver.stop().catch(() => {});
  });

  it('sends RFC 6587 octet-counted frames, byte for byte, and counts them', async () => {
    receiver = tcpReceiver();
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`));
    for (const message of MESSAGES) destination.write(message);
    await destination.flush();
    expect(destination.stats()).toEqual({ sent: 3, dropped: 0, reconnects: 0 });
    const expected = Buffer.from(`51 ${MESSAGES[0]}54 ${MESSAGES[1]}1 x`);
    expect(expected).toEqual(octetBytes(MESSAGES));
    expect(await receiver.waitForBytes(expected.length)).toEqual(expected);
  });

  it('sends newline-framed messages when asked', async () => {
    receiver = tcpReceiver();
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}?framing=newline`));
    for (const message of MESSAGES) destination.write(message);
    await destination.close();
    expect((await receiver.waitForBytes(10)).toString('utf8')).toBe(`${MESSAGES.join('\n')}\n`);
  });

  it('connects lazily, on the first write', async () => {
    receiver = tcpReceiver();
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`));
    await sleep(50);
    expect(receiver.connections).toHaveLength(0);
    destination.write('hello');
    await destination.flush();
    await receiver.waitForBytes(7);
    expect(receiver.connections).toHaveLength(1);
  });

  it('queues while the receiver is down and reconnects, in order, when it comes back on the same port', async () => {
    receiver = tcpReceiver();
    const port = await receiver.listen();
    const errors: Error[] = [];
    const destination = track(
      openDestination(`tcp://127.0.0.1:${port}`, { reconnectDelayMs: { initial: 20, max: 100 }, onError: (e) => errors.push(e) }),
    );
    destination.write('before');
    await destination.flush();
    await receiver.waitForBytes(8);
    await receiver.stop();
    await sleep(100); // the destination sees the connection close
    const during = ['during 1', 'during 2', 'during 3'];
    for (const message of during) destination.write(message);
    await sleep(300); // some connection attempts are refused meanwhile
    expect(destination.stats().sent).toBe(1);
    const restarted = tcpReceiver();
    await restarted.listen(port);
    receiver = restarted;
    await destination.flush();
    expect(await restarted.waitForBytes(octetBytes(during).length)).toEqual(octetBytes(during));
    expect(destination.stats()).toEqual({ sent: 4, dropped: 0, reconnects: 1 });
    expect(errors.some((error) => /ECONNREFUSED/.test(error.message))).toBe(true);
  });

  it('backs off from a receiver that accepts connections and closes them at once', async () => {
    receiver = tcpReceiver();
    receiver.server.on('connection', (socket: Socket) => socket.destroy());
    const port = await receiver.listen();
    const destination = track(
      openDestination(`tcp://127.0.0.1:${port}`, { closeTimeoutMs: 100, reconnectDelayMs: { initial: 50, max: 200 } }),
    );
    for (let index = 0; index < 30; index += 1) {
      destination.write(`message ${index}`);
      await sleep(20);
    }
    // 600 ms of writes every 20 ms: without the backoff, a connection per message (~30); with it (25-50, 50-100,
    // 100-200, then 100-200 ms apart), a handful.
    expect(receiver.connections.length).toBeGreaterThanOrEqual(2);
    expect(receiver.connections.length).toBeLessThanOrEqual(10);
  });

  it('bounds the queue while disconnected, counts what it drops, and close() gives up after its timeout', async () => {
    receiver = tcpReceiver();
    const port = await receiver.listen();
    await receiver.stop(); // nothing listens on the port now
    let reportRefused = () => {};
    const refused = new Promise<void>((resolve) => {
      reportRefused = resolve;
    });
    const destination = track(
      openDestination(`tcp://127.0.0.1:${port}`, {
        maxQueuedMessages: 5,
        closeTimeoutMs: 200,
        reconnectDelayMs: { initial: 20, max: 50 },
        onError: () => reportRefused(),
      }),
    );
    destination.write('m0');
    await refused; // the first connection attempt failed: the receiver is known to be away
    // From now on write() never pushes back: a vanished receiver must not stall the producer.
    const results = Array.from({ length: 7 }, (_, index) => destination.write(`m${index + 1}`));
    expect(results.every((result) => result === undefined)).toBe(true);
    expect(destination.stats()).toEqual({ sent: 0, dropped: 3, reconnects: 0 });
    const started = Date.now();
    await destination.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(destination.stats()).toEqual({ sent: 0, dropped: 8, reconnects: 0 });
    destination.write('after close');
    expect(destination.stats().dropped).toBe(9);
  });

  it('respects backpressure: a receiver that stops reading fills the bounded queue, not memory', async () => {
    receiver = tcpReceiver();
    let resume = () => {};
    receiver.server.on('connection', (socket: Socket) => {
      socket.pause();
      resume = () => socket.resume();
    });
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`, { maxQueuedMessages: 100 }));
    const messages = Array.from({ length: 2_000 }, (_, index) => `${index} ${'x'.repeat(10_000)}`);
    destination.write(messages[0] as string);
    await sleep(100); // connected, and the receiver has stopped reading
    for (const message of messages.slice(1)) destination.write(message);
    const { sent, dropped } = destination.stats();
    // What the kernel buffers took, plus the 100 queued, got through; the tail beyond the bound was dropped and counted.
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(2_000 - 100);
    resume();
    await destination.flush();
    expect(destination.stats()).toEqual({ sent: 2_000 - dropped, dropped, reconnects: 0 });
    expect(sent).toBeLessThan(2_000 - dropped);
    const expected = octetBytes(messages.slice(0, 2_000 - dropped));
    expect((await receiver.waitForBytes(expected.length, 10_000)).equals(expected)).toBe(true);
  });

  it('pushes back on a producer that awaits write(): a slow receiver slows it down and nothing is dropped', async () => {
    receiver = tcpReceiver();
    receiver.server.on('connection', (socket: Socket) => {
      socket.pause();
      setTimeout(() => socket.resume(), 300);
    });
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`, { maxQueuedMessages: 100 }));
    const messages = Array.from({ length: 2_000 }, (_, index) => `${index} ${'z'.repeat(10_000)}`);
    let pushedBack = 0;
    for (const message of messages) {
      const pending = destination.write(message);
      if (pending) {
        pushedBack += 1;
        await pending;
      }
    }
    await destination.flush();
    expect(pushedBack).toBeGreaterThan(0);
    expect(destination.stats()).toEqual({ sent: 2_000, dropped: 0, reconnects: 0 });
    const expected = octetBytes(messages);
    expect((await receiver.waitForBytes(expected.length, 10_000)).equals(expected)).toBe(true);
  });

  it('resends, first and in order, what a lost connection never confirmed', async () => {
    receiver = tcpReceiver();
    let dropFirstConnection = () => {};
    receiver.server.on('connection', (socket: Socket) => {
      if (receiver.connections.length > 1) return;
      socket.pause(); // the first connection stalls, so writes pile up unconfirmed in the client
      dropFirstConnection = () => socket.destroy();
    });
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`, { reconnectDelayMs: { initial: 20, max: 50 } }));
    const messages = Array.from({ length: 1_000 }, (_, index) => `${index} ${'y'.repeat(10_000)}`);
    for (const message of messages) destination.write(message);
    await sleep(200);
    const confirmedBeforeLoss = destination.stats().sent;
    expect(confirmedBeforeLoss).toBeLessThan(messages.length);
    dropFirstConnection();
    await destination.flush();
    expect(destination.stats()).toEqual({ sent: messages.length, dropped: 0, reconnects: 1 });
    const expected = octetBytes(messages.slice(confirmedBeforeLoss));
    const until = Date.now() + 10_000;
    while (receiver.bytes(1).length < expected.length && Date.now() < until) await sleep(10);
    expect(receiver.bytes(1).equals(expected)).toBe(true);
  });

  it('waits for drain when the receiver reads slowly, losing and duplicating nothing', async () => {
    receiver = tcpReceiver();
    receiver.server.on('connection', (socket: Socket) => {
      socket.pause();
      setTimeout(() => socket.resume(), 300);
    });
    const port = await receiver.listen();
    const destination = track(openDestination(`tcp://127.0.0.1:${port}`, { maxQueuedMessages: 100_000 }));
    const messages = Array.from({ length: 2_000 }, (_, index) => `${index} ${'x'.repeat(10_000)}`);
    for (const message of messages) destination.write(message);
    await destination.flush();
    expect(destination.stats()).toEqual({ sent: 2_000, dropped: 0, reconnects: 0 });
    const expected = octetBytes(messages);
    expect((await receiver.waitForBytes(expected.length, 10_000)).equals(expected)).toBe(true);
  });
});

describe('TLS destination', () => {
  let certificate: SelfSignedCertificate;
  let receiver: Receiver;
  let port: number;
  beforeAll(async () => {
    certificate = createSelfSignedCertificate();
    receiver = new Receiver(createTlsServer({ cert: certificate.cert, key: certificate.key }), 'secureConnection');
    port = await receiver.listen();
  });
  afterAll(async () => {
    await receiver.stop();
    certificate.remove();
  });

  it('delivers octet-counted frames to a self-signed receiver with insecure=1', async () => {
    const before = receiver.allBytes().length;
    const destination = track(openDestination(`tls://127.0.0.1:${port}?insecure=1`));
    for (const message of MESSAGES) destination.write(message);
    await destination.close();
    const expected = octetBytes(MESSAGES);
    expect((await receiver.waitForBytes(before + expected.length)).subarray(before)).toEqual(expected);
  });

  it('verifies the receiver against ca=FILE', async () => {
    const before = receiver.allBytes().length;
    const destination = track(openDestination(`tls://localhost:${port}?ca=${certificate.certFile}&framing=newline`));
    destination.write('verified');
    await destination.close();
    expect(destination.stats()).toEqual({ sent: 1, dropped: 0, reconnects: 0 });
    expect((await receiver.waitForBytes(before + 9)).subarray(before).toString()).toBe('verified\n');
  });

  it('verifies by default: an untrusted certificate is refused, reported, and nothing is sent', async () => {
    const before = receiver.allBytes().length;
    const errors: Error[] = [];
    let firstError = () => {};
    const refused = new Promise<void>((resolve) => {
      firstError = resolve;
    });
    const destination = track(
      openDestination(`tls://127.0.0.1:${port}`, {
        closeTimeoutMs: 100,
        reconnectDelayMs: { initial: 50, max: 50 },
        onError: (e) => {
          errors.push(e);
          firstError();
        },
      }),
    );
    destination.write('secret');
    await refused;
    await destination.close();
    expect(destination.stats()).toEqual({ sent: 0, dropped: 1, reconnects: 0 });
    expect(errors[0]?.message).toMatch(/^tls:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate/);
    expect(receiver.allBytes().length).toBe(before);
  });
});

describe('UDP destination', () => {
  it('sends one datagram per message and drops (and counts) one too large for a datagram', async () => {
    const server = createSocket('udp4');
    const datagrams: string[] = [];
    server.on('message', (datagram) => datagrams.push(datagram.toString('utf8')));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const errors: Error[] = [];
    const destination = track(openDestination(`udp://127.0.0.1:${server.address().port}`, { onError: (e) => errors.push(e) }));
    for (const message of MESSAGES) destination.write(message);
    destination.write('y'.repeat(70_000));
    await destination.flush();
    const until = Date.now() + 2_000;
    while (datagrams.length < MESSAGES.length && Date.now() < until) await sleep(10);
    server.close();
    expect(datagrams).toEqual(MESSAGES);
    expect(destination.stats()).toEqual({ sent: 3, dropped: 1, reconnects: 0 });
    expect(errors[0]?.message).toContain('does not fit in one UDP datagram');
  });

  it('counts a message whose host does not resolve as dropped', async () => {
    const errors: Error[] = [];
    const destination = track(openDestination('udp://no-such-host.invalid:514', { onError: (e) => errors.push(e) }));
    destination.write('lost');
    await destination.flush();
    expect(destination.stats()).toEqual({ sent: 0, dropped: 1, reconnects: 0 });
    expect(errors[0]?.message).toContain('udp://no-such-host.invalid:514');
  });
});

describe('file and stdout destinations', () => {
  it('appends newline-separated messages to the file, keeping what was there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fortiems-emit-'));
    try {
      const path = join(dir, 'ems.log');
      writeFileSync(path, 'earlier\n');
      const destination = track(openDestination(`file://${path}`));
      for (const message of [...MESSAGES, 'two\nlines']) destination.write(message);
      await destination.close();
      expect(readFileSync(path, 'utf8')).toBe(`earlier\n${MESSAGES.join('\n')}\ntwo\\nlines\n`);
      expect(destination.stats()).toEqual({ sent: 4, dropped: 0, reconnects: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes lines to stdout and leaves stdout open on close', async () => {
    const stdout = new PassThrough();
    let written = '';
    stdout.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const destination = track(openDestination('-', { stdout }));
    for (const message of MESSAGES) destination.write(message);
    await destination.close();
    expect(written).toBe(`${MESSAGES.join('\n')}\n`);
    expect(stdout.writableEnded).toBe(false);
    expect(stdout.listenerCount('close')).toBe(0);
  });
});
