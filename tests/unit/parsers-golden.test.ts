/**
 * Golden tests: one input line per `.log` file under tests/fixtures/parsers/golden/, and the EXACT ParsedEvent expected
 * for it (document included) in the `.json` beside it. See that folder's README.md for how to regenerate.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORY_NAMES } from '../../mappings/index.js';
import { type ParseContext, type ParsedEvent, parseLine } from '../../parsers/parse-line.js';

const GOLDEN = join(import.meta.dirname, '../fixtures/parsers/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface ContextSpec {
  receivedAt?: string;
  zone?: string;
  namespace?: string;
}
const contexts = JSON.parse(readFileSync(join(GOLDEN, 'contexts.json'), 'utf8')) as {
  default: ContextSpec;
  cases: Record<string, ContextSpec>;
};

function contextOf(name: string): ParseContext {
  const spec = { ...contexts.default, ...contexts.cases[name] };
  const context: ParseContext = { receivedAt: Date.parse(spec.receivedAt ?? '') };
  if (spec.zone !== undefined) context.zone = spec.zone;
  if (spec.namespace !== undefined) context.namespace = spec.namespace;
  return context;
}

/** The file holds the line and one LF (editors add it); the line itself must not be changed by a trim. */
function readLine(name: string): string {
  const text = readFileSync(join(GOLDEN, `${name}.log`), 'utf8');
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** What JSON can hold: `undefined` members disappear, exactly as in the expected file. */
function asJson(event: ParsedEvent): unknown {
  return JSON.parse(JSON.stringify(event));
}

const cases = readdirSync(GOLDEN)
  .filter((file) => file.endsWith('.log'))
  .map((file) => file.slice(0, -'.log'.length))
  .sort();
const parsed = new Map(cases.map((name) => [name, parseLine(readLine(name), contextOf(name))]));

describe('golden parser outputs', () => {
  it.each(cases)('%s', (name) => {
    const actual = asJson(parsed.get(name) as ParsedEvent);
    const expectedFile = join(GOLDEN, `${name}.json`);
    if (UPDATE) writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    expect(existsSync(expectedFile), `${name}.json is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(actual).toStrictEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });

  it('has no expected file without its input, and no context for a case that does not exist', () => {
    const expectedOnly = readdirSync(GOLDEN)
      .filter((file) => file.endsWith('.json') && file !== 'contexts.json')
      .map((file) => file.slice(0, -'.json'.length))
      .filter((name) => !cases.includes(name));
    expect(expectedOnly).toEqual([]);
    expect(Object.keys(contexts.cases).filter((name) => !cases.includes(name))).toEqual([]);
  });

  it('covers every EMS category with an RFC 3164 line the catalogue fully accepts', () => {
    for (const category of CATEGORY_NAMES) {
      const event = parsed.get(`${category}-rfc3164`);
      expect(event, category).toBeDefined();
      expect(event?.kind).toBe('event');
      expect(event?.category).toBe(category);
      expect(event?.problems, category).toEqual([]);
    }
  });

  it('covers every producer, and the line that is nobody’s and not syslog becomes a pipeline_error carrying the raw line', () => {
    const producers = new Set([...parsed.values()].filter((event) => event.kind === 'event').map((event) => event.producer));
    expect([...producers].sort()).toEqual(['ems', 'fortianalyzer', 'forticlient', 'fortigate', 'syslog']);
    const unparsed = parsed.get('unparsed-not-syslog');
    expect(unparsed?.kind).toBe('pipeline_error');
    expect((unparsed?.document.event as { original?: string } | undefined)?.original).toBe(readLine('unparsed-not-syslog'));
  });
});
