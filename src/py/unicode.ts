import { DECIMAL_ZEROS, NONPRINTABLE_RANGES } from './unicode-nonprintable';

/**
 * Character classes as Python 3.11 sees them. JS's own Unicode data follows Node's (newer)
 * Unicode version and its own definitions of whitespace, so neither can stand in for these.
 */

/** `chr(cp).isprintable()`: decides which characters `repr()` escapes. */
export function isPrintable(cp: number): boolean {
  if (cp < 0x7f) return cp >= 0x20;
  let lo = 0;
  let hi = NONPRINTABLE_RANGES.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < NONPRINTABLE_RANGES[2 * mid]) hi = mid - 1;
    else if (cp > NONPRINTABLE_RANGES[2 * mid + 1]) lo = mid + 1;
    else return false;
  }
  return true;
}

/** `unicodedata.decimal(ch, -1)`: `str.format` and `int()` accept any Unicode decimal digit, e.g. `١`. */
export function decimalValue(ch: string): number {
  const cp = ch.codePointAt(0) as number;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let lo = 0;
  let hi = DECIMAL_ZEROS.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < DECIMAL_ZEROS[mid]) hi = mid - 1;
    else if (cp >= DECIMAL_ZEROS[mid] + 10) lo = mid + 1;
    else return cp - DECIMAL_ZEROS[mid];
  }
  return -1;
}

/** `str.isspace()`, which `int()` and `float()` strip; it differs from JS `trim()` (U+001C-U+001F, U+FEFF). */
const PY_SPACES = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isSpace(ch: string): boolean {
  return PY_SPACES.has(ch.codePointAt(0) as number);
}
