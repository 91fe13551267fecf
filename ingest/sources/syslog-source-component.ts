/** The syslog source: one listener, UDP, TCP or TLS (`mode`), receiving RFC 3164/5424 lines from the EMS. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../parsers/framing.js';
import { parseListenAddress } from '../../platform/http/http-server.js';
import {
  type ComponentProblem,
  type ListenerSourceFactory,
  type RunningSource,
  type SourceContext,
  schemaDefaults,
} from '../components/contract.js';
import { address, zone } from '../components/schema-parts.js';
import type { SyslogSourceConfig } from '../config/types.js';
import { STREAM_SOURCE_DEFAULTS, SyslogStreamSource } from './syslog-stream-source.js';
import { SyslogUdpSource } from './syslog-udp-source.js';

const tls = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cert_file: { type: 'string', minLength: 1 },
    key_file: { type: 'string', minLength: 1 },
    ca_file: { type: 'string', minLength: 1 },
    verify_client: { type: 'boolean', default: false },
  },
} as const;

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'mode'],
  properties: {
    type: { const: 'syslog' },
    mode: { enum: ['udp', 'tcp', 'tls'] },
    address,
    timezone: zone,
    max_message_bytes: { type: 'integer', minimum: 1024, maximum: 16_777_216, default: DEFAULT_MAX_MESSAGE_BYTES },
    receive_buffer_bytes: { type: 'integer', minimum: 65_536, default: 8_388_608 },
    // TCP and TLS only (no defaults here, so a UDP source does not look connection-limited; the source applies them).
    max_connections: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: `default ${STREAM_SOURCE_DEFAULTS.maxConnections}; more are refused and counted`,
    },
    idle_timeout_seconds: {
      type: 'integer',
      minimum: 0,
      maximum: 86_400,
      description: `default ${STREAM_SOURCE_DEFAULTS.idleTimeoutMs / 1000}; 0 never closes an idle connection`,
    },
    tls,
  },
} as const;

const DEFAULT_SYSLOG_ADDRESS = { udp: '0.0.0.0:5514', tcp: '0.0.0.0:5514', tls: '0.0.0.0:6514' } as const;

/** Settings that only make sense together: connection limits and TLS belong to stream listeners, TLS files come in pairs. */
function check(source: SyslogSourceConfig, path: readonly (string | number)[]): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
  for (const key of ['max_connections', 'idle_timeout_seconds'] as const)
    if (source.mode === 'udp' && source[key] !== undefined)
      problems.push({
        path: [...path, key],
        message: `${key} on a UDP listener (it has no connections)`,
        fix: `remove '${key}', or use mode: tcp or tls`,
      });
  if (source.mode !== 'tls' && source.tls)
    problems.push({ path: [...path, 'tls'], message: 'tls settings on a non-TLS listener', fix: "set mode: tls, or remove 'tls'" });
  if (source.tls && Boolean(source.tls.cert_file) !== Boolean(source.tls.key_file)) {
    problems.push({
      path: [...path, 'tls'],
      message: 'cert_file and key_file come together',
      fix: 'give both, or neither (a self-signed certificate is then generated)',
    });
  }
  if (source.tls?.verify_client && !source.tls.ca_file)
    problems.push({
      path: [...path, 'tls', 'ca_file'],
      message: 'verify_client needs the CA that signs client certificates',
      fix: 'set ca_file',
    });
  return problems;
}

export const syslogSourceFactory: ListenerSourceFactory<SyslogSourceConfig> = {
  type: 'syslog',
  kind: 'listener',
  schema,
  defaults: schemaDefaults(schema),
  check: (config, context) => check(config, context.path),
  listensOn: (config) => ({ protocol: config.mode === 'udp' ? 'udp' : 'tcp', port: config.address?.split(':').pop() }),
  start: startSyslogSource,
};

/** Starts one syslog listener from its configuration; a TLS listener with no certificate gets a generated one. */
async function startSyslogSource(id: string, config: SyslogSourceConfig, context: SourceContext): Promise<RunningSource> {
  const { host, port } = parseListenAddress(config.address ?? DEFAULT_SYSLOG_ADDRESS[config.mode]);
  const zone = config.timezone ?? context.pipelineZone;
  const { intake, telemetry } = context;
  if (config.mode === 'udp') {
    const source = new SyslogUdpSource({
      id,
      host,
      port,
      zone,
      receiveBufferBytes: config.receive_buffer_bytes ?? 8_388_608,
      telemetry,
      sink: intake.deliver,
      isFull: () => intake.isFull(),
    });
    await source.start();
    return {
      id,
      description: `syslog udp://${host}:${source.port} (receive buffer ${source.receiveBufferBytes} bytes)`,
      port: source.port,
      stop: () => source.stop(),
    };
  }
  let tls: ConstructorParameters<typeof SyslogStreamSource>[0]['tls'];
  let certificateNote = '';
  if (config.mode === 'tls') {
    const settings = config.tls ?? {};
    if (settings.cert_file && settings.key_file) {
      tls = { cert: readFileSync(settings.cert_file), key: readFileSync(settings.key_file) };
    } else {
      // Loaded on use: the certificate generator's ASN.1/X.509 modules are only needed by a TLS listener without a cert.
      const { ensureSelfSignedCertificate } = await import('../../platform/tls/self-signed.js');
      const generated = await ensureSelfSignedCertificate(join(context.dataDir, 'tls'));
      tls = { cert: generated.cert, key: generated.key };
      certificateNote = `, self-signed certificate ${generated.certFile}`;
    }
    if (settings.ca_file) tls.ca = readFileSync(settings.ca_file);
    if (settings.verify_client) tls.verifyClient = true;
  }
  const source = new SyslogStreamSource({
    id,
    host,
    port,
    zone,
    maxMessageBytes: config.max_message_bytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxConnections: config.max_connections ?? STREAM_SOURCE_DEFAULTS.maxConnections,
    idleTimeoutMs: (config.idle_timeout_seconds ?? STREAM_SOURCE_DEFAULTS.idleTimeoutMs / 1000) * 1000,
    ...(tls ? { tls } : {}),
    telemetry,
    sink: intake.deliver,
  });
  await source.start();
  return {
    id,
    description: `syslog ${config.mode}://${host}:${source.port}${certificateNote}`,
    port: source.port,
    stop: () => source.stop(),
  };
}
