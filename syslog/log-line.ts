import type { CategoryName, Level } from '../mappings/index.js';

/** A field value as EMS writes it in the key=value body. */
export type FieldValue = string | number | null | undefined;

/**
 * One EMS log line before formatting: the category (the syslog TAG), the level, the instant it happened
 * (virtual or real time) and the typed record whose keys are the category's catalogue fields.
 */
export interface EmsLogLine {
  category: CategoryName;
  level: Level;
  time: Date;
  record: Record<string, FieldValue>;
}
