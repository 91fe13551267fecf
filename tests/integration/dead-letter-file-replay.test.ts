import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../ingest/buffers/memory-buffer.js';
import { createSyslogSink } from '../../ingest/forward/create-syslog-sink.js';
import { METRIC_NAMES } from '../../platform/telemetry/component-telemetry.js';
import { MetricsRegistry } from '../../platform/telemetry/metrics-registry.js';
import { runDeadLetterCli } from '../support/run-dead-letter-cli.js';
import { sampleEvents, until } from '../support/sample-events.js';

/**
 * A forwarding sink's dead letters re-driven: a UDP syslog sink dead-letters a message too large for a datagram (to
 * `<data_dir>/dead-letter/<id>.ndjson`); the sink is then configured for TCP, and `fortiems dead-letter replay --sink`
 * sends the message as it was formatted, empties the file, and a second replay sends nothing.
 */
describe('fortiems dead-letter replay --sink for a forwarding sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-dlfile-'));
  const file = join(dir, 'dead-letter', 'siem.ndjson');
  let udp: Socket;
  let udpPort = 0;
  let tcp: Server;
  let tcpPort = 0;
  const udpMessages: string[] = [];
  let tcpText = '';

  beforeAll(async () => {
    udp = createSocket('udp4');
    udp.on('message', (message) => udpMessages.push(message.toString('utf8')));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    udpPort = udp.address().port;
    tcp = createServer((socket) => socket.on('data', (chunk) => (tcpText += chunk.toString('utf8'))));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    tcpPort = (tcp.address() as { port: number }).port;
  });

  afterAll(async () => {
    udp.close();
    await new Promise((resolve) => tcp.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-sends the dead-lettered message through the sink as configured now, rewrites the file without it, and is idempotent', async () => {
    const events = sampleEvents('default', 1).slice(0, 3);
    const big = events[1];
    if (!big) throw new Error('no sample');
    // Too large for a datagram once formatted: the UDP driver refuses it, the helper dead-letters it.
    big.document.message = `huge ${'x'.repeat(70_000)} ünïcode <img src=x>`;
    const registry = new MetricsRegistry();
    const buffer = new MemoryBuffer(100_000_000);
    const sink = createSyslogSink(
      'siem',
      { type: 'syslog', address: `127.0.0.1:${udpPort}`, mode: 'udp', format: 'json', batch: { timeout_ms: 20 } },
      { buffer, registry, dataDir: dir },
    );
    await sink.start();
    await sink.accept(events);
    await until(() => buffer.depth().events === 0, 'every event settled');
    await sink.stop(5000);
    expect(registry.get(METRIC_NAMES.deadLettered)?.total()).toBe(1);
    const letter = JSON.parse(readFileSync(file, 'utf8').trim()) as { payload: string; error: { type: string } };
    expect(letter).toMatchObject({ error: { type: 'message_too_large' }, sink: 'siem', format: 'json', attempts: 1 });
    expect(letter.payload.length).toBeGreaterThan(65_507);

    // Still UDP: refused again, kept with its new count, exit 1.
    const udpConfig = join(dir, 'udp.yaml');
    writeFileSync(
      udpConfig,
      `data_dir: ${JSON.stringify(dir)}\nsinks:\n  siem:\n    type: syslog\n    address: 127.0.0.1:${udpPort}\n    mode: udp\n    format: json\n`,
    );
    const refused = await runDeadLetterCli(['replay', '--config', udpConfig, '--sink', 'siem']);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('1 lines, 1 replayed, 0 delivered, 1 still failing, 0 unreadable, 0 deleted');
    expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ payload: letter.payload, replays: 1 });

    // The fix: the sink goes over TCP (newline framing), where the message fits.
    const tcpConfig = join(dir, 'tcp.yaml');
    writeFileSync(
      tcpConfig,
      `data_dir: ${JSON.stringify(dir)}\nsinks:\n  siem:\n    type: syslog\n    address: 127.0.0.1:${tcpPort}\n    mode: tcp\n    framing: newline\n    format: json\n`,
    );
    const listed = await runDeadLetterCli(['list', '--config', tcpConfig, '--sink', 'siem']);
    expect(listed.out).toContain(`1 dead letters in ${file}`);
    const replay = await runDeadLetterCli(['replay', '--config', tcpConfig, '--sink', 'siem']);
    expect(replay.err).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.out).toContain('1 lines, 1 replayed, 1 delivered, 0 still failing, 0 unreadable, 1 deleted');
    await until(() => tcpText.endsWith('\n'), 'the message over TCP');
    expect(tcpText).toBe(`${letter.payload}\n`);
    // Every letter delivered: no file left (the sink starts a new one with its next letter).
    expect(existsSync(file)).toBe(false);

    const again = await runDeadLetterCli(['replay', '--config', tcpConfig, '--sink', 'siem']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('0 lines, 0 replayed, 0 delivered');
    expect(tcpText).toBe(`${letter.payload}\n`);
    expect(udpMessages).toHaveLength(2);
  });
});
