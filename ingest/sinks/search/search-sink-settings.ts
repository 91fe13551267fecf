import { accessSync, constants } from 'node:fs';
import { ActionableError } from '../../../platform/errors.js';
import type { SearchSinkConfig } from '../../config/types.js';
import type { BatchSettings } from '../batch-reader.js';
import type { SearchTarget } from './search-driver.js';
import { searchSinkSchema } from './search-sink-schema.js';

/** A search sink's configuration, checked and complete. */
export interface SearchSinkSettings {
  type: 'opensearch' | 'elasticsearch';
  target: SearchTarget;
  namespace: string;
  concurrency: number;
  batch: BatchSettings;
}

// The defaults are read from the schema, so the factory and `fortiems validate` can never disagree.
const SCHEMA = searchSinkSchema('opensearch').properties;
const DEFAULTS = {
  namespace: SCHEMA.namespace.default,
  concurrency: SCHEMA.concurrency.default,
  maxEvents: SCHEMA.batch.properties.max_events.default,
  maxBytes: SCHEMA.batch.properties.max_bytes.default,
  timeoutMs: SCHEMA.batch.properties.timeout_ms.default,
};

function integer(id: string, key: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ActionableError(`sinks.${id}.${key} is ${value}`, `set sinks.${id}.${key} to an integer from ${min} to ${max}`);
  return value;
}

/**
 * Checks a search sink's configuration (defaults applied here too, so a hand-built config works) and resolves its
 * target: its own `url` or `urls` (several nodes of one cluster), or else the default cluster (`OPENSEARCH_URL` or the managed node) for an `opensearch` sink.
 */
export function searchSinkSettings(id: string, config: SearchSinkConfig, fallback: SearchTarget | undefined): SearchSinkSettings {
  const type = config.type as string;
  if (type !== 'opensearch' && type !== 'elasticsearch')
    throw new ActionableError(`sinks.${id}.type is '${type}'`, `set sinks.${id}.type to opensearch or elasticsearch`);

  if (config.url !== undefined && config.urls !== undefined)
    throw new ActionableError(`sinks.${id} has both url and urls`, `keep one: urls lists every node, url names one`);
  if (config.urls !== undefined && (!Array.isArray(config.urls) || config.urls.length === 0))
    throw new ActionableError(`sinks.${id}.urls is empty`, `list the cluster's nodes: urls: [http://node1:9200, http://node2:9200]`);
  const configured = config.urls ?? (config.url ? [config.url] : []);
  let target: SearchTarget;
  if (configured.length > 0) {
    target = {
      url: configured[0] as string,
      ...(configured.length > 1 ? { urls: [...configured] } : {}),
      ...(config.username !== undefined ? { username: config.username } : {}),
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.ca_file !== undefined ? { caFile: config.ca_file } : {}),
    };
  } else if (fallback && type === 'opensearch') target = fallback;
  else
    throw new ActionableError(
      `sinks.${id} has no url`,
      type === 'opensearch'
        ? `set sinks.${id}.url (or urls), or OPENSEARCH_URL for the default cluster`
        : `set sinks.${id}.url (or urls): the default cluster is an OpenSearch, an elasticsearch sink needs its own`,
    );

  const key = config.urls ? 'urls' : 'url';
  const nodes = target.urls ?? [target.url];
  if (new Set(nodes).size !== nodes.length) throw new ActionableError(`sinks.${id}.urls names a node twice`, 'list each node once');
  let credentialsInUrl = false;
  for (const node of nodes) {
    let url: URL;
    try {
      url = new URL(node);
    } catch {
      throw new ActionableError(`sinks.${id}.${key} '${node}' is not a URL`, `write it as http(s)://host:port`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ActionableError(`sinks.${id}.${key} '${node}' is not http or https`, `write it as http(s)://host:port`);
    if (url.username) credentialsInUrl = true;
  }
  if (target.password !== undefined && !target.username && !credentialsInUrl)
    throw new ActionableError(`sinks.${id} has a password but no username`, `set sinks.${id}.username too`);
  if (target.caFile) {
    try {
      accessSync(target.caFile, constants.R_OK);
    } catch {
      throw new ActionableError(
        `sinks.${id}.ca_file '${target.caFile}' cannot be read`,
        'point it at the PEM file of the CA that signed the cluster certificate',
      );
    }
  }

  const namespace = config.namespace ?? DEFAULTS.namespace;
  if (!/^[a-z0-9_]+$/.test(namespace))
    throw new ActionableError(`sinks.${id}.namespace '${namespace}' is not a valid namespace`, 'use lower-case letters, digits and _');

  return {
    type,
    target,
    namespace,
    concurrency: integer(id, 'concurrency', config.concurrency ?? DEFAULTS.concurrency, 1, 64),
    batch: {
      maxEvents: integer(id, 'batch.max_events', config.batch?.max_events ?? DEFAULTS.maxEvents, 1, 100_000),
      maxBytes: integer(id, 'batch.max_bytes', config.batch?.max_bytes ?? DEFAULTS.maxBytes, 1, 104_857_600),
      timeoutMs: integer(id, 'batch.timeout_ms', config.batch?.timeout_ms ?? DEFAULTS.timeoutMs, 0, 60_000),
    },
  };
}
