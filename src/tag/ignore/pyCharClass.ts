/**
 * Python `re` reading a `[...]` set, re-emitted as a JS `u`-mode class.
 *
 * Both fnmatch flavours (the stdlib's and docker-py's) hand a set body to Python's regex parser,
 * whose rules differ from JS: `]` first in the set is a literal (`[]` in JS is the empty class, `[^]`
 * matches anything), and a reversed range is a compile error. Re-parsing the body here and writing
 * every member as `\u{...}` keeps JS from interpreting anything on its own.
 */

/** Python would raise `re.error` compiling this pattern (e.g. `bad character range z-a`). */
export class PyRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyRegexError';
  }
}

/** A literal code point for a JS `u`-mode pattern, whatever the character is. */
export function jsLiteral(ch: string): string {
  return `\\u{${(ch.codePointAt(0) as number).toString(16)}}`;
}

const ASCII_ALNUM = /^[A-Za-z0-9]$/;

/** `\x` inside a set: the translators only ever escape punctuation, which Python reads literally. */
function classEscape(next: string | undefined): number {
  if (next === undefined) throw new PyRegexError('bad escape (end of pattern)');
  if (ASCII_ALNUM.test(next)) throw new PyRegexError(`unsupported escape \\${next} in a set`);
  return next.codePointAt(0) as number;
}

/**
 * `body` is the text between `[` and the closing `]`, as the translator produced it (a leading `^`
 * negates). Returns a JS class source such as `[^\u{61}-\u{7a}]`.
 */
export function pySetToJs(body: string): string {
  const cps = Array.from(body);
  let i = 0;
  const negate = cps[0] === '^';
  if (negate) i = 1;
  const ranges: Array<[number, number]> = [];
  while (i < cps.length) {
    const ch = cps[i++];
    // Python ends the set at a `]` once it has a member; the translators never leave one there.
    if (ch === ']' && ranges.length > 0) throw new PyRegexError('unexpected ] inside a set body');
    const lo = ch === '\\' ? classEscape(cps[i++]) : (ch.codePointAt(0) as number);
    if (cps[i] !== '-') {
      ranges.push([lo, lo]);
      continue;
    }
    i++;
    if (i >= cps.length) {
      // `a-]`: the hyphen before the closing bracket is a literal.
      ranges.push([lo, lo], [0x2d, 0x2d]);
      break;
    }
    const other = cps[i++];
    const hi = other === '\\' ? classEscape(cps[i++]) : (other.codePointAt(0) as number);
    if (hi < lo) {
      throw new PyRegexError(`bad character range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
    }
    ranges.push([lo, hi]);
  }
  if (ranges.length === 0) throw new PyRegexError('unterminated character set');
  const hex = (cp: number) => `\\u{${cp.toString(16)}}`;
  const members = ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');
  return `[${negate ? '^' : ''}${members}]`;
}

/**
 * Where a `[` set that starts at `i` (just after the `[`) ends, as both fnmatch translators scan it:
 * a leading `!` and a leading `]` are part of the set. Returns the index of the closing `]`, or
 * undefined when there is none (the `[` is then a literal).
 */
export function setEnd(cps: readonly string[], i: number): number | undefined {
  let j = i;
  if (j < cps.length && cps[j] === '!') j++;
  if (j < cps.length && cps[j] === ']') j++;
  while (j < cps.length && cps[j] !== ']') j++;
  return j < cps.length ? j : undefined;
}
