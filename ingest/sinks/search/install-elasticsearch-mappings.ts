/**
 * `installElasticsearchMappings()`: what `installMappings()` puts into OpenSearch, put into Elasticsearch, idempotently:
 * 1. the cluster is checked to be an Elasticsearch (the client refuses any other product with an error that does not
 *    say what to change);
 * 2. the ILM policy `fortiems-logs` when the cluster has ILM (a full distribution does; a core-only build such as the
 *    integ-test-zip does not: retention is then skipped with a warning, never an error), before the templates that
 *    name it: an index created meanwhile would otherwise name a policy that does not exist yet (ILM reports it in error);
 * 3. the component and index templates (`elasticsearchTemplates()`: `flattened`, `index.lifecycle.name`);
 * 4. the data streams of the namespace: created, or their mapping updated in place when they exist. Without the
 *    `_data_stream` API (it is a module) they are left to the first bulk `create`, which makes them from our template.
 */
import type { Client } from '@elastic/elasticsearch';
import { CATALOGUE, dataStreamName, elasticsearchTemplates, ILM_POLICY_ID, ilmPolicy, mergedMappingFor } from '../../../mappings/index.js';
import { DEFAULT_RETENTION_DAYS } from '../../../mappings/opensearch/index.js';
import { ActionableError } from '../../../platform/errors.js';
import type { InstallMappingsOptions, IsmOutcome } from './install-mappings.js';

/** The same options as the OpenSearch install. */
export type InstallElasticsearchMappingsOptions = InstallMappingsOptions;

/** What happened to the lifecycle policy: the ISM outcome's shape, for the ILM policy. */
export type IlmOutcome = IsmOutcome;

export interface InstallElasticsearchMappingsResult {
  componentTemplates: string[];
  indexTemplates: string[];
  /** `created: undefined` when the cluster has no `_data_stream` API (the first bulk `create` makes the stream). */
  dataStreams: { name: string; created: boolean | undefined }[];
  ilm: IlmOutcome;
  warnings: string[];
}

export const ILM_MISSING_WARNING =
  'Elasticsearch has no index lifecycle management (ILM): retention not enforced; the fortiems data streams grow until their ' +
  'backing indices are deleted by hand (use a distribution with the x-pack-ilm module, then restart the sink)';

interface ErrorShape {
  meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } | string } };
  message?: string;
}

function errorReason(error: unknown): string {
  const body = (error as ErrorShape).meta?.body;
  if (typeof body?.error === 'object') return `${body.error.type}: ${body.error.reason}`;
  if (typeof body?.error === 'string') return body.error;
  return (error as Error).message;
}

/** Status and body of a request whose failure statuses are answers, not errors. */
async function probe(client: Client, method: 'GET' | 'PUT', path: string): Promise<{ status: number; body: unknown }> {
  const response = await client.transport.request({ method, path }, { meta: true, ignore: [400, 401, 403, 404, 405] });
  return { status: response.statusCode ?? 0, body: response.body };
}

/**
 * Whether the cluster is an Elasticsearch: the client refuses any server that does not say it is one (its
 * `x-elastic-product` check), and an OpenSearch root answer names its distribution. Undefined when it cannot tell (the
 * integ-test-zip does not serve the root: it lacks the rest-root module).
 */
export async function detectEngine(client: Client): Promise<'elasticsearch' | 'other' | undefined> {
  let root: { status: number; body: unknown };
  try {
    root = await probe(client, 'GET', '/');
  } catch (error) {
    if ((error as Error).name === 'ProductNotSupportedError') return 'other';
    throw error;
  }
  if (root.status !== 200) return undefined;
  const version = (root.body as { version?: { distribution?: string; number?: string } } | undefined)?.version;
  if (!version?.number) return undefined;
  return version.distribution === 'opensearch' ? 'other' : 'elasticsearch';
}

/** True when ILM answers: `GET _ilm/status` is served by the x-pack-ilm module only. */
export async function hasIlm(client: Client): Promise<boolean> {
  return (await probe(client, 'GET', '/_ilm/status')).status === 200;
}

async function installIlmPolicy(client: Client, retentionDays: number, log: (line: string) => void): Promise<IlmOutcome> {
  const wanted = ilmPolicy({ retentionDays });
  const stored = await client.ilm.getLifecycle({ name: ILM_POLICY_ID }, { ignore: [404], meta: true });
  const current = (stored.body as Record<string, { policy?: { _meta?: { description?: string } } }> | undefined)?.[ILM_POLICY_ID];
  if (stored.statusCode === 200 && current?.policy?._meta?.description === wanted.policy._meta.description)
    return { status: 'unchanged', policyId: ILM_POLICY_ID, retentionDays };
  await client.ilm.putLifecycle({ name: ILM_POLICY_ID, policy: wanted.policy as never });
  const status = stored.statusCode === 200 ? 'updated' : 'created';
  log(`ILM policy ${ILM_POLICY_ID} ${status} (delete after ${retentionDays} days)`);
  return { status, policyId: ILM_POLICY_ID, retentionDays };
}

/** true: created; false: there already (its mapping updated); undefined: no `_data_stream` API on this cluster. */
async function ensureDataStream(client: Client, name: string): Promise<boolean | undefined> {
  const created = await probe(client, 'PUT', `/_data_stream/${encodeURIComponent(name)}`);
  if (created.status === 200) return true;
  const type = (created.body as { error?: { type?: string } } | undefined)?.error?.type;
  if (type === 'resource_already_exists_exception') return false;
  // A plain index squatting the name: the bulk `create` would write into it with its own guessed mapping.
  if (await client.indices.exists({ index: name })) {
    const resolved = await client.indices.resolveIndex({ name });
    if (resolved.indices.some((index) => index.name === name)) {
      throw new ActionableError(
        `'${name}' exists as a plain index (written before the templates were installed?), so it cannot become a data stream`,
        `move its documents elsewhere (reindex) and delete it (DELETE /${name}), then restart the sink`,
        errorReason({ meta: { body: created.body } }),
      );
    }
    return false;
  }
  // No handler (400 "no handler found" or 405): the data streams module is absent.
  if (created.status === 400 || created.status === 405) return undefined;
  throw new Error(`creating data stream ${name}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
}

/** Installs the ILM policy (when there is ILM), the templates and the data streams; safe to run again. */
export async function installElasticsearchMappings(
  client: Client,
  options: InstallElasticsearchMappingsOptions = {},
): Promise<InstallElasticsearchMappingsResult> {
  const log = options.log ?? (() => undefined);
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  ilmPolicy({ retentionDays }); // validate the parameter before touching the cluster
  const namespace = options.namespace ?? 'default';
  const warnings: string[] = [];

  if ((await detectEngine(client)) === 'other') {
    throw new ActionableError(
      'this elasticsearch sink points at a server that is not Elasticsearch (an OpenSearch?)',
      'for an OpenSearch cluster set the sink type to opensearch (its templates differ: flat_object, ISM)',
    );
  }

  let ilm: IlmOutcome;
  const withIlm = await hasIlm(client);
  if (withIlm) ilm = await installIlmPolicy(client, retentionDays, log);
  else {
    ilm = { status: 'skipped', policyId: ILM_POLICY_ID, retentionDays, reason: ILM_MISSING_WARNING };
    warnings.push(ILM_MISSING_WARNING);
    log(`warning: ${ILM_MISSING_WARNING}`);
  }

  const templates = elasticsearchTemplates(withIlm ? { lifecyclePolicy: ILM_POLICY_ID } : {});
  for (const [name, body] of Object.entries(templates.componentTemplates)) {
    await client.cluster.putComponentTemplate({ name, ...body } as never);
  }
  log(`component templates: ${Object.keys(templates.componentTemplates).join(', ')}`);
  for (const [name, body] of Object.entries(templates.indexTemplates)) {
    await client.indices.putIndexTemplate({ name, ...body } as never);
  }
  log(`index templates: ${Object.keys(templates.indexTemplates).join(', ')}`);

  const dataStreams: InstallElasticsearchMappingsResult['dataStreams'] = [];
  for (const category of CATALOGUE) {
    const name = dataStreamName(category.name, namespace);
    const created = await ensureDataStream(client, name);
    dataStreams.push({ name, created });
    if (created !== false) continue;
    try {
      await client.indices.putMapping({ index: name, ...mergedMappingFor(category.name, templates) } as never);
    } catch (error) {
      const warning = `the mapping of existing data stream ${name} could not be updated in place (${errorReason(error)}); it applies from the next rollover (POST /${name}/_rollover)`;
      warnings.push(warning);
      log(`warning: ${warning}`);
    }
  }
  const made = dataStreams.filter((stream) => stream.created === true).length;
  const existing = dataStreams.filter((stream) => stream.created === false).length;
  log(
    dataStreams.some((stream) => stream.created === undefined)
      ? 'data streams: no _data_stream API on this cluster; each is created from our template by its first event'
      : `data streams: ${made} created, ${existing} already there`,
  );
  return {
    componentTemplates: Object.keys(templates.componentTemplates),
    indexTemplates: Object.keys(templates.indexTemplates),
    dataStreams,
    ilm,
    warnings,
  };
}
