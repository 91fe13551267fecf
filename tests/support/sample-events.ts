import { assignEventId } from '../../ingest/enrich/event-id.js';
import { CATALOGUE, type Level } from '../../mappings/index.js';
import { type ParsedEvent, parseLine } from '../../parsers/parse-line.js';
import { formatLine } from '../../syslog/index.js';
import { SAMPLE_RECORDS } from './sample-records.js';

/**
 * `rounds` real EMS lines per category (distinct header times, so distinct ids), parsed and given ids, received at
 * `receivedAt` (the same instant for a file's calls, so a replay of a round yields the same ids).
 */
export function sampleEvents(namespace: string, rounds: number, firstRound = 0, receivedAt = Date.now()): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  for (let round = firstRound; round < firstRound + rounds; round++) {
    for (const category of CATALOGUE) {
      const record = SAMPLE_RECORDS[category.name] as Record<string, string | number>;
      const time = new Date(receivedAt - 3_600_000 + round * 1000);
      const line = formatLine({ category: category.name, level: record.level as Level, time, record }, { hostname: 'ems01' });
      const event = parseLine(line, { receivedAt, namespace });
      assignEventId(event.document, event.dataset);
      events.push(event);
    }
  }
  return events;
}

/** Polls a condition every 20 ms; throws naming `what` after the timeout. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
