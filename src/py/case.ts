import { CASE_IGNORABLE_RANGES, CASED_RANGES, LOWER_RUNS, LOWER_SPECIAL } from './unicode-case';

/**
 * Python 3.11's `str.lower()`. flytekit lower-cases `name` and `registry` with it, and the image
 * name must be the one flytekit computes: JS's `toLowerCase()` follows Node's newer Unicode, which
 * lower-cases characters Python 3.11 leaves alone (U+A7CB, U+1C89 ...) and sees a different set of
 * cased letters around a final sigma.
 */

let lowerMap: Map<number, number> | undefined;

/** The runs expanded once: about 1,400 code points, looked up in O(1) (runs of stride 2 may interleave). */
function singleLower(): Map<number, number> {
  if (lowerMap) return lowerMap;
  lowerMap = new Map();
  for (let i = 0; i < LOWER_RUNS.length; i += 4) {
    const [first, last, stride, delta] = LOWER_RUNS.slice(i, i + 4);
    for (let cp = first; cp <= last; cp += stride) lowerMap.set(cp, cp + delta);
  }
  return lowerMap;
}

function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const isCaseIgnorable = (cp: number): boolean => inRanges(CASE_IGNORABLE_RANGES, cp);
const isCased = (cp: number): boolean => inRanges(CASED_RANGES, cp);

const CAPITAL_SIGMA = 0x3a3;

/**
 * CPython's `handle_capital_sigma`: Σ is final (ς) after a cased letter, skipping case-ignorable
 * ones, unless a cased letter follows, again skipping case-ignorable ones.
 */
function finalSigma(cps: readonly number[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && isCaseIgnorable(cps[j])) j--;
  if (j < 0 || !isCased(cps[j])) return false;
  j = i + 1;
  while (j < cps.length && isCaseIgnorable(cps[j])) j++;
  return j === cps.length || !isCased(cps[j]);
}

/** `s.lower()`; a lone surrogate stays as it is, as in Python. */
export function pyLower(s: string): string {
  // The common case, ASCII, needs no table.
  if (/^[\p{ASCII}]*$/u.test(s)) return s.toLowerCase();
  const cps = Array.from(s, (ch) => ch.codePointAt(0) as number);
  const map = singleLower();
  let out = '';
  cps.forEach((cp, i) => {
    if (cp === CAPITAL_SIGMA) out += finalSigma(cps, i) ? '\u03c2' : '\u03c3';
    else out += LOWER_SPECIAL.get(cp) ?? String.fromCodePoint(map.get(cp) ?? cp);
  });
  return out;
}
