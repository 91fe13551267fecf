// The Sigma layer: load a rule, parse its condition, compile it to OpenSearch DSL and Lucene.
export * from './compile.js';
export * from './condition.js';
export * from './errors.js';
export * from './field-mapping.js';
export * from './load-rule.js';
export * from './query.js';
export * from './to-dsl.js';
export * from './to-lucene.js';
export type * from './types.js';
