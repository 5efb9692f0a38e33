import { Composer, CST, Lexer, Parser } from 'yaml';
import { YamlError } from '../errors';
import { PyValue } from '../py/value';
import { Positions } from './positions';
import { dropRepeatedDocumentEnds, findPyYamlSyntaxProblem } from './pyyaml-syntax';
import { ValueBuilder } from './build';
import { ALIAS_BOMB, YAML_LIMITS } from './limits';

/**
 * `yaml.safe_load(text)` as PyYAML 6.0 does it, returning the Python value model.
 *
 * The `yaml` package parses (syntax, positions, structure); everything that decides Python
 * values follows PyYAML: YAML 1.1 implicit typing, `<<` merges, the `!` tag quirk, anchors,
 * PyYAML's own scanning of quoted and block scalars, and one document per stream. Syntax the
 * `yaml` package accepts but PyYAML rejects or reads differently is refused (pyyaml-syntax.ts).
 * Where PyYAML's result cannot be represented (self-referencing aliases) or is a trap (silently
 * dropped duplicate keys), the loader raises a YamlError instead of guessing.
 */

export { YAML_LIMITS };

/** At most this many lines are re-indented, and only while the re-parsing stays within the budget (characters parsed). */
const MAX_REINDENTED_LINES = 64;
const REINDENT_BUDGET = 4_000_000;

/**
 * PyYAML's Reader rejects everything outside these ranges. U+0085, U+2028 and U+2029 are line
 * breaks to PyYAML but not to the `yaml` package, so they are refused as well rather than read
 * differently; the escapes `\N`, `\L` and `\P` in double quotes still produce them.
 */
const FORBIDDEN_CHAR = /[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export function loadYaml(text: string, file?: string): PyValue {
  // flytekit reads the file with open(path, "r"), whose universal newlines turn \r\n and a lone
  // \r into \n before PyYAML sees the text; the `yaml` package would keep a lone \r in values.
  const unix = text.replace(/\r\n?/g, '\n');
  // PyYAML skips a byte order mark at the very start; the `yaml` package miscounts columns after one.
  const body = unix.startsWith('\ufeff') ? unix.slice(1) : unix;
  let at = new Positions(body, file);
  if (body.length > YAML_LIMITS.maxChars) {
    throw new YamlError(`the YAML text is ${body.length} characters long; the limit is ${YAML_LIMITS.maxChars}`, { file });
  }
  checkCharacters(body, at);
  checkFlowDepth(body, at);

  // Lines inside [ ] or { } that are not indented past their key end the collection for the yaml
  // package but not for PyYAML; they are indented (which changes no value) and the text parsed again.
  let read = body;
  const shifts = new Map<number, number>();
  const rounds = Math.min(MAX_REINDENTED_LINES, Math.floor(REINDENT_BUDGET / Math.max(body.length, 1)));
  let allTokens: CST.Token[];
  for (let round = 0; ; round++) {
    allTokens = Array.from(new Parser().parse(read));
    checkDepth(allTokens, at);
    const problem = findPyYamlSyntaxProblem(allTokens, read, (from, to) => at.codePoints(from, to));
    if (!problem) break;
    if (problem.reindent === undefined || round >= rounds) throw at.error(problem.message, problem.offset);
    const { lineStart, spaces } = problem.reindent;
    const line = at.at(lineStart).line - 1;
    read = read.slice(0, lineStart) + ' '.repeat(spaces) + read.slice(lineStart);
    shifts.set(line, (shifts.get(line) ?? 0) + spaces);
    at = new Positions(read, file, shifts);
  }
  const { tokens, problem: endProblem } = dropRepeatedDocumentEnds(allTokens);
  if (endProblem) throw at.error(endProblem.message, endProblem.offset);

  const composer = new Composer({
    version: '1.1',
    // Every scalar stays a string; PyYAML's typing is applied afterwards.
    schema: 'failsafe',
    // A `%YAML 1.2` line must not switch on the yaml package's own `!!timestamp`, `!!pairs`... types:
    // PyYAML reads every 1.x document with its 1.1 constructors, which build.ts reproduces.
    resolveKnownTags: false,
    merge: false,
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: true,
  });
  const docs = Array.from(composer.compose(tokens, true, read.length));
  // PyYAML stops at the first problem: one inside the first document, else the second document.
  // The 1,024-character limit on implicit keys is checked in code points by pyyaml-syntax.ts (the
  // yaml package counts UTF-16 units, and skips flow mappings).
  const err = docs[0]?.errors.find((e) => e.code !== 'KEY_OVER_1024_CHARS');
  if (err) throw at.error(composerMessage(err.message), err.pos[0]);
  if (docs.length > 1) throw at.error('expected a single document in the stream, but found another document', docs[1].range[0]);
  const root = docs[0]?.contents ?? null;
  if (root === null) return { kind: 'none', pos: { line: 1, col: 1 } };
  return new ValueBuilder(read, at).build(root);
}

/**
 * The yaml package reports a flow collection cut short by a line at or left of its key's column
 * as "must be sufficiently indented and end with a ]", which names neither likely cause. PyYAML
 * ignores indentation inside flow collections, so a spec flytekit loads lands here too.
 */
function composerMessage(message: string): string {
  const first = message.split('\n')[0];
  const m = /^Flow (sequence|map) in block collection must be sufficiently indented and end with a ([\]}])$/.exec(first);
  if (!m) return first;
  return `flow ${m[1]} is not closed: either its '${m[2]}' is missing, or a line inside it is not indented past its key (the yaml package requires that indentation; PyYAML does not)`;
}

function checkCharacters(text: string, at: Positions): void {
  const m = FORBIDDEN_CHAR.exec(text);
  const bom = text.indexOf('\ufeff');
  if (bom >= 0 && (!m || bom < m.index)) {
    throw at.error('byte order mark (U+FEFF) inside the text; PyYAML only skips one at the very start', bom);
  }
  if (!m) return;
  const cp = m[0].codePointAt(0) as number;
  const hex = `#x${cp.toString(16).padStart(4, '0')}`;
  if (cp === 0x85 || cp === 0x2028 || cp === 0x2029) {
    throw at.error(
      `unsupported line break character ${hex}: PyYAML treats it as a line break, the yaml package does not; write it as an escape in a double-quoted string`,
      m.index,
    );
  }
  throw at.error(`unacceptable character ${hex}: special characters are not allowed`, m.index);
}

/**
 * The parser takes seconds on a megabyte of nested brackets, so deep flow collections are
 * refused from the lexer's tokens first, which stops as soon as the limit is passed.
 */
function checkFlowDepth(text: string, at: Positions): void {
  // Fewer opening brackets than the limit cannot nest past it; most specs have a handful.
  let opening = 0;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) opening++;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) opening++;
  if (opening <= YAML_LIMITS.maxDepth) return;
  let depth = 0;
  let offset = 0;
  for (const tok of new Lexer().lex(text)) {
    if (tok === '[' || tok === '{') depth++;
    else if (tok === ']' || tok === '}') depth--;
    if (depth > YAML_LIMITS.maxDepth) throw at.error(`collections are nested more than ${YAML_LIMITS.maxDepth} levels deep`, offset);
    // The lexer's control tokens (document, scalar and flow-error markers) take no source text.
    if (tok.length !== 1 || !'\x02\x18\x1f'.includes(tok)) offset += tok.length;
  }
}

/**
 * The composer recurses once per level, so block nesting (`- - - …`) is bounded before composing.
 * Every alias adds at least one value, so more aliases than the limit is an alias bomb, refused
 * here, before any value is built.
 */
function checkDepth(tokens: CST.Token[], at: Positions): void {
  let aliases = 0;
  const stack: Array<[CST.Token | null | undefined, number]> = tokens.map((t) => [t, 0]);
  while (stack.length) {
    const [tok, depth] = stack.pop() as [CST.Token | null | undefined, number];
    if (!tok) continue;
    if (tok.type === 'document') stack.push([tok.value, depth]);
    if (tok.type === 'alias' && ++aliases > YAML_LIMITS.maxAliasedValues) throw at.error(ALIAS_BOMB, tok.offset);
    if (tok.type !== 'block-map' && tok.type !== 'block-seq' && tok.type !== 'flow-collection') continue;
    if (depth + 1 > YAML_LIMITS.maxDepth)
      throw at.error(`collections are nested more than ${YAML_LIMITS.maxDepth} levels deep`, tok.offset);
    for (const item of tok.items) {
      if ('key' in item) stack.push([item.key, depth + 1]);
      stack.push([item.value, depth + 1]);
    }
  }
}
