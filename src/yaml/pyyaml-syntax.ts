import type { CST } from 'yaml';

/**
 * Syntax that the `yaml` package accepts but PyYAML's scanner rejects or reads differently.
 * Accepting it would hash a value flytekit never sees (or a file flytekit cannot load), so each
 * is reported as an error at its offset. Found by differential testing against PyYAML 6.0.
 * The text must already have \n line breaks only (load.ts converts \r\n and \r).
 */
export interface SyntaxProblem {
  message: string;
  offset: number;
  /**
   * Spaces that, inserted at the start of the line at `lineStart`, make the yaml package read the text
   * as PyYAML does: PyYAML ignores indentation inside flow collections and quoted scalars, so they
   * change no value.
   */
  reindent?: { lineStart: number; spaces: number };
}

const TAB_MESSAGE = 'tab character outside a quoted string, block scalar or comment; PyYAML does not accept tabs there (use spaces)';

const QUOTE_MESSAGE = 'quoted string is not closed';

/** PyYAML ends an anchor or alias name only at these characters. */
const AFTER_ANCHOR = new Set(['', ' ', '\t', '\n', '?', ':', ',', ']', '}', '%', '@', '`']);
/** ... and a tag only at whitespace (not tab, not a flow indicator). */
const AFTER_TAG = new Set(['', ' ', '\n']);

/**
 * `indent` is the column of the innermost block collection, -1 outside any. A found problem of a
 * collection item waits on the stack until the items before it have been checked.
 */
type Visit = { tok: CST.Token | null | undefined; flow: boolean; indent: number } | { problem: SyntaxProblem };

/** A document the `yaml` package infers from a bare `...`: no `---` and no content. */
function isPhantomDocument(tok: CST.Token, next: CST.Token | undefined): boolean {
  return tok.type === 'document' && !tok.value && !tok.start.some((t) => t.type === 'doc-start') && next?.type === 'doc-end';
}

/**
 * PyYAML skips repeated `...` markers after a document but fails on one before the first
 * document; the `yaml` package turns each into an empty document. Drop the repeats, report the
 * leading one.
 */
export function dropRepeatedDocumentEnds(tokens: CST.Token[]): { tokens: CST.Token[]; problem: SyntaxProblem | null } {
  const kept: CST.Token[] = [];
  let seenDocument = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (isPhantomDocument(tok, tokens[i + 1])) {
      if (!seenDocument)
        return { tokens, problem: { message: "a document end marker '...' comes before any document", offset: tok.offset } };
      i++;
      continue;
    }
    if (tok.type === 'document') seenDocument = true;
    kept.push(tok);
  }
  return { tokens: kept, problem: null };
}

/** Code points from `from` to `to`; PyYAML measures its simple-key limit in them. */
export type CodePointCounter = (from: number, to: number) => number;

export function findPyYamlSyntaxProblem(
  tokens: CST.Token[],
  text: string,
  codePoints: CodePointCounter = (from, to) => Array.from(text.slice(from, to)).length,
): SyntaxProblem | null {
  const stack: Visit[] = tokens.map((tok) => ({ tok, flow: false, indent: -1 })).reverse();
  const repeated = repeatedDirective(tokens);
  if (repeated) return repeated;
  let indent = -1;
  const pushAll = (toks: CST.Token[] | undefined, flow: boolean): void => {
    if (toks) for (let i = toks.length - 1; i >= 0; i--) stack.push({ tok: toks[i], flow, indent });
  };
  const push = (tok: CST.Token | null | undefined, flow: boolean): void => {
    stack.push({ tok, flow, indent });
  };
  // A line to re-indent comes before any other problem: until it is, the yaml package has cut a
  // string or collection short, and what it reads after the cut is not what PyYAML reads.
  let first: SyntaxProblem | null = null;
  const found = (p: SyntaxProblem): SyntaxProblem | null => {
    first ??= p;
    return p.reindent ? p : null;
  };
  while (stack.length) {
    const visit = stack.pop() as Visit;
    if ('problem' in visit) {
      if (found(visit.problem)) return visit.problem;
      continue;
    }
    const { tok, flow } = visit;
    if (!tok) continue;
    const problem =
      // Inside [ ] and { } too: there a `]` or `}` opening the unindented line ends the collection
      // for the yaml package, which then reports the string as unclosed; PyYAML reads on.
      unindentedQuoteProblem(tok, visit.indent, text) ??
      checkToken(tok, flow, text) ??
      (flow ? null : continuationProblem(tok, visit.indent)) ??
      unclosedFlowProblem(tok, flow, visit.indent, text);
    if (problem && found(problem)) return problem;
    indent = visit.indent;
    switch (tok.type) {
      case 'document': {
        // Children are pushed in reverse so that the first problem in the text is found first.
        pushAll(tok.end, false);
        push(tok.value, false);
        pushAll(tok.start, false);
        break;
      }
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const inFlow = tok.type === 'flow-collection';
        if (!inFlow) indent = tok.indent;
        if (inFlow) pushAll(tok.end, flow);
        for (let i = tok.items.length - 1; i >= 0; i--) {
          const item = tok.items[i] as CST.CollectionItem;
          const itemProblem =
            missingKeyProblem(item) ??
            keyLineProblem(item, text) ??
            keyLengthProblem(item, codePoints) ??
            (tok.type === 'block-map' ? explicitValueProblem(item, tok.indent, text) : null);
          push(item.value, inFlow);
          pushAll(item.sep, inFlow);
          push(item.key, inFlow);
          pushAll(item.start, inFlow);
          // Reported when the walk reaches this item: a problem inside an earlier item comes first.
          if (itemProblem) stack.push({ problem: itemProblem });
        }
        if (inFlow) push(tok.start, flow);
        break;
      }
      case 'block-scalar':
        pushAll(tok.props, flow);
        break;
      case 'scalar':
      case 'alias':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'doc-end':
        pushAll(tok.end, flow);
        break;
      default:
        break;
    }
  }
  return first;
}

const DIRECTIVE_END = String.raw`(?: +(?:#.*)?)?$`;
const YAML_DIRECTIVE = new RegExp(String.raw`^%YAML +([0-9]+)\.[0-9]+` + DIRECTIVE_END);
const TAG_DIRECTIVE = new RegExp(
  String.raw`^%TAG +(?:!|!!|![0-9A-Za-z_-]+!) +(?:[0-9A-Za-z\-;/?:@&=+$,_.!~*'()\[\]]|%[0-9A-Fa-f]{2})+` + DIRECTIVE_END,
);
const OTHER_DIRECTIVE = /^%[0-9A-Za-z_-]+(?: .*)?$/;

/** PyYAML's scanner is strict about `%YAML` and `%TAG` lines and only skips other directives. */
function directiveProblem(source: string, offset: number): SyntaxProblem | null {
  const name = /^%([^ ]*)/.exec(source)?.[1];
  if (name === 'YAML') {
    const m = YAML_DIRECTIVE.exec(source);
    if (!m) return { message: `malformed %YAML directive: ${source}`, offset };
    if (Number(m[1]) !== 1) return { message: 'found incompatible YAML document (version 1.* is required)', offset };
    return null;
  }
  if (name === 'TAG') return TAG_DIRECTIVE.test(source) ? null : { message: `malformed %TAG directive: ${source}`, offset };
  return OTHER_DIRECTIVE.test(source) ? null : { message: `malformed directive: ${source}`, offset };
}

/** PyYAML allows one `%YAML` line per document and one `%TAG` line per handle; the yaml package keeps the last. */
function repeatedDirective(tokens: CST.Token[]): SyntaxProblem | null {
  let yaml = false;
  const handles = new Set<string>();
  for (const t of tokens) {
    if (t.type === 'document') {
      yaml = false;
      handles.clear();
    }
    if (t.type !== 'directive') continue;
    const [name, handle] = t.source.split(/ +/);
    if (name === '%YAML') {
      if (yaml) return { message: 'found duplicate YAML directive', offset: t.offset };
      yaml = true;
    } else if (name === '%TAG' && handle !== undefined) {
      if (handles.has(handle)) return { message: `duplicate tag handle ${handle}`, offset: t.offset };
      handles.add(handle);
    }
  }
  return null;
}

/**
 * PyYAML reads an implicit key (no `?`) only if the key, its anchor or tag, and its ':' sit on
 * one line.
 */
function keyLineProblem(item: CST.CollectionItem, text: string): SyntaxProblem | null {
  if (!item.key || !item.sep || item.start.some((t) => t.type === 'explicit-key-ind')) return null;
  const colon = item.sep.find((t) => t.type === 'map-value-ind');
  if (!colon) return null;
  const prop = item.start.find((t) => t.type === 'anchor' || t.type === 'tag');
  const from = prop ? prop.offset : item.key.offset;
  return text.slice(from, colon.offset).includes('\n')
    ? { message: "a mapping key and its ':' must be on one line (PyYAML does not read multi-line implicit keys)", offset: from }
    : null;
}

/** PyYAML's scanner forgets a possible simple key once the ':' is more than this many characters on. */
const MAX_SIMPLE_KEY = 1024;

/**
 * An implicit key whose ':' comes more than 1,024 characters (code points) after the key's first
 * token is no key to PyYAML, in block mappings, flow mappings and flow sequences alike: it fails.
 */
function keyLengthProblem(item: CST.CollectionItem, codePoints: CodePointCounter): SyntaxProblem | null {
  if (!item.sep || item.start.some((t) => t.type === 'explicit-key-ind')) return null;
  const colon = item.sep.find((t) => t.type === 'map-value-ind');
  if (!colon) return null;
  const prop = item.start.find((t) => t.type === 'anchor' || t.type === 'tag');
  const from = prop ? prop.offset : (item.key?.offset ?? colon.offset);
  // Code points never outnumber code units, so most keys need no counting.
  if (colon.offset - from <= MAX_SIMPLE_KEY || codePoints(from, colon.offset) <= MAX_SIMPLE_KEY) return null;
  return {
    message: `the ':' of this mapping key is more than ${MAX_SIMPLE_KEY} characters after the key's start; PyYAML only reads shorter keys without '? ' (write it as '? key')`,
    offset: from,
  };
}

/**
 * In block context the yaml package ends a flow collection at a line that is not indented past the
 * enclosing block collection; PyYAML ignores indentation inside `[ ]` and `{ }`. The collection then
 * has no closing bracket here, and what follows would be misread: refused, saying why.
 */
function unclosedFlowProblem(tok: CST.Token, flow: boolean, indent: number, text: string): SyntaxProblem | null {
  if (tok.type !== 'flow-collection' || flow || indent < 0) return null;
  if (tok.end.some((t) => t.type === 'flow-seq-end' || t.type === 'flow-map-end')) return null;
  const kind = tok.start.type === 'flow-map-start' ? 'map' : 'sequence';
  const lineBreak = /\n( *)(?=[^ \n#])/g;
  lineBreak.lastIndex = tok.offset;
  for (let m = lineBreak.exec(text); m; m = lineBreak.exec(text)) {
    if (m[1].length > indent) continue;
    const lineStart = m.index + 1;
    // At column 0, `---`, `...` and `%` are document markers and directives to PyYAML, even here.
    const marker = m[1].length === 0 && /^(?:(?:---|\.\.\.)(?:[ \n]|$)|%)/.test(text.slice(lineStart, lineStart + 4));
    return {
      message:
        `flow ${kind} is not closed before this line, which is not indented past column ${indent + 1}: PyYAML ignores ` +
        `indentation inside [ ] and { }, but the YAML parser of this action ends the collection here; indent the line`,
      offset: lineStart + m[1].length,
      ...(marker ? {} : { reindent: { lineStart, spaces: indent + 1 - m[1].length } }),
    };
  }
  // No such line: the closing bracket is missing, which the composer reports where the text ends.
  return null;
}

/**
 * The same for a quoted scalar continued on a line that is not indented past the block collection
 * (also inside a flow collection in it): the yaml package cuts the scalar there, PyYAML reads on
 * (folding drops the indentation anyway).
 */
function unindentedQuoteProblem(tok: CST.Token, indent: number, text: string): SyntaxProblem | null {
  if (indent < 0 || (tok.type !== 'single-quoted-scalar' && tok.type !== 'double-quoted-scalar')) return null;
  if (checkToken(tok, false, text) === null) return null;
  const lineBreak = /\n( *)(?=[^ \n])/g;
  lineBreak.lastIndex = tok.offset;
  let m = lineBreak.exec(text);
  // The yaml package ends the token just before the line it would not read as a continuation.
  while (m && m.index <= tok.offset + tok.source.length && m[1].length > indent) m = lineBreak.exec(text);
  if (!m || m.index > tok.offset + tok.source.length || m[1].length > indent) return null;
  const lineStart = m.index + 1;
  const marker = m[1].length === 0 && /^(?:---|\.\.\.)(?:[ \n]|$)/.test(text.slice(lineStart, lineStart + 4));
  if (marker) return null;
  return {
    message:
      `quoted string continues on a line not indented past column ${indent + 1}: PyYAML accepts that, but the YAML parser of ` +
      `this action ends the string there; indent the line`,
    offset: lineStart + m[1].length,
    reindent: { lineStart, spaces: indent + 1 - m[1].length },
  };
}

/** In block context PyYAML ends a plain value at a line indented no deeper than its collection. */
function continuationProblem(tok: CST.Token, indent: number): SyntaxProblem | null {
  if (tok.type !== 'scalar' || indent < 0) return null;
  const lines = tok.source.split('\n');
  let offset = tok.offset + lines[0].length + 1;
  for (const line of lines.slice(1)) {
    const spaces = line.search(/[^ ]/);
    if (spaces >= 0 && spaces <= indent) {
      return {
        message: `this line continues a plain value but is not indented past column ${indent + 1}; PyYAML reads it as a new entry`,
        offset,
      };
    }
    offset += line.length + 1;
  }
  return null;
}

/**
 * After `? key`, PyYAML needs the ':' at the mapping's own column if it starts a line; the
 * `yaml` package also accepts it elsewhere, or drops a value that has no ':' at all.
 */
function explicitValueProblem(item: CST.CollectionItem, mapIndent: number, text: string): SyntaxProblem | null {
  if (!item.sep) return null;
  const colon = item.sep.find((t) => t.type === 'map-value-ind');
  if (!colon) {
    return item.value ? { message: "expected ':' before this value (PyYAML reads it as a new node)", offset: item.value.offset } : null;
  }
  // Only the spaces directly before the ':' matter; scanning further back would be quadratic.
  let lineStart = colon.offset;
  while (lineStart > 0 && text[lineStart - 1] === ' ') lineStart--;
  const atLineStart = lineStart === 0 || text[lineStart - 1] === '\n';
  if (atLineStart && colon.offset - lineStart !== mapIndent) {
    return { message: "the ':' of a '? key' entry must line up with the '?'", offset: colon.offset };
  }
  return null;
}

/**
 * `: value` with no key: the `yaml` package reads a null key, PyYAML's parser fails. An anchor or
 * tag alone (`! : v`, `&a : v`) is an empty key to both (differential seed 1140764548).
 */
function missingKeyProblem(item: CST.CollectionItem): SyntaxProblem | null {
  if (item.key !== null || !item.sep) return null;
  if (item.start.some((t) => t.type === 'explicit-key-ind' || t.type === 'anchor' || t.type === 'tag')) return null;
  const colon = item.sep.find((t) => t.type === 'map-value-ind');
  if (!colon) return null;
  return { message: "a mapping entry has no key before ':' (PyYAML only accepts an empty key written as '? ')", offset: colon.offset };
}

function checkToken(tok: CST.Token, flow: boolean, text: string): SyntaxProblem | null {
  switch (tok.type) {
    case 'space':
    case 'block-scalar-header':
    case 'directive-line':
      return tabProblem(tok.source, tok.offset);
    case 'directive':
      return directiveProblem(tok.source, tok.offset);
    case 'tag':
      if (!AFTER_TAG.has(text.charAt(tok.offset + tok.source.length))) {
        return {
          message: 'a tag must be followed by a space or a line break (PyYAML reads the next characters as part of the tag)',
          offset: tok.offset,
        };
      }
      return null;
    case 'anchor':
    case 'alias':
      if (!/^[&*][0-9A-Za-z_-]+$/.test(tok.source)) {
        const kind = tok.source.charAt(0) === '&' ? 'anchor' : 'alias';
        const name = /^[&*][0-9A-Za-z_-]*/.exec(tok.source)![0];
        const stop = tok.source.charAt(name.length);
        // PyYAML ends the name at any of these and reads the rest as the node (`&a:b` is anchor `a`
        // on the value ':b'), where the yaml package reads one longer name: refused, but not as
        // something PyYAML rejects (found by the differential tests: `v: &21:59:430`).
        if (name.length > 1 && AFTER_ANCHOR.has(stop)) {
          return {
            message: `PyYAML ends the ${kind} name ${name} at '${stop}' and reads the rest as the value, the yaml package reads one name ${tok.source}; put a space after ${name}`,
            offset: tok.offset,
          };
        }
        return { message: `${kind} names may only use letters, digits, '-' and '_' (PyYAML rejects ${tok.source})`, offset: tok.offset };
      }
      if (!AFTER_ANCHOR.has(text.charAt(tok.offset + tok.source.length))) {
        return {
          message: `unexpected character after ${tok.source.charAt(0) === '&' ? 'anchor' : 'alias'} ${tok.source}`,
          offset: tok.offset,
        };
      }
      return null;
    case 'single-quoted-scalar':
      return /^'(?:[^']|'')*'$/.test(tok.source) ? null : { message: QUOTE_MESSAGE, offset: tok.offset };
    case 'double-quoted-scalar':
      return /^"(?:[^"\\]|\\[\s\S])*"$/.test(tok.source) ? null : { message: QUOTE_MESSAGE, offset: tok.offset };
    case 'scalar': {
      const tab = tabProblem(tok.source, tok.offset);
      if (tab) return tab;
      if (flow && tok.source.startsWith(':')) {
        return { message: "inside [ ] or { }, PyYAML reads a leading ':' as a value indicator; quote the value", offset: tok.offset };
      }
      const q = tok.source.indexOf('?');
      if (flow && q >= 0) {
        return {
          message: "inside [ ] or { }, PyYAML reads '?' as a mapping-key indicator even within a plain value; quote the value",
          offset: tok.offset + q,
        };
      }
      return null;
    }
    default:
      return null;
  }
}

function tabProblem(source: string, offset: number): SyntaxProblem | null {
  const i = source.indexOf('\t');
  return i < 0 ? null : { message: TAB_MESSAGE, offset: offset + i };
}
