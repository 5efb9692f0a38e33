import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { SpecError } from '../../src/errors';
import { dockerFnmatch, dockerIgnore, dockerignoreLines, PatternMatcher, pyStrip } from '../../src/tag/ignore/dockerignore';
import { PyRegexError } from '../../src/tag/ignore/pyCharClass';
import { makeTree, removeTree } from './tree';

/**
 * [patterns, path, docker-py 7.1 `PatternMatcher(patterns).matches(path)`], generated with
 * docker==7.1.0 on CPython 3.11.7; 'error' where Python's `re` refuses the pattern.
 */
const DOCKER_PY: Array<[string[], string, boolean | 'error']> = [
  [['*.md'], 'README.md', true],
  [['*.md'], 'docs/README.md', false],
  [['*.md'], './README.md', false],
  [['**/*.md'], './README.md', true],
  [['**/*.md'], 'a/b/c.md', true],
  [['sub/secret.txt'], './sub/secret.txt', false],
  [['sub'], './sub/secret.txt', true],
  [['logs', '!logs/keep.log'], 'logs/keep.log', false],
  [['logs', '!logs/keep.log'], 'logs/a.log', true],
  [['!logs/keep.log', 'logs'], 'logs/keep.log', true],
  [['*.MD'], 'readme.md', true],
  [['readme.md'], 'README.MD', true],
  [['build/'], 'build/out.bin', true],
  [['/build'], 'build/x', true],
  [['./build'], 'build/x', true],
  [['../build'], 'build/x', true],
  [['a/../build'], 'build/x', true],
  [['a/b/../../c'], 'c', true],
  [['.'], 'x', false],
  [[''], 'x', false],
  [['*'], '.dockerignore', false],
  [['.dockerignore'], '.dockerignore', false],
  [['*'], 'a/.dockerignore', true],
  [['*/temp*'], 'a/temp1', true],
  [['*/temp*'], 'a/b/temp2', false],
  [['*/temp*'], 'temp0', false],
  [['docs/**'], 'docs/a/b.md', true],
  [['docs/**'], 'docs', false],
  [['docs/**', '!docs/keep.md'], 'docs/keep.md', false],
  [['**'], 'x/y', true],
  [['**/'], 'x', true],
  [['a/**/b'], 'a/b', true],
  [['a/**/b'], 'a/x/y/b', true],
  [['a**b'], 'axyb', false],
  [['a**b'], 'ax/yb', false],
  [['?'], 'a', true],
  [['?'], '/', false],
  [['a?b'], 'a/b', false],
  [['[a-c]x.txt'], 'bx.txt', true],
  [['[a-c]x.txt'], 'dx.txt', false],
  [['[!a-c]x'], 'dx', true],
  [['[^a]'], '^', true],
  [['[^a]'], 'b', false],
  [['[]a]'], ']', true],
  [['[z-a]'], 'x', 'error'],
  [['a\\b'], 'a\\b', true],
  [['*.txt'], 'a.txt\n', true],
  [['*.txt'], 'a\n.txt', true],
  [['**/x'], 'a\nb/x', false],
  [['# comment'], '# comment', true],
  [['  spaced  '], 'spaced', true],
  [['! neg'], 'neg', false],
  [['*.md', '! README.md'], 'README.md', false],
  [['İ'], 'i̇', true],
  [['﻿bom.py'], 'bom.py', false],
  [['a/b'], 'a/b/c/d', true],
  [['a/b/c/d'], 'a/b', false],
  [['a'], 'a/b', true],
  [['x'], './x', false],
  [['x'], './/x/y', true],
  [['*'], './x', false],
  [['[/]'], 'a/b', false],
  [['a[/]b'], 'a/b', true],
];

test('without patterns of its own a .dockerignore ignores nothing, as the full matching finds', () => {
  const none = new PatternMatcher([]);
  // An exclusion that matches nothing makes the matcher take the whole way.
  const full = new PatternMatcher(['!zz-no-such-file']);
  const part = fc.constantFrom('a', '.dockerignore', '.', '..', '', 'x y', '*', 'B');
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
      const p = parts.join('/');
      expect(none.matches(p)).toBe(full.matches(p));
      expect(none.matches(p)).toBe(false);
    }),
    { numRuns: 1000 },
  );
});

describe('PatternMatcher (docker-py 7.1)', () => {
  test.each(DOCKER_PY)('%j matches %j -> %j', (patterns, p, expected) => {
    const run = () => new PatternMatcher(patterns).matches(p);
    if (expected === 'error') expect(run).toThrow(PyRegexError);
    else expect(run()).toBe(expected);
  });

  test('dockerFnmatch lower-cases both sides', () => {
    expect(dockerFnmatch('README.MD', '*.md')).toBe(true);
    expect(dockerFnmatch('a/b.md', '*.md')).toBe(false);
  });

  test('patterns that normalise to nothing are dropped; .dockerignore is always re-included last', () => {
    const m = new PatternMatcher(['', '.', '/', 'a']);
    expect(m.patterns.map((p) => [p.cleaned, p.exclusion])).toEqual([
      ['a', false],
      ['.dockerignore', true],
    ]);
  });
});

describe('reading .dockerignore as flytekit does', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  test('comments only at column 0, lines stripped, universal newlines, BOM kept', () => {
    expect(dockerignoreLines(bytes('\ufeff*.md\r\n# comment\r  # not a comment  \n\nlogs\n\t!keep \u00a0'))).toEqual([
      '\ufeff*.md',
      '# not a comment',
      '',
      'logs',
      '!keep',
    ]);
  });

  test('str.strip() whitespace, not JS trim()', () => {
    expect(pyStrip('\x1c a \x85')).toBe('a');
    expect(pyStrip('\ufeffa\ufeff')).toBe('\ufeffa\ufeff');
  });

  test('invalid UTF-8 fails like Python', () => {
    expect(() => dockerignoreLines(new Uint8Array([0x2a, 0xff, 0x0a]))).toThrow(SpecError);
  });

  test('reads <root>/.dockerignore; a bad pattern fails only when a path is checked', () => {
    const dir = makeTree({ files: { 'p/.dockerignore': '*.md\n[z-a]\n' } });
    try {
      const rule = dockerIgnore('p', dir, dir);
      expect(() => rule('x')).toThrow(SpecError);
    } finally {
      removeTree(dir);
    }
  });

  test('no .dockerignore: nothing ignored', () => {
    const dir = makeTree({ files: { 'p/a.md': 'a' } });
    try {
      expect(dockerIgnore('p', dir, dir)('a.md')).toBe(false);
    } finally {
      removeTree(dir);
    }
  });

  test('a .dockerignore linking out of the repository is refused', () => {
    const outside = makeTree({ files: { ignore: '*.md\n' } });
    const dir = makeTree({ links: { 'p/.dockerignore': path.join(outside, 'ignore') } });
    try {
      expect(fs.existsSync(path.join(dir, 'p', '.dockerignore'))).toBe(true);
      expect(() => dockerIgnore('p', dir, dir)).toThrow(/outside the repository/);
    } finally {
      removeTree(dir);
      removeTree(outside);
    }
  });
});
