/** The validated configuration (defaults applied). Mirrors schema.ts; the schema is what validates. */
export interface TlsSettings {
  cert_file?: string;
  key_file?: string;
  ca_file?: string;
  verify_client?: boolean;
}

export interface SyslogSourceConfig {
  type: 'syslog';
  mode: 'udp' | 'tcp' | 'tls';
  address?: string;
  timezone?: string;
  max_message_bytes?: number;
  receive_buffer_bytes?: number;
  /** TCP/TLS: connections open at once (default 1000). */
  max_connections?: number;
  /** TCP/TLS: an idle connection is closed after this long (default 600; 0: never). */
  idle_timeout_seconds?: number;
  tls?: TlsSettings;
}

export interface HttpSourceConfig {
  type: 'http';
  path?: string;
  token?: string;
  /** Without a token on a non-loopback `http.address`, validation refuses the source unless this is true. */
  allow_anonymous?: boolean;
  max_body_bytes?: number;
  /** Longest element (line, or JSON array element) buffered; a longer one becomes a framing-error event (64 KiB). */
  max_message_bytes?: number;
  body_timeout_ms?: number;
  timezone?: string;
}

/** A Kafka consumer (`ingest/kafka/`): the lines a collector's `kafka` sink wrote, with their receive metadata and ids. */
export interface KafkaSourceConfig {
  type: 'kafka';
  brokers: string[];
  topics?: string[];
  group?: string;
  start?: 'earliest' | 'latest';
  client_id?: string;
  /** When an offset is committed: once its events are delivered by every sink (default), or in every sink's buffer. */
  commit_after?: 'delivered' | 'buffered';
  /** Records handed to the pipeline together (and committed together once delivered or durable). */
  max_batch_events?: number;
  /** With `commit_after: delivered`: records read and not yet delivered, at most (the read-ahead). */
  max_in_flight_events?: number;
  /** How often the consumer lag is measured (ms). */
  lag_interval_ms?: number;
  session_timeout_ms?: number;
  timezone?: string;
}

export type SourceConfig = SyslogSourceConfig | HttpSourceConfig | KafkaSourceConfig;

export interface SearchSinkConfig {
  type: 'opensearch' | 'elasticsearch';
  url?: string;
  /** Several nodes of one cluster (instead of `url`): requests are spread over them and fail over to the others. */
  urls?: string[];
  username?: string;
  password?: string;
  ca_file?: string;
  namespace?: string;
  concurrency?: number;
  batch?: { max_events?: number; max_bytes?: number; timeout_ms?: number };
  buffer?: { type?: 'disk' | 'memory'; path?: string; max_bytes?: number; when_full?: 'block' | 'drop_newest' };
}

/** A syslog forwarding destination (`ingest/forward/`): one formatted message per event, over UDP, TCP or TLS. */
export interface SyslogSinkConfig {
  type: 'syslog';
  address: string;
  mode?: 'udp' | 'tcp' | 'tls';
  framing?: 'octet' | 'newline';
  format?: 'rfc5424' | 'rfc3164' | 'cef' | 'leef' | 'raw' | 'json';
  facility?: number;
  tls?: { ca_file?: string; cert_file?: string; key_file?: string; verify?: boolean; server_name?: string };
  filter?: { categories?: string[]; min_level?: string; query?: string };
  rate_limit?: { events_per_second: number; burst?: number };
  concurrency?: number;
  batch?: SearchSinkConfig['batch'];
  buffer?: SearchSinkConfig['buffer'];
}

/** A Kafka producer (`ingest/kafka/`): each received line, unparsed, with its receive metadata and id. */
export interface KafkaSinkConfig {
  type: 'kafka';
  brokers: string[];
  topic?: string;
  partition_key?: 'sender' | 'source' | 'none';
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  client_id?: string;
  timeout_ms?: number;
  concurrency?: number;
  batch?: SearchSinkConfig['batch'];
  buffer?: SearchSinkConfig['buffer'];
}

export type SinkConfig = SearchSinkConfig | SyslogSinkConfig | KafkaSinkConfig;

/** Sigma levels an alert output can select from (lowest first); see mappings/opensearch/alerts.ts. */
export type AlertLevelName = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** An alert output that forwards alerts as syslog: the same settings as a syslog sink, minus the event filter. */
export interface SyslogAlertOutputConfig extends Omit<SyslogSinkConfig, 'filter'> {
  /** Only alerts at or above this level (default: all). */
  min_level?: AlertLevelName;
}

/** An alert output that POSTs each alert as one JSON document to a URL. */
export interface WebhookAlertOutputConfig {
  type: 'webhook';
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  timeout_ms?: number;
  tls?: { ca_file?: string; verify?: boolean };
  min_level?: AlertLevelName;
  concurrency?: number;
  batch?: SearchSinkConfig['batch'];
  buffer?: SearchSinkConfig['buffer'];
}

export type AlertOutputConfig = SyslogAlertOutputConfig | WebhookAlertOutputConfig;

/** The detection scheduler (`detections/runtime/`): Sigma rules run over the recent window, alerts to an index and outputs. */
export interface DetectionsConfig {
  enabled?: boolean;
  /** A rule file or a folder of rules (default: the shipped pack, detections/rules). */
  rules?: string;
  /** How often every enabled rule runs (default 60). */
  interval_seconds?: number;
  /** Plain rules search [now - interval - lookback, now]: the lookback covers events that arrive late (default 60). */
  lookback_seconds?: number;
  /** The time field windows are taken on (default `@timestamp`; `event.ingested` for replayed or backfilled data). */
  time_field?: string;
  /** Alerts go to `fortiems-alerts-<namespace>` (default: the first search sink's namespace). */
  namespace?: string;
  /** At most this many alerts per rule and run (default 100); the rest are counted and logged, found by the next runs. */
  max_alerts_per_run?: number;
  /** Rule ids or file names (without .yml) to skip. */
  disabled_rules?: string[];
  /** Rules below this Sigma level do not run (default low: informational rules are building blocks, not alerts). */
  min_level?: AlertLevelName;
  /** Sigma `expand` placeholders: name (without %) → the values `%name%` stands for. */
  placeholders?: Record<string, string | string[]>;
  outputs?: Record<string, AlertOutputConfig>;
}

/** fortiems' own retention of its data streams (`ingest/sinks/search/retention/`), for clusters without ISM. */
export interface RetentionConfig {
  /** auto (default): only where the cluster has no ISM plugin; always; never. */
  mode?: 'auto' | 'always' | 'never';
  /** Backing indices are deleted this many days after their rollover (default 30, like EMS). */
  days?: number;
  /** Time between passes (default 600). */
  interval_seconds?: number;
  /** Rollover conditions of the write index (defaults 1d and 25gb, as the ISM policy). */
  rollover_max_age?: string;
  rollover_max_size?: string;
  /** How long a pass's lease holds before another process may take it over (default 300). */
  lease_seconds?: number;
}

export interface FortiemsConfig {
  data_dir?: string;
  sources?: Record<string, SourceConfig>;
  pipeline?: {
    timezone?: string;
    queue_events?: number;
    queue_bytes?: number;
    workers?: 'auto' | number;
    enrich?: { geoip?: boolean; inventory?: { url: string; token?: string; timeout_ms?: number } };
  };
  sinks?: Record<string, SinkConfig>;
  http?: {
    address?: string;
    /** When set, GET /metrics needs `Authorization: Bearer <metrics_token>`. */
    metrics_token?: string;
    /** The bearer token of GET /tap (`fortiems tap`); without it one is generated and kept in `<data_dir>/tap-token`. */
    tap_token?: string;
    /** fastify's `trustProxy`: whose X-Forwarded-For / X-Forwarded-Proto / X-Forwarded-Host to believe. */
    trust_proxy?: boolean | string;
    /** Connections the HTTP server holds at once (default 1000); more are closed as they arrive and counted. */
    max_connections?: number;
  };
  ems?: { enabled?: boolean; scenario?: string; seed?: number; to?: string[]; admin_address?: string; admin_token?: string };
  console?: { enabled?: boolean; admin_user?: string; admin_password?: string };
  detections?: DetectionsConfig;
  retention?: RetentionConfig;
}
