/**
 * The forward filter's query language, evaluated in Node on the parsed event (no OpenSearch round trip). A small,
 * Lucene-like subset, so that a query copied from a board mostly works:
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := not ( "AND" not )*
 *   not     := "NOT" not | primary
 *   primary := "(" or ")" | "_exists_:" field | field ":" value
 *   value   := '"' chars with \" and \\ escapes '"'   exact, `*` literal
 *            | word                                  exact; `*` at the start and/or end is a wildcard; `*` alone = exists
 *
 * Keywords are upper case (as in Lucene); NOT binds tighter than AND, AND tighter than OR. Two terms without an operator
 * between them are a syntax error rather than Lucene's implicit OR, which surprises more than it helps in a filter.
 * Matching is exact and case-sensitive (keyword semantics); an array field matches when any element does; numbers and
 * booleans match their text (`ems.srcport:54907`). Fields are ECS dotted paths or raw EMS names: a raw name that the index
 * aliases at the top level (`hostname` → `ems.hostname`) resolves the same way here; `user`, `service`, … stay ECS.
 */
import { rawNameSplit } from '../../mappings/index.js';
import { fieldAt } from '../../parsers/event-fields.js';

export type DocumentPredicate = (document: Record<string, unknown>) => boolean;

let aliased: ReadonlySet<string> | undefined;
/** The raw names that have a top-level alias in the index, computed once from the catalogue. */
function aliasedRawNames(): ReadonlySet<string> {
  aliased ??= new Set(rawNameSplit().aliased);
  return aliased;
}

/** The document path a query field reads: the alias target for aliased raw names, else the field itself. */
export function resolveField(field: string): string {
  return aliasedRawNames().has(field) ? `ems.${field}` : field;
}

type Token =
  | { type: 'word'; text: string; position: number }
  | { type: 'quoted'; text: string; position: number }
  | { type: '(' | ')' | ':' | 'AND' | 'OR' | 'NOT' | 'end'; position: number };

/** A syntax error that names the 1-based character position and what was expected there. */
function syntaxError(position: number, expected: string, found: string): Error {
  return new Error(`forward filter query: syntax error at position ${position + 1}: expected ${expected}, found ${found}`);
}

function describe(token: Token): string {
  if (token.type === 'end') return 'end of query';
  if (token.type === 'word') return `'${token.text}'`;
  if (token.type === 'quoted') return `"${token.text}"`;
  return `'${token.type}'`;
}

const SPECIAL = new Set([' ', '\t', '\n', '\r', '(', ')', ':', '"']);

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const character = query[i] as string;
    if (character === ' ' || character === '\t' || character === '\n' || character === '\r') {
      i++;
    } else if (character === '(' || character === ')' || character === ':') {
      tokens.push({ type: character, position: i });
      i++;
    } else if (character === '"') {
      const start = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw syntaxError(i, "a closing '\"'", 'end of query');
        const next = query[i] as string;
        if (next === '"') break;
        if (next === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
        } else {
          text += next;
          i++;
        }
      }
      i++;
      tokens.push({ type: 'quoted', text, position: start });
    } else {
      const start = i;
      // A word ends at whitespace, a parenthesis, a quote or a colon; the value after `field:` may contain colons
      // (IPv6, times), which the parser re-joins (see valueAt).
      while (i < query.length && !SPECIAL.has(query[i] as string)) i++;
      const text = query.slice(start, i);
      if (text === 'AND' || text === 'OR' || text === 'NOT') tokens.push({ type: text, position: start });
      else tokens.push({ type: 'word', text, position: start });
    }
  }
  tokens.push({ type: 'end', position: query.length });
  return tokens;
}

const FIELD_NAME = /^[A-Za-z0-9_@][A-Za-z0-9_@.-]*$/;

function valuesOf(document: Record<string, unknown>, path: string): unknown[] {
  const value = fieldAt(document, path);
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function existsPredicate(path: string): DocumentPredicate {
  return (document) => valuesOf(document, path).length > 0;
}

/** `field:value`; `*` at the start and/or the end of a bare word is a wildcard, anywhere else it is a literal. */
function termPredicate(path: string, value: string, quoted: boolean): DocumentPredicate {
  if (!quoted && value === '*') return existsPredicate(path);
  const leading = !quoted && value.startsWith('*');
  const trailing = !quoted && value.endsWith('*') && value.length > 1;
  const core = value.slice(leading ? 1 : 0, trailing ? value.length - 1 : value.length);
  let test: (text: string) => boolean;
  if (leading && trailing) test = (text) => text.includes(core);
  else if (leading) test = (text) => text.endsWith(core);
  else if (trailing) test = (text) => text.startsWith(core);
  else test = (text) => text === core;
  return (document) => {
    for (const item of valuesOf(document, path)) {
      const text = textOf(item);
      if (text !== undefined && test(text)) return true;
    }
    return false;
  };
}

class Parser {
  private index = 0;
  constructor(
    private readonly query: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.tokens[this.index] as Token;
    if (token.type !== 'end') this.index++;
    return token;
  }

  parse(): DocumentPredicate {
    const predicate = this.or();
    const rest = this.peek();
    if (rest.type !== 'end') throw syntaxError(rest.position, 'AND, OR or the end of the query', describe(rest));
    return predicate;
  }

  private or(): DocumentPredicate {
    const terms = [this.and()];
    while (this.peek().type === 'OR') {
      this.next();
      terms.push(this.and());
    }
    if (terms.length === 1) return terms[0] as DocumentPredicate;
    return (document) => terms.some((term) => term(document));
  }

  private and(): DocumentPredicate {
    const terms = [this.not()];
    while (this.peek().type === 'AND') {
      this.next();
      terms.push(this.not());
    }
    if (terms.length === 1) return terms[0] as DocumentPredicate;
    return (document) => terms.every((term) => term(document));
  }

  private not(): DocumentPredicate {
    if (this.peek().type === 'NOT') {
      this.next();
      const inner = this.not();
      return (document) => !inner(document);
    }
    return this.primary();
  }

  private primary(): DocumentPredicate {
    const token = this.next();
    if (token.type === '(') {
      const inner = this.or();
      const close = this.next();
      if (close.type !== ')') throw syntaxError(close.position, "')'", describe(close));
      return inner;
    }
    if (token.type !== 'word') throw syntaxError(token.position, "a field name, 'NOT' or '('", describe(token));
    if (!FIELD_NAME.test(token.text)) throw syntaxError(token.position, 'a field name (letters, digits, _ @ . -)', describe(token));
    const colon = this.next();
    if (colon.type !== ':') throw syntaxError(colon.position, `':' after the field name '${token.text}'`, describe(colon));
    if (token.text === '_exists_') {
      const field = this.next();
      if (field.type !== 'word' || !FIELD_NAME.test(field.text))
        throw syntaxError(field.position, "a field name after '_exists_:'", describe(field));
      return existsPredicate(resolveField(field.text));
    }
    const { value, quoted } = this.value(token.text);
    return termPredicate(resolveField(token.text), value, quoted);
  }

  /** The value after `field:`: a quoted string, or a bare word re-joined across colons (`fe80::1`, `10:00:00`). */
  private value(field: string): { value: string; quoted: boolean } {
    const first = this.next();
    if (first.type === 'quoted') return { value: first.text, quoted: true };
    if (first.type !== 'word' && first.type !== ':') throw syntaxError(first.position, `a value after '${field}:'`, describe(first));
    let end = first.position + (first.type === 'word' ? first.text.length : 1);
    // Adjacent word and colon tokens (no whitespace between) belong to the same value.
    while (true) {
      const following = this.peek();
      if ((following.type === 'word' || following.type === ':') && following.position === end) {
        this.next();
        end = following.position + (following.type === 'word' ? following.text.length : 1);
      } else break;
    }
    return { value: this.query.slice(first.position, end), quoted: false };
  }
}

/** Parses once; the predicate it returns only walks closures. Throws an Error naming the position on a syntax error. */
export function compileQuery(query: string): DocumentPredicate {
  if (query.trim() === '') throw syntaxError(0, 'a query', 'an empty query');
  return new Parser(query, tokenize(query)).parse();
}
