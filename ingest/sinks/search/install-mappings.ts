/**
 * `installMappings()`: puts what mappings/opensearch generates into a cluster, idempotently (run twice → same state).
 *
 * Order matters:
 * 1. component templates, then the composable index templates that use them;
 * 2. the ISM policy `fortiems-logs`, when the ISM plugin is there — BEFORE the data streams, because ISM only
 *    auto-manages indices created after the policy's ism_template was stored. Without the plugin (the managed node is
 *    core only) retention is skipped with a warning in the result, never an error;
 * 3. the ten data streams `logs-fortiems.<short>-<namespace>`: created, or, when they exist, their mapping updated in
 *    place with the new template's mapping (additive changes apply at once; a conflicting change waits for the next
 *    rollover and is reported as a warning).
 */
import type { Client } from '@opensearch-project/opensearch';
import { CATALOGUE, dataStreamName } from '../../../mappings/index.js';
import {
  buildTemplates,
  DEFAULT_RETENTION_DAYS,
  ISM_POLICY_ID,
  type IsmPolicyBody,
  ismPolicy,
  mergedMappingFor,
} from '../../../mappings/opensearch/index.js';
import { ActionableError } from '../../../platform/errors.js';

export interface InstallMappingsOptions {
  retentionDays?: number;
  /** data_stream.namespace of the data streams to create; `default` unless multi-tenant. */
  namespace?: string;
  log?: (line: string) => void;
}

export type IsmOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; policyId: string; retentionDays: number }
  | { status: 'skipped'; policyId: string; retentionDays: number; reason: string };

export interface InstallMappingsResult {
  componentTemplates: string[];
  indexTemplates: string[];
  dataStreams: { name: string; created: boolean }[];
  ism: IsmOutcome;
  warnings: string[];
}

export const ISM_MISSING_WARNING =
  'ISM plugin not installed: no ISM retention policy; a running fortiems enforces retention itself (retention.mode auto, ' +
  'or `fortiems mappings retention`); otherwise the data streams grow until their backing indices are deleted by hand';

const ISM_PLUGIN = 'opensearch-index-management';

interface OpenSearchErrorShape {
  meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } | string } };
  message?: string;
}

function errorReason(error: unknown): string {
  const body = (error as OpenSearchErrorShape).meta?.body;
  if (typeof body?.error === 'object') return `${body.error.type}: ${body.error.reason}`;
  if (typeof body?.error === 'string') return body.error;
  return (error as Error).message;
}

/** True when the cluster runs the Index State Management plugin. */
export async function hasIsmPlugin(client: Client): Promise<boolean> {
  try {
    const plugins = await client.cat.plugins({ format: 'json' });
    return plugins.body.some((plugin) => plugin.component === ISM_PLUGIN);
  } catch {
    // _cat/plugins may be forbidden to this user: ask the ISM endpoint itself (core answers 400 "no handler found").
    const probe = await client.transport.request({ method: 'GET', path: '/_plugins/_ism/policies' }, { ignore: [400, 401, 403, 404, 405] });
    return probe.statusCode === 200;
  }
}

interface StoredPolicy {
  _seq_no: number;
  _primary_term: number;
  policy: { description?: string; default_state?: string; ism_template?: { index_patterns?: string[]; priority?: number }[] | null };
}

/** The stored policy matches the wanted one in what we generate (OpenSearch adds defaults, so no deep equality). */
function samePolicy(stored: StoredPolicy['policy'], wanted: IsmPolicyBody['policy']): boolean {
  const templates = (stored.ism_template ?? []).map((t) => ({ index_patterns: t.index_patterns, priority: t.priority }));
  return (
    stored.description === wanted.description &&
    stored.default_state === wanted.default_state &&
    JSON.stringify(templates) === JSON.stringify(wanted.ism_template)
  );
}

async function installIsmPolicy(client: Client, retentionDays: number, log: (line: string) => void): Promise<IsmOutcome> {
  const wanted = ismPolicy({ retentionDays });
  const current = await client.ism.getPolicy({ policy_id: ISM_POLICY_ID }, { ignore: [404] });
  if (current.statusCode === 404) {
    await client.ism.putPolicy({ policy_id: ISM_POLICY_ID, body: wanted as never });
    log(`ISM policy ${ISM_POLICY_ID} created (delete after ${retentionDays} days)`);
    return { status: 'created', policyId: ISM_POLICY_ID, retentionDays };
  }
  const stored = current.body as unknown as StoredPolicy;
  if (samePolicy(stored.policy, wanted.policy)) return { status: 'unchanged', policyId: ISM_POLICY_ID, retentionDays };
  // ISM refuses to overwrite a policy without the sequence number of the version being replaced.
  await client.ism.putPolicy({
    policy_id: ISM_POLICY_ID,
    if_seq_no: stored._seq_no,
    if_primary_term: stored._primary_term,
    body: wanted as never,
  });
  log(`ISM policy ${ISM_POLICY_ID} updated (delete after ${retentionDays} days; applies to indices created from now on)`);
  return { status: 'updated', policyId: ISM_POLICY_ID, retentionDays };
}

/** Creates the data stream; false when it already exists. An ordinary index squatting the name is an actionable error. */
async function ensureDataStream(client: Client, name: string): Promise<boolean> {
  try {
    await client.indices.createDataStream({ name });
    return true;
  } catch (error) {
    // Already a data stream: resource_already_exists_exception. A plain index of that name: illegal_state_exception
    // ("data stream [...] conflicts with index") on 2.19. Ask the cluster rather than parse the message.
    const existing = await client.indices.getDataStream({ name }, { ignore: [404] });
    if (existing.statusCode === 200 && existing.body.data_streams.some((stream) => stream.name === name)) return false;
    const plainIndex = await client.indices.exists({ index: name });
    if (plainIndex.body) {
      throw new ActionableError(
        `'${name}' exists as a plain index (written before the templates were installed?), so it cannot become a data stream`,
        `move its documents elsewhere (reindex) and delete it (DELETE /${name}), then run \`fortiems mappings install\` again`,
        errorReason(error),
      );
    }
    throw error;
  }
}

/** Installs the templates, the ISM policy (when the plugin is there) and the data streams; safe to run again. */
export async function installMappings(client: Client, options: InstallMappingsOptions = {}): Promise<InstallMappingsResult> {
  const log = options.log ?? (() => undefined);
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  ismPolicy({ retentionDays }); // validate the parameter before touching the cluster
  const namespace = options.namespace ?? 'default';
  const templates = buildTemplates();
  const warnings: string[] = [];

  for (const [name, body] of Object.entries(templates.componentTemplates)) {
    await client.cluster.putComponentTemplate({ name, body: body as never });
  }
  log(`component templates: ${Object.keys(templates.componentTemplates).join(', ')}`);
  for (const [name, body] of Object.entries(templates.indexTemplates)) {
    await client.indices.putIndexTemplate({ name, body: body as never });
  }
  log(`index templates: ${Object.keys(templates.indexTemplates).join(', ')}`);

  let ism: IsmOutcome;
  if (await hasIsmPlugin(client)) ism = await installIsmPolicy(client, retentionDays, log);
  else {
    ism = { status: 'skipped', policyId: ISM_POLICY_ID, retentionDays, reason: ISM_MISSING_WARNING };
    warnings.push(ISM_MISSING_WARNING);
    log(`warning: ${ISM_MISSING_WARNING}`);
  }

  const dataStreams: InstallMappingsResult['dataStreams'] = [];
  for (const category of CATALOGUE) {
    const name = dataStreamName(category.name, namespace);
    const created = await ensureDataStream(client, name);
    dataStreams.push({ name, created });
    if (created) continue;
    try {
      await client.indices.putMapping({ index: name, body: mergedMappingFor(category.name, templates) as never });
    } catch (error) {
      const warning = `the mapping of existing data stream ${name} could not be updated in place (${errorReason(error)}); it applies from the next rollover (POST /${name}/_rollover)`;
      warnings.push(warning);
      log(`warning: ${warning}`);
    }
  }
  const created = dataStreams.filter((stream) => stream.created).length;
  log(`data streams: ${created} created, ${dataStreams.length - created} already there`);

  return {
    componentTemplates: Object.keys(templates.componentTemplates),
    indexTemplates: Object.keys(templates.indexTemplates),
    dataStreams,
    ism,
    warnings,
  };
}
