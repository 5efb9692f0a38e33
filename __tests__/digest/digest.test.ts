import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../../src/errors';
import { dockerIgnore, standardIgnore } from '../../src/tag/digest/ignore';
import { requirementsDigest, stripAsciiWhitespace } from '../../src/tag/digest/requirements';
import { copyDigest, copyEntries, EMPTY_MD5, listSourceFiles, sourceRootDigest } from '../../src/tag/digest/sourceFiles';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'digest-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const md5 = (...parts: string[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p, 'utf8');
  return h.digest('hex');
};

describe('requirements digest', () => {
  test.each([
    ['plain', 'numpy\n', 'numpy'],
    ['all ASCII whitespace stripped at both ends', ' \t\r\n\x0b\x0cnumpy \n\n', 'numpy'],
    ['interior CR kept', 'a\r\nb\n', 'a\r\nb'],
    ['BOM kept', '\ufeffnumpy\n', '\ufeffnumpy'],
    ['NBSP kept', 'numpy\u00a0', 'numpy\u00a0'],
  ])('%s', (_n, text, stripped) => {
    expect(stripAsciiWhitespace(Buffer.from(text)).toString()).toBe(stripped);
    const dir = tree({ 'r.txt': text });
    expect(requirementsDigest('r.txt', dir)).toBe(createHash('sha1').update(stripped).digest('hex'));
  });

  test('a missing file is an error', () => {
    expect(() => requirementsDigest('nope.txt', os.tmpdir())).toThrow(/ENOENT/);
  });
});

describe('standard ignore (Python fnmatch: * crosses /)', () => {
  test.each([
    ['a.pyc', true],
    ['pkg/deep/a.pyc', true],
    ['.cache', true],
    ['.cache/x/y', true],
    ['__pycache__/m.cpython-311.pyc', true],
    ['pkg/__pycache__/x', true],
    ['x/.cache/y', false],
    ['src/.cache/y', false],
    ['a.py', false],
    ['A.PYC', false],
  ])('%s → %s', (p, ignored) => expect(standardIgnore(p)).toBe(ignored));
});

describe('.dockerignore (docker-py PatternMatcher)', () => {
  const matcher = (rules: string) => dockerIgnore('.', tree({ '.dockerignore': rules }));
  test.each([
    ['*.md', 'README.md', true],
    ['*.md', 'docs/a.md', false],
    ['**/*.md', 'docs/a.md', true],
    ['docs', 'docs/a/b.txt', true],
    ['*.md\n!KEEP.md', 'KEEP.md', false],
    ['*.MD', 'readme.md', true],
    ['# comment\n*.md', '# comment', false],
    ['build/', 'build/x', true],
    ['a/../b', 'b', true],
    ['x?z', 'x/z', false],
    ['[!a]b', 'cb', true],
    ['*', '.dockerignore', false],
    ['*.md', './README.md', false],
  ])('%j matches %s: %s', (rules, p, ignored) => expect(matcher(rules)(p)).toBe(ignored));
});

describe('source_root digest', () => {
  test('LOADED_MODULES hashes nothing in the --image file.yaml flow', () => {
    expect(sourceRootDigest('src', tree({ 'src/a.py': 'x' }), '/', 'loaded-modules')).toBe(EMPTY_MD5);
  });

  test('files sorted by code point as whole paths, separators removed, no delimiters', () => {
    const files = { 'a.py': '1', 'a/x.py': '2', 'A.py': '3', 'a-b/x.py': '4', '😀.txt': '5', '～.txt': '6' };
    const dir = tree(files);
    const order = ['A.py', 'a-b/x.py', 'a.py', 'a/x.py', '～.txt', '😀.txt'];
    expect(listSourceFiles(dir, dir).map((f) => f.rel)).toEqual(order);
    const expected = md5(...order.flatMap((p) => [files[p as keyof typeof files], p.replace('/', '')]));
    expect(sourceRootDigest(dir, dir, dir, 'all')).toBe(expected);
  });

  test('.git pruned at any depth, ignore rules applied, broken links skipped', () => {
    const dir = tree({ 'a.py': 'a', '.git/config': 'x', 'sub/.git/HEAD': 'y', 'b.pyc': 'z', '.dockerignore': 'secret\n', secret: 's' });
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'broken'));
    expect(listSourceFiles(dir, dir).map((f) => f.rel)).toEqual(['.dockerignore', 'a.py']);
  });

  test('git-ignored untracked files are left out for an absolute root', () => {
    const dir = tree({ '.gitignore': '*.log\n', 'app.py': 'a', 'debug.log': 'l' });
    execFileSync('git', ['init', '-q'], { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    expect(listSourceFiles(dir, dir).map((f) => f.rel)).toEqual(['.gitignore', 'app.py']);
  });

  test('a symlink leading out of the repository is refused, naming the field', () => {
    const outside = tree({ 'secret.txt': 'top secret' });
    const repo = tree({ 'src/a.py': 'a' });
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(repo, 'src', 'leak.txt'));
    let err: unknown;
    try {
      sourceRootDigest('src', repo, repo, 'all');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe('source_root');
  });

  test('a FIFO is refused rather than blocking the walk', () => {
    const repo = tree({ 'src/a.py': 'a' });
    execFileSync('mkfifo', [path.join(repo, 'src', 'pipe')]);
    expect(() => sourceRootDigest('src', repo, repo, 'all')).toThrow(/not a regular file/);
  });
});

describe('copy digest', () => {
  test('file entries hash content then basename; missing entries are skipped', () => {
    const dir = tree({ 'one/data.txt': 'd', 'x.txt': 'x' });
    expect(copyDigest(['one/data.txt', 'missing', 'x.txt'], dir, dir)).toBe(md5('d', 'data.txt', 'x', 'x.txt'));
    expect(copyDigest(['missing'], dir, dir)).toBe(EMPTY_MD5);
  });

  test('same content under the same basename gives the same digest (flytekit quirk)', () => {
    const dir = tree({ 'one/data.txt': 'd', 'two/data.txt': 'd' });
    expect(copyDigest(['one/data.txt'], dir, dir)).toBe(copyDigest(['two/data.txt'], dir, dir));
  });

  test('directories: top-down, files sorted per level, paths relative to the entry, no ignores', () => {
    const dir = tree({ 'assets/logo.svg': 'l', 'assets/cache.pyc': 'c', 'assets/fonts/a.ttf': 'f', 'assets/.git/x': 'g' });
    expect(copyEntries(['assets'], dir)[0].files.map((f) => f.rel)).toEqual(['cache.pyc', 'logo.svg', '.git/x', 'fonts/a.ttf']);
    expect(copyDigest(['assets'], dir, dir)).toBe(md5('c', 'cache.pyc', 'l', 'logo.svg', 'g', '.gitx', 'f', 'fontsa.ttf'));
  });

  test('entries report their kind for the builder', () => {
    const dir = tree({ 'd/f': '1', 'f.txt': '2' });
    expect(copyEntries(['d', 'f.txt', 'nope'], dir).map((e) => e.kind)).toEqual(['dir', 'file', 'missing']);
  });
});
