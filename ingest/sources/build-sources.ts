import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseListenAddress } from '../../platform/http/http-server.js';
import type { ComponentTelemetry } from '../../platform/telemetry/component-telemetry.js';
import { ensureSelfSignedCertificate } from '../../platform/tls/self-signed.js';
import type { SyslogSourceConfig } from '../config/types.js';
import type { PipelineIntake } from '../pipeline/raw-line.js';
import { STREAM_SOURCE_DEFAULTS, SyslogStreamSource } from './syslog-stream-source.js';
import { SyslogUdpSource } from './syslog-udp-source.js';

/** A running listener, whatever its protocol. */
export interface RunningSource {
  readonly id: string;
  readonly description: string;
  /** The bound port (useful when the configuration asked for 0). */
  readonly port: number;
  stop(): Promise<void>;
}

const DEFAULT_SYSLOG_ADDRESS = { udp: '0.0.0.0:5514', tcp: '0.0.0.0:5514', tls: '0.0.0.0:6514' } as const;

export interface SourceContext {
  intake: PipelineIntake;
  telemetry: ComponentTelemetry;
  /** Zone of zone-less times when the source sets none. */
  pipelineZone: string;
  dataDir: string;
}

/** Starts one syslog listener from its configuration; a TLS listener with no certificate gets a generated one. */
export async function startSyslogSource(id: string, config: SyslogSourceConfig, context: SourceContext): Promise<RunningSource> {
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
    maxMessageBytes: config.max_message_bytes ?? 65_536,
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
