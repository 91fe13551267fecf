/** The syslog forwarding sink as a component: one formatted message per event to a UDP, TCP or TLS receiver. */
import { CATALOGUE } from '../../mappings/index.js';
import { type ComponentProblem, type SinkFactory, schemaDefaults } from '../components/contract.js';
import type { SyslogSinkConfig } from '../config/types.js';
import { createSyslogSink } from './create-syslog-sink.js';
import { compileQuery } from './filter-query.js';
import { SYSLOG_SINK_SCHEMA } from './syslog-sink-schema.js';

/**
 * A syslog destination's settings that only make sense together (also an alert output's, which has no event filter).
 * `path` is where it is written, e.g. `['sinks', 'siem']`.
 */
export function syslogSinkProblems(
  sink: Omit<SyslogSinkConfig, 'type'> & { filter?: SyslogSinkConfig['filter'] },
  path: readonly (string | number)[],
): ComponentProblem[] {
  const problems: ComponentProblem[] = [];
  const mode = sink.mode ?? 'tcp';
  if (mode === 'udp' && sink.framing)
    problems.push({
      path: [...path, 'framing'],
      message: 'framing on a UDP destination',
      fix: "remove 'framing' (a datagram is one message), or use mode: tcp or tls",
    });
  if (mode !== 'tls' && sink.tls)
    problems.push({
      path: [...path, 'tls'],
      message: `tls settings on a ${mode} destination`,
      fix: "set mode: tls, or remove 'tls'",
    });
  if (sink.tls && Boolean(sink.tls.cert_file) !== Boolean(sink.tls.key_file))
    problems.push({
      path: [...path, 'tls'],
      message: 'cert_file and key_file come together',
      fix: 'give both (a client certificate), or neither',
    });
  const known = new Set(CATALOGUE.map((category) => category.name as string));
  (sink.filter?.categories ?? []).forEach((category, index) => {
    if (!known.has(category))
      problems.push({
        path: [...path, 'filter', 'categories', index],
        message: `unknown category '${category}'`,
        fix: `use one of ${[...known].join(', ')}`,
      });
  });
  if (sink.filter?.query !== undefined) {
    try {
      compileQuery(sink.filter.query);
    } catch (error) {
      const message = (error as Error).message;
      const position = Number(/at position (\d+)/.exec(message)?.[1]);
      problems.push({
        path: [...path, 'filter', 'query'],
        message: message.replace(/^forward filter query: /, 'filter query: '),
        fix: 'fix the query (field:value, AND, OR, NOT, parentheses, "quoted values")',
        ...(position > 0 ? { offset: position - 1 } : {}),
      });
    }
  }
  return problems;
}

export const syslogSinkFactory: SinkFactory<SyslogSinkConfig> = {
  type: 'syslog',
  schema: SYSLOG_SINK_SCHEMA,
  defaults: schemaDefaults(SYSLOG_SINK_SCHEMA),
  check: (config, context) => syslogSinkProblems(config, context.path),
  // A forwarding sink needs no cluster: its target is the syslog receiver in its own configuration.
  create: (id, config, { buffer, registry, dataDir, logger }) => createSyslogSink(id, config, { buffer, registry, dataDir, logger }),
};
