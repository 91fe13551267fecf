/**
 * The layers of fortiems, as arrows CI checks (`npm run lint`). A folder may import only the folders below it:
 *
 *   app/                                   composition root: CLI, service wiring, managed servers
 *   dashboards/  detections/               boards and console; Sigma compiler, rule pack, detection runtime
 *   ingest/                                the pipeline: sources, stages, enrichment, buffers, sinks, forwarding
 *   ems-core/    parsers/                  the EMS simulator and its API; bytes → typed, normalized events
 *   syslog/                                one syslog writer (UDP, TCP, TLS), destination URLs, framing, headers
 *   platform/    mappings/                 shared infrastructure; the catalogue (single source of truth)
 */
const layers = {
  mappings: [],
  platform: [],
  syslog: ['mappings', 'platform'],
  parsers: ['mappings', 'platform'],
  'ems-core': ['mappings', 'platform', 'syslog'],
  ingest: ['mappings', 'platform', 'syslog', 'parsers'],
  detections: ['mappings', 'platform', 'syslog', 'parsers', 'ingest'],
  dashboards: ['mappings', 'platform', 'parsers'],
  app: ['mappings', 'platform', 'syslog', 'parsers', 'ems-core', 'ingest', 'detections', 'dashboards'],
};
const ours = ['mappings', 'platform', 'syslog', 'parsers', 'ems-core', 'ingest', 'detections', 'dashboards', 'app'];

module.exports = {
  forbidden: [
    ...Object.entries(layers).map(([layer, allowed]) => ({
      name: `layer-${layer}`,
      comment: `${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (see docs/architecture.md)`,
      severity: 'error',
      from: { path: `^${layer}/` },
      to: { path: `^(${ours.filter((folder) => folder !== layer && !allowed.includes(folder)).join('|')})/` },
    })),
    {
      name: 'no-tests-in-source',
      comment: 'source never imports the tests or their support code',
      severity: 'error',
      from: { path: `^(${ours.join('|')})/` },
      to: { path: '^tests/' },
    },
    {
      name: 'no-cycles',
      comment: 'no import cycles (a cycle of type-only imports is harmless: it is gone at run time)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
