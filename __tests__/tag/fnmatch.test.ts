import { fnmatch, fnmatchRegExp } from '../../src/tag/ignore/fnmatch';
import { STANDARD_IGNORE_PATTERNS, standardIgnore } from '../../src/tag/ignore/standard';

/** [name, pattern, Python 3.11 `fnmatch.fnmatch(name, pattern)`], generated with CPython 3.11.7. */
const PYTHON: Array<[string, string, boolean]> = [
  ['a.pyc', '*.pyc', true],
  ['pkg/a.pyc', '*.pyc', true],
  ['.cache', '.cache', true],
  ['.cache/x/y', '.cache/*', true],
  ['x/.cache/y', '.cache/*', false],
  ['src/.cache/y', '.cache/*', false],
  ['__pycache__/a/b.pyc', '__pycache__/*', true],
  ['a/__pycache__/m.pyc', '**/__pycache__/*', true],
  ['__pycache__/m.pyc', '**/__pycache__/*', false],
  ['A.PYC', '*.pyc', false],
  ['a.pyc\n', '*.pyc', false],
  ['a\nb', 'a?b', true],
  ['a/b', 'a?b', true],
  ['abc', '[!a]bc', false],
  ['xbc', '[!a]bc', true],
  [']', '[]]', true],
  ['a', '[]a]', true],
  ['!', '[!]', false],
  ['[!]', '[!]', true],
  ['-', '[a-]', true],
  ['b', '[a-]', false],
  ['z', '[z-a]', false],
  ['a', '[z-a]', false],
  ['-', '[z-a]', false],
  ['b', '[a-c-e]', true],
  ['d', '[a-c-e]', false],
  ['-', '[a-c-e]', true],
  ['\\', '[\\]', true],
  ['^', '[^]', true],
  ['a', '[^a]', true],
  ['&', '[&&]', true],
  ['|', '[a||]', true],
  ['~', '[~~]', true],
  ['[', '[[]', true],
  ['é', '?', true],
  ['😀', '?', true],
  ['😀x', '*x', true],
  ['～', '[😀-～]', false],
  ['abcabd', '*ab?*d', true],
  ['aXbXc', 'a*b*c', true],
  ['abc', 'a**c', true],
  ['*', '\\*', false],
  ['\\x', '\\*', true],
  ['', '*', true],
  ['', '?', false],
  ['ab', '[ab', false],
  ['[ab', '[ab', true],
  ['b', '[!b-a]', true],
  ['a', '[!]a]', false],
  [']', '[!]a]', false],
  ['-', '[--]', true],
  ['.', '[--/]', true],
  ['x', '[!--/]', true],
];

describe('fnmatch (Python fnmatch.fnmatch on POSIX)', () => {
  test.each(PYTHON)('%j ~ %j -> %j', (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });

  test('many stars do not backtrack exponentially (Python uses atomic groups)', () => {
    const started = Date.now();
    expect(fnmatch('a'.repeat(5000), '*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a reversed range is dropped, never a compile error', () => {
    expect(() => fnmatchRegExp('[z-a]x')).not.toThrow();
  });
});

describe('standardIgnore', () => {
  test("the patterns are flytekit 1.16's", () => {
    expect(STANDARD_IGNORE_PATTERNS).toEqual(['*.pyc', '.cache', '.cache/*', '__pycache__/*', '**/__pycache__/*']);
  });

  test.each([
    ['a.pyc', true],
    ['pkg/deep/a.pyc', true],
    ['.cache', true],
    ['.cache/blob', true],
    ['src/.cache/blob', false],
    ['./.cache/blob', false],
    ['__pycache__/x.txt', true],
    ['pkg/__pycache__/x.txt', true],
    ['pkg/__pycache__', false],
    ['app.py', false],
  ])('%s -> %s', (p, expected) => {
    expect(standardIgnore(p)).toBe(expected);
  });
});
