/**
 * The value of a '...' or "..." scalar exactly as PyYAML 6.0's scanner builds it (escapes,
 * line folding, escaped line breaks followed by empty lines). The `yaml` package folds some of
 * these differently, so quoted scalars are rescanned from the source text.
 */
export type QuotedScalarResult = { value: string; end: number } | { error: string; offset: number };

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\x08',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\x0b',
  f: '\x0c',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '\\': '\\',
  '/': '/',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

class Failure {
  constructor(
    readonly error: string,
    readonly offset: number,
  ) {}
}

/** @param start offset of the opening quote */
export function scanQuotedScalar(text: string, start: number): QuotedScalarResult {
  try {
    return new QuotedScanner(text, start).scan();
  } catch (e) {
    if (e instanceof Failure) return { error: e.error, offset: e.offset };
    throw e;
  }
}

const isBreak = (ch: string): boolean => ch === '\n' || ch === '\r';

class QuotedScanner {
  private pos: number;
  private readonly double: boolean;
  private surrogates = false;
  /** `\U` escapes of characters beyond U+FFFF: each is one surrogate pair in the value. */
  private astralEscapes = 0;

  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {
    this.double = text[start] === '"';
    this.pos = start + 1;
  }

  private peek(ahead = 0): string {
    return this.text.charAt(this.pos + ahead);
  }

  scan(): QuotedScalarResult {
    const quote = this.double ? '"' : "'";
    const chunks: string[] = [];
    this.nonSpaces(chunks);
    while (this.peek() !== quote) {
      this.spaces(chunks);
      this.nonSpaces(chunks);
    }
    this.pos++;
    const value = chunks.join('');
    if (this.surrogates) this.checkPairs(value);
    return { value, end: this.pos };
  }

  /**
   * Python keeps `"\ud83d\ude00"` as two code points (repr `'\ud83d\ude00'`); a JS string cannot
   * tell them from the one character U+1F600, so such a pair is refused. Lone surrogates are kept.
   */
  private checkPairs(value: string): void {
    const pairs = (s: string): number => (s.match(/[\ud800-\udbff][\udc00-\udfff]/g) ?? []).length;
    // The source holds no lone surrogates (it was UTF-8), so its pairs are characters written as such.
    if (pairs(value) > pairs(this.text.slice(this.start, this.pos)) + this.astralEscapes) {
      throw new Failure(
        'a high surrogate escape directly followed by a low one (such as \\ud83d\\ude00) is two characters to PyYAML, which this action cannot hold apart; write the character itself or one \\U escape',
        this.start,
      );
    }
  }

  private lineBreak(): string {
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (isBreak(this.peek())) this.pos++;
    else return '';
    return '\n';
  }

  private nonSpaces(chunks: string[]): void {
    for (;;) {
      const from = this.pos;
      while (this.pos < this.text.length && !`'"\\ \t\r\n`.includes(this.peek())) this.pos++;
      if (this.pos > from) chunks.push(this.text.slice(from, this.pos));
      const ch = this.peek();
      if (!this.double && ch === "'" && this.peek(1) === "'") {
        chunks.push("'");
        this.pos += 2;
      } else if ((this.double && ch === "'") || (!this.double && (ch === '"' || ch === '\\'))) {
        chunks.push(ch);
        this.pos++;
      } else if (this.double && ch === '\\') {
        this.pos++;
        this.escape(chunks);
      } else {
        return;
      }
    }
  }

  private escape(chunks: string[]): void {
    const ch = this.peek();
    if (Object.prototype.hasOwnProperty.call(ESCAPES, ch)) {
      chunks.push(ESCAPES[ch]);
      this.pos++;
    } else if (Object.prototype.hasOwnProperty.call(HEX_ESCAPES, ch)) {
      const length = HEX_ESCAPES[ch];
      this.pos++;
      const hex = this.text.slice(this.pos, this.pos + length);
      if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length < length) {
        throw new Failure(`expected escape sequence of ${length} hexadecimal numbers`, this.pos);
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new Failure(`escape \\${ch}${hex} is not a Unicode code point`, this.pos);
      // A surrogate escape stays a lone surrogate, as in Python; `scan` refuses two that would pair.
      if (code >= 0xd800 && code <= 0xdfff) this.surrogates = true;
      if (code > 0xffff) this.astralEscapes++;
      chunks.push(String.fromCodePoint(code));
      this.pos += length;
    } else if (isBreak(ch)) {
      this.lineBreak();
      chunks.push(...this.breaks());
    } else {
      throw new Failure(`found unknown escape character '${ch}'`, this.pos);
    }
  }

  private spaces(chunks: string[]): void {
    const from = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    const whitespace = this.text.slice(from, this.pos);
    const ch = this.peek();
    if (ch === '') throw new Failure('found unexpected end of stream in a quoted scalar', this.pos);
    if (isBreak(ch)) {
      this.lineBreak();
      const breaks = this.breaks();
      if (breaks.length === 0) chunks.push(' ');
      chunks.push(...breaks);
    } else {
      chunks.push(whitespace);
    }
  }

  private breaks(): string[] {
    const out: string[] = [];
    for (;;) {
      const prefix = this.text.slice(this.pos, this.pos + 3);
      if ((prefix === '---' || prefix === '...') && ' \t\r\n'.includes(this.peek(3))) {
        throw new Failure('found unexpected document separator in a quoted scalar', this.pos);
      }
      while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
      if (!isBreak(this.peek())) return out;
      out.push(this.lineBreak());
    }
  }
}
