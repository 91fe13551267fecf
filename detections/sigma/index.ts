// The Sigma layer: load a rule, parse its condition, compile it to OpenSearch DSL and Lucene; correlations to aggregations.
export * from './compile.js';
export * from './compile-correlation.js';
export * from './condition.js';
export * from './correlation-search.js';
export * from './errors.js';
export * from './field-mapping.js';
export * from './load-correlation.js';
export * from './load-documents.js';
export * from './load-rule.js';
export * from './placeholders.js';
export * from './query.js';
export * from './to-dsl.js';
export * from './to-lucene.js';
export type * from './types.js';
