/**
 * The component registry: one line per source and sink type. Adding a type is its own folder (a factory: see
 * `contract.ts`) and one line here; the configuration schema, the checks and the service pick it up from this list.
 */
import { syslogSinkFactory } from '../forward/syslog-sink-component.js';
import { elasticsearchSinkFactory, opensearchSinkFactory } from '../sinks/search/search-sink-component.js';
import { httpSourceFactory } from '../sources/http-source-component.js';
import { syslogSourceFactory } from '../sources/syslog-source-component.js';
import type { ComponentRegistry } from './contract.js';

export const COMPONENTS: ComponentRegistry = {
  sources: [
    syslogSourceFactory, // syslog: udp, tcp, tls listeners
    httpSourceFactory, // http: POST <path> on the HTTP server
  ],
  sinks: [
    opensearchSinkFactory, // opensearch
    elasticsearchSinkFactory, // elasticsearch
    syslogSinkFactory, // syslog forwarding
  ],
};
