// The log catalogue: the single source of truth every other layer imports from. Imports nothing of ours.
export type { AvroRecord, AvroValue } from './catalogue/avro-types.js';
export * from './catalogue/define-category.js';
export * from './catalogue/ecs-fields.js';
export * from './catalogue/endpoint-security.js';
export * from './catalogue/fields.js';
export * from './catalogue/forticlient.js';
export * from './catalogue/index.js';
export * from './catalogue/levels.js';
export * from './catalogue/validate.js';
export * from './catalogue/zoned-time.js';
export * from './elasticsearch/index.js';
export * from './opensearch/index.js';
