/**
 * A real syslog-ng as a test receiver. Debian's syslog-ng-core conflicts with rsyslog (both provide system-log-daemon),
 * so it is not installed: `.ci/run` downloads the package and extracts it (`dpkg -x`) into a cache folder, and this runs
 * the binary from there (LD_LIBRARY_PATH, --module-path) in the foreground with a private config, pid, persist and
 * control files in a temp folder. Each source writes what syslog-ng parsed as one JSON line per message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync as readdir, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accepts, readJsonLines, waitForJsonLines } from './receiver-output.js';

/** Where `.ci/run` extracts the package; SYSLOG_NG_HOME overrides it. */
export const SYSLOG_NG_HOME =
  process.env.SYSLOG_NG_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'fortiems', 'syslog-ng');

/** `syslog`: RFC 5424 with octet counting (syslog-ng's syslog() driver); `network`: RFC 3164, newline framed. */
export type SyslogNgSourceKind = 'syslog' | 'network';

export interface SyslogNgMessage {
  pri: string;
  host: string;
  program: string;
  msgid: string;
  sdata: string;
  msg: string;
}

export interface SyslogNgReceiver {
  readonly ports: Readonly<Record<string, number>>;
  received(source: string): SyslogNgMessage[];
  waitFor(source: string, count: number, timeoutMs?: number): Promise<SyslogNgMessage[]>;
  stop(): Promise<void>;
}

function binary(): { exe: string; modules: string; libs: string } {
  const exe = join(SYSLOG_NG_HOME, 'usr', 'sbin', 'syslog-ng');
  const libs = join(SYSLOG_NG_HOME, 'usr', 'lib', 'syslog-ng');
  const version = existsSync(libs) ? (readdir(libs).find((name) => /^\d+\.\d+$/.test(name)) ?? '') : '';
  if (!existsSync(exe) || !version)
    throw new Error(
      `syslog-ng is not extracted in ${SYSLOG_NG_HOME}: run .ci/run, or by hand: apt-get install libivykis0 libnet1 libpcre3 libwrap0 && ` +
        `apt-get download syslog-ng-core && dpkg -x syslog-ng-core_*.deb ${SYSLOG_NG_HOME}`,
    );
  return { exe, modules: join(libs, version), libs };
}

function render(dir: string, sources: Record<string, { kind: SyslogNgSourceKind; port: number }>): string {
  const lines = [
    '@version: 3.38',
    'options { keep-hostname(yes); chain-hostnames(no); use-dns(no); stats-freq(0); log-msg-size(262144); };',
  ];
  for (const [name, { kind, port }] of Object.entries(sources)) {
    lines.push(
      kind === 'syslog'
        ? `source s_${name} { syslog(ip("127.0.0.1") port(${port}) transport("tcp")); };`
        : `source s_${name} { network(ip("127.0.0.1") port(${port}) transport("tcp")); };`,
      `destination d_${name} { file("${join(dir, `${name}.log`)}" template("$(format-json pri=\${PRI} host=\${HOST} program=\${PROGRAM} msgid=\${MSGID} sdata=\${SDATA} msg=\${MSG})\\n")); };`,
      `log { source(s_${name}); destination(d_${name}); };`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Starts syslog-ng with the sources on the given free ports; throws a clear error when it is not extracted. */
export async function startSyslogNg(sources: Record<string, { kind: SyslogNgSourceKind; port: number }>): Promise<SyslogNgReceiver> {
  const { exe, modules, libs } = binary();
  const dir = mkdtempSync(join(tmpdir(), 'fortiems-syslog-ng-'));
  const config = join(dir, 'syslog-ng.conf');
  writeFileSync(config, render(dir, sources));
  let output = '';
  const child: ChildProcess = spawn(
    exe,
    [
      '-F',
      '--no-caps',
      '-f',
      config,
      `--module-path=${modules}`,
      '-p',
      join(dir, 'pid'),
      '-R',
      join(dir, 'persist'),
      '-c',
      join(dir, 'ctl'),
      '--stderr',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (output += error.message));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (const { port } of Object.values(sources))
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`syslog-ng did not start: ${output.trim()}`);
      }
      await sleep(50);
    }
  const received = (source: string): SyslogNgMessage[] => readJsonLines<SyslogNgMessage>(join(dir, `${source}.log`));
  return {
    ports: Object.fromEntries(Object.entries(sources).map(([name, { port }]) => [name, port])),
    received,
    waitFor: (source, count, timeoutMs = 30_000) => waitForJsonLines<SyslogNgMessage>(join(dir, `${source}.log`), count, timeoutMs),
    stop,
  };
}
