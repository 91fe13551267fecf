// OpenSearch artefacts generated from the catalogue: templates, the ISM policy, the indexed document shape.

export * from './alerts.js';
export * from './document.js';
export * from './export-files.js';
export * from './ism-policy.js';
export * from './mapping-tree.js';
export * from './raw-aliases.js';
export * from './raw-fields.js';
export * from './templates.js';
