// Elasticsearch artefacts: the generated templates in Elasticsearch's terms, and the ILM policy.

export * from './ilm-policy.js';
export * from './templates.js';
