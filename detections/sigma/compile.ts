/**
 * Sigma files → one CompileResult per YAML document: a query rule { rule, index, dsl, lucene }, a correlation rule
 * over query rules, or { error } naming the file, the YAML path and the problem. Correlations resolve their
 * references within the file (compileRuleText) or across every file compiled together (compileRules).
 * compileRules walks a file or a folder (recursive *.yml / *.yaml) in a stable, sorted order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { conditionToQuery, type QueryContext } from './build-query.js';
import { compileCorrelation, type ReferenceCandidate } from './compile-correlation.js';
import type { CompiledRule, CompileResult } from './compiled.js';
import { parseCondition } from './condition.js';
import { PlacedError, SigmaError } from './errors.js';
import { indexPatternFor, isFortinetLogsource } from './field-mapping.js';
import { documentPlace, type LoadedDocument, loadDocuments } from './load-documents.js';
import { compileNewTerms } from './new-terms.js';
import type { Placeholders } from './placeholders.js';
import { or } from './query.js';
import { toDsl } from './to-dsl.js';
import { toLucene } from './to-lucene.js';
import type { SigmaRule } from './types.js';

export * from './compiled.js';

/** What a deployment decides for every rule it compiles. */
export interface CompileOptions {
  /** `expand` placeholders: name (without `%`) → the values it stands for. */
  readonly placeholders?: Placeholders;
}

/** One file's documents, query rules compiled, correlations waiting for their references. */
interface FileDocuments {
  readonly file: string;
  readonly loaded: readonly LoadedDocument[];
  readonly results: readonly (CompileResult | undefined)[];
}

function compileQuery(rule: SigmaRule, document: number, options: CompileOptions): CompiledRule {
  const identifiers = [...rule.selections.keys()];
  const context: QueryContext = { fortinet: isFortinetLogsource(rule.logsource), placeholders: options.placeholders ?? {} };
  const query = or(
    rule.conditions.map((condition, index) =>
      conditionToQuery(
        parseCondition(condition, identifiers, rule.conditions.length > 1 ? `detection.condition[${index}]` : 'detection.condition'),
        rule.selections,
        context,
      ),
    ),
  );
  return {
    kind: 'query',
    file: rule.file,
    document,
    rule,
    index: indexPatternFor(rule.logsource),
    dsl: toDsl(query),
    lucene: toLucene(query),
    ...(rule.newTerms ? { newTerms: compileNewTerms(rule.newTerms, context.fortinet) } : {}),
  };
}

/** Runs `build`, turning a PlacedError into this document's SigmaError. */
function placed(file: string, documents: number, document: number, build: () => CompileResult): CompileResult {
  try {
    return build();
  } catch (error) {
    if (error instanceof SigmaError) return { file, error };
    if (error instanceof PlacedError)
      return { file, error: new SigmaError(file, documentPlace(documents, document, error.place), error.message) };
    throw error;
  }
}

function loadFile(text: string, file: string, options: CompileOptions): FileDocuments {
  const loaded = loadDocuments(text, file);
  const results = loaded.map((entry) => {
    if ('error' in entry) return { file, error: entry.error };
    if (entry.kind === 'correlation') return undefined;
    return placed(file, loaded.length, entry.document, () => compileQuery(entry.rule, entry.document, options));
  });
  return { file, loaded, results };
}

/** Compiles the correlations of `files` against every document of `files` and `context`, in document order. */
function resolve(files: readonly FileDocuments[], context: readonly FileDocuments[] = []): CompileResult[] {
  const candidates: ReferenceCandidate[] = [...files, ...context].flatMap(({ loaded, results }) =>
    loaded.map((entry, index) => {
      const refs = 'error' in entry ? entry.refs : [entry.rule.id, entry.rule.name].filter((ref) => ref !== undefined);
      const result = results[index];
      return { refs, result: result ?? ('correlation' as const) };
    }),
  );
  return files.flatMap(({ file, loaded, results }) =>
    loaded.map((entry, index) => {
      const done = results[index];
      if (done !== undefined) return done;
      if ('error' in entry || entry.kind !== 'correlation') throw new Error('unreachable: only correlations are pending');
      return placed(file, loaded.length, entry.document, () => compileCorrelation(entry.rule, entry.document, candidates));
    }),
  );
}

/** One result per document of one file, references resolved within the file. */
export function compileRuleText(text: string, file: string, options: CompileOptions = {}): CompileResult[] {
  return resolve([loadFile(text, file, options)]);
}

/**
 * One rule's result: the correlation when the file is a collection with one, else its only rule. A collection of
 * several rules and no correlation has no single answer: use compileRuleText.
 */
export function compileRule(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const documents = loadFile(text, file, options);
  const results = resolve([documents]);
  const correlation = documents.loaded.findIndex((entry) => !('error' in entry) && entry.kind === 'correlation');
  const chosen = results[correlation >= 0 ? correlation : 0];
  if (chosen !== undefined && (correlation >= 0 || results.length === 1)) return chosen;
  // A collection whose correlation did not load: its error is the answer.
  const failed = results.find((result) => 'error' in result);
  if (failed !== undefined) return failed;
  return {
    file,
    error: new SigmaError(file, '', `a collection of ${results.length} rules without a correlation: compile it with compileRuleText`),
  };
}

/** Rule files under `path` (itself when it is a file), sorted for reproducible output. */
export function ruleFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) files.push(...ruleFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Every document of every file under `path`, references resolved across all of them. For a single file, the
 * rules of the files beside it (its folder) may be referenced too, as when the whole folder is compiled.
 */
export function compileRules(path: string, options: CompileOptions = {}): CompileResult[] {
  const load = (file: string): FileDocuments => loadFile(readFileSync(file, 'utf8'), file, options);
  if (statSync(path).isDirectory()) return resolve(ruleFiles(path).map(load));
  const own = load(path);
  // Only a correlation looks beyond its file: a plain rule compiles without reading its neighbours.
  const correlates = own.loaded.some((entry) => !('error' in entry) && entry.kind === 'correlation');
  if (!correlates) return resolve([own]);
  const folder = ruleFiles(dirname(path)).filter((file) => resolvePath(file) !== resolvePath(path));
  return resolve([own], folder.map(load));
}
