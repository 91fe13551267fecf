import type { ParsedEvent } from '../../parsers/parse-line.js';

/** An event whose document is one payload string: sink and buffer tests follow it by that payload. */
export const payloadEvent = (payload: string): ParsedEvent => ({
  kind: 'event',
  producer: 'ems',
  category: undefined,
  dataset: 'test',
  document: { payload },
  problems: [],
});

/** `count` payload events named `<prefix>0`, `<prefix>1`, … */
export const payloadEvents = (prefix: string, count: number): ParsedEvent[] =>
  Array.from({ length: count }, (_, i) => payloadEvent(`${prefix}${i}`));
