import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSelfSignedCertificate } from './tls.js';

export interface RsyslogListenerSpec {
  /** Names the listener's output file; letters, digits and dashes. */
  name: string;
  /** TLS through the gtls netstream driver (anonymous auth: the receiver does not ask for a client certificate). */
  tls?: boolean;
}

export interface RsyslogReceiver {
  /** The rsyslogd process, to prove after stop() that none is left behind. */
  readonly pid: number;
  /** Each listener's port on 127.0.0.1. */
  readonly ports: Readonly<Record<string, number>>;
  /** The receiver's self-signed certificate (also the CA file clients can verify it with). */
  readonly certFile: string;
  /** The raw messages a listener has written so far, one per received message, in arrival order. */
  received(listener: string): string[];
  /** Waits until a listener has written at least `count` messages, then returns them all. */
  waitForMessages(listener: string, count: number, timeoutMs?: number): Promise<string[]>;
  /** SIGTERM (SIGKILL after 10 s), waits for the exit, removes the temp folder. */
  stop(): Promise<void>;
}

export interface RsyslogOptions {
  listeners?: readonly RsyslogListenerSpec[];
  /** rsyslog's limit for one message; larger octet-counted messages would be truncated. */
  maxMessageSize?: string;
}

const DEFAULT_LISTENERS: readonly RsyslogListenerSpec[] = [{ name: 'tcp' }, { name: 'tls', tls: true }];
const START_TIMEOUT_MS = 15_000;
// rsyslogd lives in /usr/sbin, which an unprivileged user's PATH often lacks. RSYSLOGD names another binary.
const RSYSLOGD = process.env.RSYSLOGD ?? (existsSync('/usr/sbin/rsyslogd') ? '/usr/sbin/rsyslogd' : 'rsyslogd');

/** The config: every listener on a free loopback port (rsyslog writes the port it chose to a file) and its own output file. */
export function renderRsyslogConfig(dir: string, certFile: string, keyFile: string, options: RsyslogOptions): string {
  const listeners = options.listeners ?? DEFAULT_LISTENERS;
  const lines = [
    // Must come before any module loads, or the inputs keep the 8k default.
    `global(maxMessageSize="${options.maxMessageSize ?? '64k'}")`,
    `global(workDirectory="${dir}" net.enableDNS="off"`,
    `  defaultNetstreamDriverCAFile="${certFile}" defaultNetstreamDriverCertFile="${certFile}" defaultNetstreamDriverKeyFile="${keyFile}")`,
    'module(load="imtcp")',
    // The raw message exactly as framed by the sender, one per line: tests compare it with what they sent.
    'template(name="rawLine" type="string" string="%rawmsg%\\n")',
  ];
  for (const listener of listeners) {
    if (!/^[a-z0-9-]+$/.test(listener.name)) throw new Error(`bad rsyslog listener name '${listener.name}'`);
    lines.push(
      `ruleset(name="${listener.name}") { action(type="omfile" file="${join(dir, `${listener.name}.log`)}" template="rawLine") }`,
      `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${join(dir, `${listener.name}.port`)}"` +
        ` ruleset="${listener.name}" supportOctetCountedFraming="on"` +
        (listener.tls ? ' streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon"' : '') +
        ')',
    );
  }
  // rsyslog's own messages (config errors, TLS failures) land here, for the error a failed start reports.
  lines.push(`*.* action(type="omfile" file="${join(dir, 'rsyslogd-internal.log')}")`);
  return `${lines.join('\n')}\n`;
}

function readIfPresent(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * Starts a real rsyslogd in the foreground (`rsyslogd -n -f CONF -i PIDFILE`) as a child process, with its own config, pid
 * file, work folder and output files in a temp folder, and waits until every listener has its port.
 */
export async function startRsyslog(options: RsyslogOptions = {}): Promise<RsyslogReceiver> {
  const listeners = options.listeners ?? DEFAULT_LISTENERS;
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-rsyslog-'));
  const certificate = createSelfSignedCertificate();
  const configFile = join(dir, 'rsyslog.conf');
  writeFileSync(configFile, renderRsyslogConfig(dir, certificate.certFile, certificate.keyFile, options));
  let output = '';
  let exit: { code: number | null; signal: string | null } | undefined;
  let spawnError: Error | undefined;
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', join(dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  child.once('error', (error) => {
    spawnError = error;
  });
  // A safety net if the test process dies without stop(): never leave an rsyslogd behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cleanUp = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    certificate.remove();
  };
  const stop = async () => {
    if (!exit && !spawnError) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    cleanUp();
  };

  const ports: Record<string, number> = {};
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Object.keys(ports).length < listeners.length) {
    const failure = spawnError
      ? `could not run rsyslogd (${spawnError.message}); install it with: apt-get install rsyslog rsyslog-gnutls`
      : exit
        ? `rsyslogd exited (code ${exit.code}, signal ${exit.signal})`
        : Date.now() > deadline
          ? `rsyslogd did not open its listeners within ${START_TIMEOUT_MS} ms`
          : undefined;
    if (failure) {
      const diagnostics = `${output}${readIfPresent(join(dir, 'rsyslogd-internal.log'))}`.trim();
      await stop();
      throw new Error(`${failure}${diagnostics ? `:\n${diagnostics}` : ''}`);
    }
    for (const listener of listeners) {
      const port = Number(readIfPresent(join(dir, `${listener.name}.port`)).trim());
      if (port > 0) ports[listener.name] = port;
    }
    if (Object.keys(ports).length < listeners.length) await sleep(50);
  }

  const received = (listener: string): string[] => {
    if (!(listener in ports)) throw new Error(`no rsyslog listener named '${listener}'`);
    const text = readIfPresent(join(dir, `${listener}.log`));
    return text === '' ? [] : text.replace(/\n$/, '').split('\n');
  };
  return {
    pid: child.pid as number,
    ports,
    certFile: certificate.certFile,
    received,
    async waitForMessages(listener, count, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const messages = received(listener);
        if (messages.length >= count || Date.now() > until) return messages;
        await sleep(50);
      }
    },
    stop,
  };
}
