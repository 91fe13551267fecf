import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../../platform/concurrency/sleep.js';
import { ActionableError } from '../../platform/errors.js';
import type { ServiceIdentity } from './service-user.js';

/**
 * True while a process with this pid exists and (when /proc tells) its command line holds one of the markers, so a
 * recycled pid is not mistaken for our server.
 */
export function isProcessAlive(pid: number, markers: string[]): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return markers.some((marker) => cmdline.includes(marker));
  } catch {
    return true; // no /proc (macOS): trust the signal check
  }
}

/** Signals the whole process group first (the server was started detached as its leader), then the pid alone. */
export function signalTree(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // not a group leader: fall through to the single process
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(intervalMs);
  }
  return condition();
}

/** SIGTERM to the group, and SIGKILL when it outlives the grace period. */
export async function stopProcess(pid: number, graceMs: number, isAlive: (pid: number) => boolean): Promise<void> {
  signalTree(pid, 'SIGTERM');
  if (await waitUntil(() => !isAlive(pid), graceMs)) return;
  signalTree(pid, 'SIGKILL');
  await waitUntil(() => !isAlive(pid), 10_000);
}

export interface DetachedProcess {
  pid: number;
  /** The exit code once it has exited (128 for a signal), else null. */
  exitCode(): number | null;
}

/**
 * Starts a server as the leader of its own process group (so stop reaches its children and it outlives the CLI),
 * stdout and stderr appended to `consoleLog`, as `identity` when given. Every managed server starts here.
 */
export function spawnDetached(options: {
  /** The server's name in the error when it cannot be spawned. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  consoleLog: string;
  identity?: ServiceIdentity | undefined;
}): DetachedProcess {
  const consoleLog = openSync(options.consoleLog, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', consoleLog, consoleLog],
    env: options.env,
    ...(options.identity ? { uid: options.identity.uid, gid: options.identity.gid } : {}),
  });
  closeSync(consoleLog);
  child.unref();
  let exitCode: number | null = null;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? 128 : 1);
  });
  child.once('error', () => {
    exitCode ??= 127;
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new ActionableError(
      `${options.name} could not be spawned`,
      `check that ${options.command} exists and is executable${options.identity ? ` by ${options.identity.name}` : ''}`,
    );
  return { pid, exitCode: () => exitCode };
}

/** The state file (pid, address, version) a running instance leaves in its folder for `status` and `stop`. */
export async function readStateFile<T>(instanceDir: string, file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(instanceDir, file), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function writeStateFile(instanceDir: string, file: string, state: unknown): Promise<void> {
  await writeFile(join(instanceDir, file), `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeStateFile(instanceDir: string, file: string): Promise<void> {
  await rm(join(instanceDir, file), { force: true });
}
