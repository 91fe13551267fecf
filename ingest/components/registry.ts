/**
 * The component registry: one line per source and sink type. Adding a type is its own folder (a factory: see
 * `contract.ts`) and one line here; the configuration schema, the checks and the service pick it up from this list.
 */
import { syslogSinkFactory } from '../forward/syslog-sink-component.js';
import { kafkaSinkFactory } from '../kafka/kafka-sink-component.js';
import { kafkaSourceFactory } from '../kafka/kafka-source-component.js';
import { elasticsearchSinkFactory, opensearchSinkFactory } from '../sinks/search/search-sink-component.js';
import { httpSourceFactory } from '../sources/http-source-component.js';
import { syslogSourceFactory } from '../sources/syslog-source-component.js';
import type { ComponentRegistry } from './contract.js';

export const COMPONENTS: ComponentRegistry = {
  sources: [
    syslogSourceFactory, // syslog: udp, tcp, tls listeners
    httpSourceFactory, // http: POST <path> on the HTTP server
    kafkaSourceFactory, // kafka: a consumer-group member (the indexer side of the Kafka tier)
  ],
  sinks: [
    opensearchSinkFactory, // opensearch
    elasticsearchSinkFactory, // elasticsearch
    syslogSinkFactory, // syslog forwarding
    kafkaSinkFactory, // kafka: received lines to a topic (the collector side of the Kafka tier)
  ],
};
