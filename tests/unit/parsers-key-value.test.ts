import { describe, expect, it } from 'vitest';
import { parseKeyValue } from '../../parsers/key-value.js';

describe('the key=value body tokenizer', () => {
  it('reads the observed EMS body', () => {
    const body =
      'dtime="2026-11-22 10:00:01" type=event subtype=admin devid=FCT8003611528421 uid=0123456789ABCDEF0123456789ABCDEF hostname="pc 1" user="alice" deviceip=10.10.12.7 devicemac=a1-b2-c3-4d-38-a6 emsserial=FCTEMS8822000123 os="Microsoft Windows 11" msg="offline" usingpolicy="Global" emshostname="" vd="default"';
    const { pairs, problems } = parseKeyValue(body);
    expect(problems).toEqual([]);
    expect(pairs).toMatchObject({
      dtime: '2026-11-22 10:00:01',
      type: 'event',
      hostname: 'pc 1',
      emshostname: '',
      devicemac: 'a1-b2-c3-4d-38-a6',
      vd: 'default',
    });
  });

  it('keeps spaces and = inside quotes, unescapes \\" and \\\\, keeps other backslashes', () => {
    const { pairs } = parseKeyValue('msg="a=b c" q="say \\"hi\\"" path="C:\\Users\\bob" esc="x\\\\y" last=1');
    expect(pairs).toEqual({ msg: 'a=b c', q: 'say "hi"', path: 'C:\\Users\\bob', esc: 'x\\y', last: '1' });
  });

  it('keeps the first of duplicate keys and says so', () => {
    const { pairs, problems } = parseKeyValue('user=alice user=mallory');
    expect(pairs.user).toBe('alice');
    expect(problems).toEqual(["duplicate key 'user': the first value is kept"]);
  });

  it('reports an unbalanced quote and a token without =, and still returns what it read', () => {
    const { pairs, problems } = parseKeyValue('a=1 junk b="unterminated value');
    expect(pairs).toEqual({ a: '1', b: 'unterminated value' });
    expect(problems).toHaveLength(2);
  });

  it('does not treat __proto__ as special', () => {
    const { pairs } = parseKeyValue('__proto__=x constructor=y');
    expect(Object.keys(pairs)).toEqual(['__proto__', 'constructor']);
  });
});

describe('the tokenizer on hostile input', () => {
  it('splits on tabs as on spaces', () => {
    expect(parseKeyValue('a=1\tb=2 c="x\ty"').pairs).toEqual({ a: '1', b: '2', c: 'x\ty' });
  });

  it('stays linear on 10,000 keys with escapes and tabs at the end', () => {
    const body = `${Array.from({ length: 10_000 }, (_, i) => `k${i}="v ${i}"`).join(' ')} tail="a\\"b"\tlast=1`;
    const started = performance.now();
    const { order, pairs } = parseKeyValue(body);
    expect(order).toHaveLength(10_002);
    expect(pairs.tail).toBe('a"b');
    expect(pairs.last).toBe('1');
    // A hang guard, not a speed test (bench:parse measures speed): quadratic scanning would take minutes here.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stays linear on a tab-separated body and on a long run of tokens without =', () => {
    const tabs = Array.from({ length: 150_000 }, (_, i) => `k${i}=${i}`).join('\t');
    const junk = `a=1 ${'z '.repeat(400_000)}`;
    const started = performance.now();
    expect(parseKeyValue(tabs).order).toHaveLength(150_000);
    const { pairs, problems } = parseKeyValue(junk);
    expect(pairs).toEqual({ a: '1' });
    expect(problems).toHaveLength(400_000);
    // Searching for the next '=' or space afresh for every token rescans the rest of the body: seconds, not milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
