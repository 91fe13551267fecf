import type { Client } from '@opensearch-project/opensearch';
import { type AlertChange, type AlertChangeOutcome, type AlertVersion, alertsIndex } from '../../../mappings/opensearch/alerts.js';
import { EVENTS_INDEX_PATTERN } from '../../boards/model.js';
import type { DeadLetterAccess } from '../dead-letter-types.js';
import type { SystemSnapshot } from '../system-types.js';

/** Where the events are: the same fields as the pipeline's sink target, so the lead can pass them straight through. */
export interface OpenSearchConnection {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM file of the CA that signed the cluster's certificate. */
  caFile?: string | undefined;
}

/** The EMS core admin API (`ems-core/api/`): base URL (with or without `/api/v1`) and its bearer token. */
export interface EmsApiConnection {
  url: string;
  token: string;
}

/**
 * The detection runtime's one way to change an alert (`changeAlert` of `detections/runtime/alert-workflow.ts`, which
 * the console may not import: the service passes it in). The console calls it with its own client.
 */
export type AlertChanger = (
  client: Client,
  request: { index: string; id: string; change: AlertChange; who: string; expected?: AlertVersion | undefined },
) => Promise<AlertChangeOutcome>;

export interface ConsolePluginOptions {
  opensearch: OpenSearchConnection;
  /** Indices the console searches (default `logs-fortiems.*`: every category, every namespace). */
  indexPattern?: string | undefined;
  /** Indices the alerts view reads (default `fortiems-alerts-*`: every namespace's alerts). */
  alertsIndex?: string | undefined;
  /** The one console account (configuration `console.admin_user` / `console.admin_password`). */
  adminUser: string;
  adminPassword: string;
  /** Without it, changing an alert (PATCH /api/alerts/:id) answers 503 and the drawer shows no controls. */
  changeAlert?: AlertChanger | undefined;
  /** The Dead letters view's reads and replay (built by the service on ingest/dead-letters/); without it, 503. */
  deadLetters?: DeadLetterAccess | undefined;
  /** Without it, the log-settings API answers 503 and the page says why. */
  emsApi?: EmsApiConnection | undefined;
  /** The service's metrics per component (app/service/system-snapshot.ts); without it GET /api/system answers 503. */
  systemSnapshot?: (() => Promise<SystemSnapshot>) | undefined;
  /** How long a session lives after login (default 8 h). */
  sessionTtlMs?: number | undefined;
  /** Sessions kept at once; the oldest goes first (default 1000). */
  maxSessions?: number | undefined;
  /**
   * Failed logins one address may make per minute before it gets 429 until the minute is over; also the failures for
   * one account name, from two addresses or more, that lock the account until its `accountLockMs` window ends
   * (default 5).
   */
  loginFailuresPerMinute?: number | undefined;
  /**
   * The account window, from its first failure (default 5 minutes): a lock lasts at most this long. Browsers that
   * logged in to the account before (a cookie) are not held by it.
   */
  accountLockMs?: number | undefined;
  /** Folder of the built web part (default: `dist/dashboards/console/web`, found from this file). */
  webRoot?: string | undefined;
  /** The clock, for tests of expiry and throttling (default `Date.now`). */
  now?: (() => number) | undefined;
}

export interface ResolvedConsoleOptions
  extends Required<Omit<ConsolePluginOptions, 'emsApi' | 'webRoot' | 'changeAlert' | 'systemSnapshot' | 'deadLetters'>> {
  systemSnapshot: (() => Promise<SystemSnapshot>) | undefined;
  deadLetters: DeadLetterAccess | undefined;
  emsApi: EmsApiConnection | undefined;
  changeAlert: AlertChanger | undefined;
  webRoot: string | undefined;
}

const HOUR = 3_600_000;

/** Defaults filled in, and a refusal to start without credentials: the console has no anonymous mode. */
export function resolveOptions(options: ConsolePluginOptions): ResolvedConsoleOptions {
  if (!options.adminUser || !options.adminPassword)
    throw new Error('the console needs console.admin_user and console.admin_password: there is no anonymous access');
  if (!options.opensearch?.url) throw new Error('the console needs an OpenSearch URL to read events from');
  if (options.emsApi && (!options.emsApi.url || !options.emsApi.token))
    throw new Error('the console needs both the URL and the token of the EMS core admin API');
  return {
    opensearch: options.opensearch,
    indexPattern: options.indexPattern ?? EVENTS_INDEX_PATTERN,
    alertsIndex: options.alertsIndex ?? alertsIndex('*'),
    adminUser: options.adminUser,
    adminPassword: options.adminPassword,
    emsApi: options.emsApi,
    changeAlert: options.changeAlert,
    systemSnapshot: options.systemSnapshot,
    deadLetters: options.deadLetters,
    sessionTtlMs: options.sessionTtlMs ?? 8 * HOUR,
    maxSessions: options.maxSessions ?? 1000,
    loginFailuresPerMinute: options.loginFailuresPerMinute ?? 5,
    accountLockMs: options.accountLockMs ?? 5 * 60_000,
    webRoot: options.webRoot,
    now: options.now ?? Date.now,
  };
}
