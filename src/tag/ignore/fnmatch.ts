import { jsLiteral, pySetToJs, setEnd } from './pyCharClass';

/**
 * Python 3.11's `fnmatch.fnmatch` on POSIX (`normcase` is the identity there): case-sensitive, and
 * unlike a shell glob `*` and `?` also match `/`. flytekit's StandardIgnore relies on exactly that,
 * so `__pycache__/*` matches `__pycache__/a/b.pyc` but `x/.cache/y` escapes `.cache/*`.
 */

const STAR = Symbol('star');
type Token = string | typeof STAR;

/** `(?s:.)`: any code point, newlines included. */
const ANY = '[\\s\\S]';
const NEVER = '(?!)';

/** Python's `pat.find('-', from, to)` over code points. */
function findHyphen(cps: string[], from: number, to: number): number {
  for (let k = from; k < to; k++) if (cps[k] === '-') return k;
  return -1;
}

const escapeBackslashes = (s: string) => s.replaceAll('\\', '\\\\');

/**
 * The set body `fnmatch.translate` writes for `pat[start:end]` (between `[` and `]`). Hyphens split it
 * into range chunks so that reversed ranges (`[z-a]`) are dropped instead of failing to compile.
 */
function setBody(cps: string[], start: number, end: number): string {
  const stuff = cps.slice(start, end);
  if (!stuff.includes('-')) return escapeBackslashes(stuff.join(''));
  const chunks: string[][] = [];
  let i = start;
  let k = cps[start] === '!' ? start + 2 : start + 1;
  for (;;) {
    k = findHyphen(cps, k, end);
    if (k < 0) break;
    chunks.push(cps.slice(i, k));
    i = k + 1;
    k = k + 3;
  }
  const last = cps.slice(i, end);
  if (last.length > 0) chunks.push(last);
  else chunks[chunks.length - 1].push('-');
  for (let c = chunks.length - 1; c > 0; c--) {
    const before = chunks[c - 1];
    const after = chunks[c];
    const a = before[before.length - 1];
    const b = after[0];
    if (a !== undefined && b !== undefined && (a.codePointAt(0) as number) > (b.codePointAt(0) as number)) {
      chunks[c - 1] = [...before.slice(0, -1), ...after.slice(1)];
      chunks.splice(c, 1);
    }
  }
  return chunks.map((s) => escapeBackslashes(s.join('')).replaceAll('-', '\\-')).join('-');
}

function tokenize(pattern: string): Token[] {
  const cps = Array.from(pattern);
  const n = cps.length;
  const out: Token[] = [];
  let i = 0;
  while (i < n) {
    const c = cps[i++];
    if (c === '*') {
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else if (c === '?') {
      out.push(ANY);
    } else if (c === '[') {
      const j = setEnd(cps, i);
      if (j === undefined) {
        out.push(jsLiteral('['));
        continue;
      }
      // Python escapes its set operators (&&, ~~, ||) so they stay literal.
      let stuff = setBody(cps, i, j).replace(/[&~|]/g, '\\$&');
      i = j + 1;
      if (stuff === '') out.push(NEVER);
      else if (stuff === '!') out.push(ANY);
      else {
        if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
        else if (stuff[0] === '^' || stuff[0] === '[') stuff = '\\' + stuff;
        out.push(pySetToJs(stuff));
      }
    } else {
      out.push(jsLiteral(c));
    }
  }
  return out;
}

/**
 * Python joins `STAR fixed` pieces as atomic `(?>.*?fixed)` groups; JS has no atomic groups, but a
 * captured lookahead replayed by a back-reference behaves the same and keeps backtracking linear.
 */
function assemble(tokens: Token[]): string {
  let i = 0;
  let out = '';
  while (i < tokens.length && tokens[i] !== STAR) out += tokens[i++] as string;
  let group = 0;
  while (i < tokens.length) {
    i++; // the STAR
    if (i === tokens.length) {
      out += `${ANY}*`;
      break;
    }
    let fixed = '';
    while (i < tokens.length && tokens[i] !== STAR) fixed += tokens[i++] as string;
    if (i === tokens.length) {
      out += `${ANY}*${fixed}`;
    } else {
      group++;
      out += `(?=(?<g${group}>${ANY}*?${fixed}))\\k<g${group}>`;
    }
  }
  return out;
}

/** The JS equivalent of `re.compile(fnmatch.translate(pattern))`, anchored like `re.match(...\Z)`. */
export function fnmatchRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${assemble(tokenize(pattern))})$`, 'u');
}

const cache = new Map<string, RegExp>();

/** Python `fnmatch.fnmatch(name, pattern)` on POSIX. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = fnmatchRegExp(pattern);
    if (cache.size >= 256) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}
