import { pyLower } from '../../src/py/case';
import { CASE_UNICODE_VERSION } from '../../src/py/unicode-case';
import { UNICODE_VERSION } from '../../src/py/unicode-nonprintable';

// Pairs printed by Python 3.11.7 (`json.dumps([[c, c.lower()] ...])`); the differential tests
// (__tests__/differential/fidelity.test.ts) compare every code point against Python itself.
const PYTHON_3_11: Array<[string, string]> = JSON.parse(
  String.raw`[["\ua7cbz", "\ua7cbz"], ["\ua7dc", "\ua7dc"], ["\u1c89x", "\u1c89x"], ["\ud803\udd50", "\ud803\udd50"], ["\u0391\u03a3", "\u03b1\u03c2"], ["\u0391\u03a3 b", "\u03b1\u03c2 b"], ["\u03a3", "\u03c3"], ["A\u03a3\u0301", "a\u03c2\u0301"], ["\u0130", "i\u0307"], ["\u212aELVIN", "kelvin"], ["A\u03a3a", "a\u03c3a"], ["A'\u03a3", "a'\u03c2"], ["A\u00ad\u03a3\u00adB", "a\u00ad\u03c3\u00adb"], ["\u03a3\u0391", "\u03c3\u03b1"], ["A.\u03a3.", "a.\u03c2."], ["\u1e9e", "\u00df"], ["\u01c5", "\u01c6"]]`,
);

describe("pyLower: Python 3.11's str.lower()", () => {
  it('uses the same Unicode version as the repr tables (Python 3.11: 14.0.0)', () => {
    expect(CASE_UNICODE_VERSION).toBe('14.0.0');
    expect(CASE_UNICODE_VERSION).toBe(UNICODE_VERSION);
  });

  it.each(PYTHON_3_11)('%j lowers to %j', (s, want) => {
    expect(pyLower(s)).toBe(want);
  });

  it('leaves characters newer than Unicode 14 alone, where Node lower-cases them', () => {
    for (const s of ['\ua7cb', '\ua7dc', '\u1c89', '\u{10d50}']) {
      expect(pyLower(s)).toBe(s);
      expect(s.toLowerCase()).not.toBe(s);
    }
  });

  it('keeps a lone surrogate', () => {
    expect(pyLower('A\ud800\u03a3')).toBe('a\ud800\u03c3');
  });
});
