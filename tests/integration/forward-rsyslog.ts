/**
 * A real rsyslogd as the forwarding sink's receiver: UDP, TCP and TLS listeners on fixed loopback ports (so a restart
 * listens where the sink reconnects), each writing what rsyslog PARSED (PRI, HOSTNAME, APP-NAME, MSGID, STRUCTURED-DATA,
 * MSG) and the raw message as one JSON line per message. tests/support/rsyslog.ts serves the emitter tests (raw TCP/TLS
 * only); this one adds UDP, parsed fields and restarts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accepts, readIfPresent, readJsonLines, waitForJsonLines } from '../support/receiver-output.js';
import { createSelfSignedCertificate } from '../support/tls.js';

export type Protocol = 'udp' | 'tcp' | 'tls';
export interface ParsedMessage {
  pri: string;
  host: string;
  app: string;
  msgid: string;
  sd: string;
  msg: string;
  raw: string;
}

const RSYSLOGD = process.env.RSYSLOGD ?? (existsSync('/usr/sbin/rsyslogd') ? '/usr/sbin/rsyslogd' : 'rsyslogd');

/** A free port for `protocol` on 127.0.0.1 (asked of the kernel, then released for rsyslog). */
export async function freePort(protocol: 'udp' | 'tcp'): Promise<number> {
  if (protocol === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

const FIELD = (name: string, property: string) => `\\"${name}\\":\\"%${property}:::json%\\"`;

function render(dir: string, certFile: string, keyFile: string, listeners: Record<string, { protocol: Protocol; port: number }>): string {
  const lines = [
    'global(maxMessageSize="256k" parser.escapeControlCharacterTab="off")',
    `global(workDirectory="${dir}" net.enableDNS="off" defaultNetstreamDriverCAFile="${certFile}"`,
    `  defaultNetstreamDriverCertFile="${certFile}" defaultNetstreamDriverKeyFile="${keyFile}")`,
    'module(load="imtcp")',
    'module(load="imudp")',
    `template(name="parsed" type="string" string="{${[
      FIELD('pri', 'pri'),
      FIELD('host', 'hostname'),
      FIELD('app', 'app-name'),
      FIELD('msgid', 'msgid'),
      FIELD('sd', 'structured-data'),
      FIELD('msg', 'msg'),
      FIELD('raw', 'rawmsg'),
    ].join(',')}}\\n")`,
  ];
  for (const [name, { protocol, port }] of Object.entries(listeners)) {
    lines.push(`ruleset(name="${name}") { action(type="omfile" file="${join(dir, `${name}.log`)}" template="parsed") }`);
    lines.push(
      protocol === 'udp'
        ? `input(type="imudp" address="127.0.0.1" port="${port}" ruleset="${name}")`
        : `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="${name}" supportOctetCountedFraming="on"` +
            (protocol === 'tls' ? ' streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon"' : '') +
            ')',
    );
  }
  lines.push(`*.* action(type="omfile" file="${join(dir, 'internal.log')}")`);
  return `${lines.join('\n')}\n`;
}

export interface ForwardReceiver {
  readonly ports: Readonly<Record<string, number>>;
  readonly caFile: string;
  received(listener: string): ParsedMessage[];
  waitFor(listener: string, count: number, timeoutMs?: number): Promise<ParsedMessage[]>;
  /** Stops rsyslogd (SIGTERM); the output files stay. */
  pause(): Promise<void>;
  /** Starts it again on the same ports. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startForwardRsyslog(listeners: Record<string, Protocol>): Promise<ForwardReceiver> {
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-fwd-rsyslog-'));
  const certificate = createSelfSignedCertificate();
  const specs: Record<string, { protocol: Protocol; port: number }> = {};
  for (const [name, protocol] of Object.entries(listeners))
    specs[name] = { protocol, port: await freePort(protocol === 'udp' ? 'udp' : 'tcp') };
  const configFile = join(dir, 'rsyslog.conf');
  writeFileSync(configFile, render(dir, certificate.certFile, certificate.keyFile, specs));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async () => {
    let output = '';
    const started = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let gone = false;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    exited.then(() => (gone = true));
    started.once('error', (error) => (output += error.message));
    child = started;
    // rsyslog has no ready signal for fixed ports: wait until every TCP port accepts connections.
    const deadline = Date.now() + 15_000;
    for (const { protocol, port } of Object.values(specs)) {
      if (protocol === 'udp') continue;
      while (!(await accepts(port))) {
        if (gone || Date.now() > deadline) throw new Error(`rsyslogd did not start: ${output}${readIfPresent(join(dir, 'internal.log'))}`);
        await sleep(50);
      }
    }
    await sleep(200); // imudp binds in the same start-up; give it a moment
  };
  const halt = async () => {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const received = (listener: string): ParsedMessage[] => readJsonLines<ParsedMessage>(join(dir, `${listener}.log`));
  await launch();
  return {
    ports: Object.fromEntries(Object.entries(specs).map(([name, { port }]) => [name, port])),
    caFile: certificate.certFile,
    received,
    waitFor: (listener, count, timeoutMs = 30_000) => waitForJsonLines<ParsedMessage>(join(dir, `${listener}.log`), count, timeoutMs),
    pause: halt,
    resume: launch,
    async stop() {
      await halt();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
      certificate.remove();
    },
  };
}
