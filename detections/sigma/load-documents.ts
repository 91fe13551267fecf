/**
 * A Sigma file → one loaded document per YAML document: a detection rule, a correlation rule (Sigma v2), or the
 * error that document has. A file of several documents is a collection (base rules next to their correlation);
 * Sigma v1 `action:` collections (global/reset/repeat merging) are refused for the whole file.
 */
import { type Document, isMap, parseAllDocuments, visit } from 'yaml';
import { invalid, PlacedError, SigmaError } from './errors.js';
import { correlationFromRoot } from './load-correlation.js';
import { ruleFromRoot } from './load-rule.js';
import type { CorrelationRule, SigmaRule } from './types.js';
import type { JsonMap } from './yaml-values.js';

export type LoadedDocument =
  | { readonly kind: 'rule'; readonly rule: SigmaRule; readonly document: number }
  | { readonly kind: 'correlation'; readonly rule: CorrelationRule; readonly document: number }
  /** `refs`: the document's `id` and `name` when readable, so a reference to it reports "does not compile", not "unknown". */
  | { readonly error: SigmaError; readonly document: number; readonly refs: readonly string[] };

/** Non-empty documents of a YAML text; an empty trailing document (a final `---`) is not a document. */
export function yamlDocuments(text: string): Document.Parsed[] {
  const documents = parseAllDocuments(text);
  return Array.isArray(documents) ? documents.filter((document) => document.contents !== null) : [];
}

export function loadDocuments(text: string, file: string): LoadedDocument[] {
  const all = parseAllDocuments(text);
  const yamlError = Array.isArray(all) ? all.flatMap((document) => document.errors)[0] : undefined;
  if (yamlError) {
    const place = `(line ${yamlError.linePos?.[0].line ?? '?'})`;
    return [fileError(file, place, `YAML: ${yamlError.message.split('\n')[0]}`)];
  }
  const documents = yamlDocuments(text);
  if (documents.length === 0) return [fileError(file, '', 'empty file: no YAML document')];
  const prefix = (index: number, place: string): string => documentPlace(documents.length, index, place);
  const roots: (JsonMap | undefined)[] = documents.map((document) => {
    if (!isMap(document.contents)) return undefined;
    // YAML reads `0x10` as 16 and `1.10` as 1.1; Sigma matches the text as written, so keep non-canonical numbers as text.
    visit(document, {
      Scalar(_key, node) {
        if (typeof node.value === 'number' && node.source !== undefined && String(node.value) !== node.source) node.value = node.source;
      },
    });
    return document.toJS() as JsonMap;
  });
  const action = roots.findIndex((root) => root?.action !== undefined);
  if (action >= 0) return [fileError(file, prefix(action, 'action'), 'unsupported: rule collection (action)')];
  return roots.map((root, document) => {
    try {
      if (root === undefined) throw invalid('', 'a rule must be a YAML map');
      if (root.correlation !== undefined) return { kind: 'correlation', rule: correlationFromRoot(root, file), document };
      return { kind: 'rule', rule: ruleFromRoot(root, file), document };
    } catch (error) {
      if (!(error instanceof PlacedError)) throw error;
      const refs =
        root === undefined ? [] : [root.id, root.name].filter((ref) => typeof ref === 'string' || typeof ref === 'number').map(String);
      return { error: new SigmaError(file, prefix(document, error.place), error.message), document, refs };
    }
  });
}

/** In a collection the YAML path alone is ambiguous: name the document (1-based, as an author counts them). */
export function documentPlace(documents: number, document: number, place: string): string {
  return documents <= 1 ? place : `(document ${document + 1})${place === '' ? '' : ` ${place}`}`;
}

function fileError(file: string, place: string, message: string): LoadedDocument {
  return { error: new SigmaError(file, place, message), document: 0, refs: [] };
}

/** A single-rule file; a collection (several documents) or a correlation is refused here (see loadDocuments). */
export function loadRule(text: string, file: string): SigmaRule {
  const documents = loadDocuments(text, file);
  const [first] = documents;
  if (documents.length > 1) throw new SigmaError(file, '', 'unsupported: rule collection (multi-document YAML)');
  if (first === undefined) throw new SigmaError(file, '', 'empty file: no YAML document');
  if ('error' in first) throw first.error;
  if (first.kind === 'correlation') throw new SigmaError(file, 'correlation', 'unsupported: correlation rule');
  return first.rule;
}
