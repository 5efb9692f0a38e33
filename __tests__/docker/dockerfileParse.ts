/**
 * A small model of how BuildKit's Dockerfile parser reads the generated files, for assertions:
 * physical lines are joined at a trailing backslash (blank and `#` lines inside a continuation are
 * dropped, as BuildKit drops them), top-level `#` lines are comments, and each remaining logical
 * line is one instruction. Plus word splitters for the two quoting styles the generator emits
 * (Dockerfile ENV words, POSIX shell words), so tests can check a value reads back unchanged.
 *
 * The behaviour modelled here was checked against BuildKit's own parser (moby/buildkit
 * frontend/dockerfile/parser and shell lexer) while developing the generator.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined as BuildKit joins them. */
  rest: string;
  /** 1-based physical line where the instruction starts. */
  line: number;
}

const CONTINUATION = /\\[ \t]*$/;

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n');
  const out: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i];
    if (/^[ \t]*(#.*)?$/.test(first)) {
      i++;
      continue;
    }
    const start = i + 1;
    let logical = first;
    i++;
    while (CONTINUATION.test(logical) && i < lines.length) {
      const next = lines[i++];
      if (/^[ \t]*(#.*)?$/.test(next)) continue;
      logical = logical.replace(CONTINUATION, '') + next;
    }
    const m = /^[ \t]*(\S+)[ \t]*(.*)$/.exec(logical);
    if (!m) throw new Error(`unparsable line ${start}: ${logical}`);
    out.push({ keyword: m[1].toUpperCase(), rest: m[2], line: start });
  }
  return out;
}

/** The keywords in order, e.g. `['FROM', 'FROM', 'FROM', 'WORKDIR', ...]`. */
export function keywords(text: string): string[] {
  return parseDockerfile(text).map((i) => i.keyword);
}

/** The instructions with a keyword (and, optionally, whose text matches). */
export function find(text: string, keyword: string, match?: RegExp): Instruction[] {
  return parseDockerfile(text).filter((i) => i.keyword === keyword && (!match || match.test(i.rest)));
}

/**
 * `ENV k=v k2="v 2"` as BuildKit's shell-word lexer reads it, with `$` expansion reported instead
 * of performed: returns each pair's literal value, and `expands` lists the pairs whose value has
 * an unescaped `$` (which Docker would expand).
 */
export function parseEnv(rest: string): { pairs: Array<[string, string]>; expands: string[] } {
  const pairs: Array<[string, string]> = [];
  const expands: string[] = [];
  let i = 0;
  const n = rest.length;
  while (i < n) {
    while (i < n && /[ \t]/.test(rest[i])) i++;
    if (i >= n) break;
    const eq = rest.indexOf('=', i);
    if (eq < 0) throw new Error(`ENV word without '=': ${rest.slice(i)}`);
    const key = rest.slice(i, eq);
    i = eq + 1;
    let value = '';
    let expanded = false;
    while (i < n && !/[ \t]/.test(rest[i])) {
      const ch = rest[i];
      if (ch === '"') {
        i++;
        while (i < n && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < n && '"\\$'.includes(rest[i + 1])) {
            value += rest[i + 1];
            i += 2;
            continue;
          }
          if (rest[i] === '$') expanded = true;
          value += rest[i++];
        }
        if (i >= n) throw new Error(`unterminated quote in ENV: ${rest}`);
        i++;
      } else if (ch === "'") {
        const end = rest.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated quote in ENV: ${rest}`);
        value += rest.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '\\' && i + 1 < n) {
        value += rest[i + 1];
        i += 2;
      } else {
        if (ch === '$') expanded = true;
        value += ch;
        i++;
      }
    }
    pairs.push([key, value]);
    if (expanded) expands.push(key);
  }
  return { pairs, expands };
}

export interface ShellWord {
  text: string;
  /** True when some character of the word was outside quotes and is special to the shell. */
  unquotedSpecial: boolean;
}

/**
 * POSIX shell words, for the parts of RUN lines the generator quotes. Only the quoting the
 * generator emits is modelled: bare words and single quotes (with `'\''`). A `$`, backtick or
 * other metacharacter outside quotes is flagged.
 */
export function shellWords(s: string): ShellWord[] {
  const words: ShellWord[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /[ \t]/.test(s[i])) i++;
    if (i >= s.length) break;
    let text = '';
    let special = false;
    while (i < s.length && !/[ \t]/.test(s[i])) {
      if (s[i] === "'") {
        const end = s.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated quote: ${s}`);
        text += s.slice(i + 1, end);
        i = end + 1;
      } else if (s[i] === '\\' && i + 1 < s.length) {
        text += s[i + 1];
        i += 2;
      } else {
        if (/[$`;&|<>()"#*?[\]{}~!]/.test(s[i])) special = true;
        text += s[i++];
      }
    }
    words.push({ text, unquotedSpecial: special });
  }
  return words;
}
