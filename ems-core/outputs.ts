import { type Destination, formatLine, openDestination, type SyslogFormat, transportUrl } from '../syslog/index.js';
import type { EmsLogLine } from '../syslog/log-line.js';
import type { SyslogDestination } from './log-settings/settings.js';

/** One place lines go: a destination and the header format it wants. */
export interface Output {
  destination: Destination;
  format: SyslogFormat;
  facility: number;
}

export interface OutputsOptions {
  /** The syslog HOSTNAME field. */
  hostname: string;
  /** Zone of the header timestamps (dtime in the body is already in the EMS zone). */
  timeZone: string;
}

/** The URL a log-settings destination is opened with. */
export function destinationUrl(destination: SyslogDestination): string {
  const { host, port, framing } = destination;
  switch (destination.protocol) {
    case 'udp':
      return transportUrl({ kind: 'udp', host, port });
    case 'tcp':
      return transportUrl({ kind: 'tcp', host, port, framing });
    case 'tls':
      return transportUrl({ kind: 'tls', host, port, framing, insecure: destination.tlsInsecure });
  }
}

/**
 * Fans each line out to the fixed outputs (from the command line) and to the remote syslog destinations of the
 * log settings, which are reopened when an admin changes them. Returns a promise only when a destination pushes back.
 */
export class EmsOutputs {
  private fixed: Output[] = [];
  private fromSettings: Output[] = [];
  /** fixed + fromSettings, kept ready because write() runs for every line. */
  private active: Output[] = [];

  constructor(private readonly options: OutputsOptions) {}

  add(url: string, format: SyslogFormat, facility = 16): void {
    this.fixed.push({ destination: openDestination(url), format, facility });
    this.active = [...this.fixed, ...this.fromSettings];
  }

  /** Replaces the settings destinations; the old ones are flushed and closed in the background. */
  useSettingsDestinations(destinations: SyslogDestination[]): Promise<void> {
    const previous = this.fromSettings;
    this.fromSettings = destinations
      .filter((d) => d.enabled)
      .map((d) => ({ destination: openDestination(destinationUrl(d)), format: d.format, facility: d.facility }));
    this.active = [...this.fixed, ...this.fromSettings];
    return Promise.all(previous.map((output) => output.destination.close())).then(() => undefined);
  }

  write(line: EmsLogLine): void | Promise<void> {
    let pushedBack: Promise<void>[] | undefined;
    for (const output of this.active) {
      const message = formatLine(line, {
        format: output.format,
        facility: output.facility,
        hostname: this.options.hostname,
        timeZone: this.options.timeZone,
      });
      const result = output.destination.write(message);
      if (result) {
        pushedBack ??= [];
        pushedBack.push(result);
      }
    }
    return pushedBack ? Promise.all(pushedBack).then(() => undefined) : undefined;
  }

  all(): Output[] {
    return [...this.active];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((output) => output.destination.close()));
  }
}
