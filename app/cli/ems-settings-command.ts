import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import {
  applyPatch,
  type LogSettings,
  type LogSettingsPatch,
  type SettingChange,
  SettingsError,
} from '../../ems-core/log-settings/settings.js';
import { SettingsFile } from '../../ems-core/log-settings/store.js';
import { EmsApiClient, type EmsApiReply, EmsApiUnavailableError } from '../../platform/ems-client/ems-api-client.js';
import { ActionableError } from '../../platform/errors.js';
import { stdoutLog } from './options.js';

export const DEFAULT_EMS_URL = 'http://127.0.0.1:8090';
const TOKEN_ENV = 'FORTIEMS_EMS_TOKEN';
const REQUEST_TIMEOUT_MS = 10_000;
const ASSIGNMENT_EXAMPLES = 'ems-vpn.enabled=false ems-adconnector.level=debug retentionDays=14';

interface TargetOptions {
  url: string;
  token?: string;
  file?: string;
}

// ---------------------------------------------------------------- assignments → one patch

/**
 * `ems-vpn.enabled=false`, `ems-adconnector.level=debug`, `retentionDays=14`, `destinations=[...]` → one patch.
 * Values are read as JSON when they parse (false, 14, [...]) and as text otherwise (debug). Only the syntax is
 * checked here: which settings and values exist is for applyPatch to say, so the CLI and the API give the same answers.
 */
export function assignmentsToPatch(assignments: string[]): LogSettingsPatch {
  const patch: Record<string, unknown> = {};
  const categories: Record<string, Record<string, unknown>> = {};
  for (const assignment of assignments) {
    const match = /^([^=\s]+)=(.*)$/s.exec(assignment);
    if (!match) {
      throw new ActionableError(`'${assignment}' is not an assignment`, `write SETTING=VALUE, e.g. ${ASSIGNMENT_EXAMPLES}`);
    }
    const [, key = '', text = ''] = match;
    const value = readValue(text);
    const dot = key.lastIndexOf('.');
    if (dot === -1) {
      patch[key] = value;
    } else {
      const category = key.slice(0, dot);
      const setting = categories[category] ?? {};
      setting[key.slice(dot + 1)] = value;
      categories[category] = setting;
    }
  }
  if (Object.keys(categories).length > 0) patch.categories = categories;
  return patch as LogSettingsPatch;
}

function readValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------- printing

function printSettings(settings: LogSettings): void {
  stdoutLog('categories:');
  for (const [name, setting] of Object.entries(settings.categories)) {
    stdoutLog(`  ${name.padEnd(20)} ${(setting.enabled ? 'enabled' : 'disabled').padEnd(9)} from ${setting.level}`);
  }
  stdoutLog('destinations:');
  if (settings.destinations.length === 0) stdoutLog('  (none)');
  for (const d of settings.destinations) {
    stdoutLog(`  ${d.name}: ${d.protocol}://${d.host}:${d.port} ${d.format} facility ${d.facility}${d.enabled ? '' : ' (disabled)'}`);
  }
  stdoutLog(`retentionDays: ${settings.retentionDays}`);
}

function printChanges(changes: SettingChange[]): void {
  if (changes.length === 0) stdoutLog('no change: the settings already say that');
  for (const change of changes) stdoutLog(`${change.setting}: ${change.oldValue} -> ${change.newValue}`);
}

function problemsError(problems: string[]): ActionableError {
  return new ActionableError(
    'the log settings were rejected',
    `correct these and retry; assignments look like ${ASSIGNMENT_EXAMPLES}`,
    problems.map((problem) => `  - ${problem}`).join('\n'),
  );
}

// ---------------------------------------------------------------- the admin API over HTTP

/** The server's root and the /api/v1 address `fortiems ems serve` prints are both accepted (see emsApiBase). */
function checkApiUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ActionableError(`'${base}' is not a URL`, `pass --url like ${DEFAULT_EMS_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ActionableError(`'${base}' is not an http(s) URL`, `pass --url like ${DEFAULT_EMS_URL}`);
  return base;
}

function tokenOf(options: TargetOptions): string {
  const token = options.token ?? process.env[TOKEN_ENV];
  if (!token) {
    throw new ActionableError(
      'no EMS admin token',
      `pass --token TOKEN or set ${TOKEN_ENV} to the token \`fortiems ems serve\` printed (or edit a settings file offline with --file)`,
    );
  }
  return token;
}

function unreachable(url: URL, error: EmsApiUnavailableError): ActionableError {
  const reason = error.timedOut
    ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
    : error.code === 'ECONNREFUSED'
      ? 'connection refused'
      : (error.code ?? (error.cause as Error).message);
  return new ActionableError(
    `cannot reach the EMS admin API at ${url.origin} (${reason})`,
    'start the EMS core with `fortiems ems serve`, or pass --url with the address it listens on',
  );
}

/** Who the EMS audit line names: the local user, when the API's rule for admin names allows it (else the API says 'api'). */
function auditName(): string | undefined {
  try {
    const name = userInfo().username;
    return /^[A-Za-z0-9._@-]{1,64}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

async function callAdminApi<T>(options: TargetOptions, method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<T> {
  const client = new EmsApiClient({ url: checkApiUrl(options.url), token: tokenOf(options), timeoutMs: REQUEST_TIMEOUT_MS });
  let reply: EmsApiReply;
  try {
    reply = await client.request(method, path, { body, admin: auditName() });
  } catch (error) {
    if (error instanceof EmsApiUnavailableError) throw unreachable(client.url(path), error);
    throw error;
  }
  const answer = reply.json as Record<string, unknown> | undefined;
  const ok = reply.status >= 200 && reply.status < 300;
  if (reply.status === 401) {
    throw new ActionableError(
      'the EMS admin API refused the token (401 unauthorized)',
      `pass the admin token the EMS core was started with, via --token or ${TOKEN_ENV}`,
    );
  }
  if (reply.status === 400 && Array.isArray(answer?.problems)) throw problemsError(answer.problems.map(String));
  if (!ok || answer === undefined) {
    throw new ActionableError(
      `the EMS admin API answered ${method} ${reply.url.pathname} with ${reply.status} ${reply.statusText}`,
      'check that --url points at the EMS core admin API (`fortiems ems serve`)',
      typeof answer?.message === 'string' ? answer.message : undefined,
    );
  }
  return answer as T;
}

// ---------------------------------------------------------------- a settings file, offline

function loadFile(file: SettingsFile): LogSettings {
  try {
    return file.load();
  } catch (error) {
    if (error instanceof SettingsError) throw problemsError(error.problems);
    throw new ActionableError((error as Error).message, `fix or delete ${file.path} (a missing file means the defaults)`);
  }
}

function editFile(path: string, patch: LogSettingsPatch): SettingChange[] {
  const file = new SettingsFile(path);
  let next: ReturnType<typeof applyPatch>;
  try {
    next = applyPatch(loadFile(file), patch);
  } catch (error) {
    if (error instanceof SettingsError) throw problemsError(error.problems);
    throw error;
  }
  if (next.changes.length === 0) return [];
  try {
    file.save(next.settings);
  } catch (error) {
    throw new ActionableError(`cannot write ${path}: ${(error as Error).message}`, 'check the path and its permissions');
  }
  return next.changes;
}

// ---------------------------------------------------------------- commands

function withTargetOptions(command: Command): Command {
  return command
    .option('--url <url>', 'EMS core admin API', DEFAULT_EMS_URL)
    .option('--token <token>', `admin token (default: $${TOKEN_ENV})`)
    .addOption(new Option('--file <path>', 'edit a log settings file offline instead of the running EMS').conflicts(['url', 'token']));
}

/** Adds `settings show` and `settings set <assignment...>` to the `ems` command. */
export function registerEmsSettingsCommand(emsCommand: Command): void {
  const settings = emsCommand.command('settings').description('show or change the EMS log settings (running EMS or a settings file)');

  withTargetOptions(settings.command('show').description('print the log settings'))
    .option('--json', 'print the settings as JSON')
    .action(async (options: TargetOptions & { json?: boolean }) => {
      const current = options.file
        ? loadFile(new SettingsFile(options.file))
        : await callAdminApi<LogSettings>(options, 'GET', '/log-settings');
      if (options.json) stdoutLog(JSON.stringify(current, null, 2));
      else printSettings(current);
    });

  withTargetOptions(
    settings
      .command('set')
      .description(`change log settings in one step and print what changed, e.g. ${ASSIGNMENT_EXAMPLES}`)
      .argument('<assignment...>', 'CATEGORY.enabled=true|false, CATEGORY.level=LEVEL, retentionDays=DAYS, destinations=JSON'),
  ).action(async (assignments: string[], options: TargetOptions) => {
    const patch = assignmentsToPatch(assignments);
    const changes = options.file
      ? editFile(options.file, patch)
      : (await callAdminApi<{ changes: SettingChange[] }>(options, 'PATCH', '/log-settings', patch)).changes;
    printChanges(changes);
  });
}
