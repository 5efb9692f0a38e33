import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { SpecError } from '../../src/errors';
import { copyDigest, listCopyFiles } from '../../src/tag/copyDigest';
import { makeTree, removeTree, Tree } from './tree';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

interface OracleCase {
  id: string;
  /** As the spec writes them; `${CASE_DIR}` is the tree's absolute path. */
  entries: string[];
  tree: Tree;
  digest: string;
}

/**
 * Expected values computed by flytekit 1.16.24's `compute_digest(entries, None)` with CWD = the tree.
 * Every copied directory has at most one sub-directory per level, so the file system's directory order
 * (which flytekit does not sort) cannot matter. Generated data, hence the JSON quoting.
 */
const FLYTEKIT: OracleCase[] = [
  {
    id: 'mixed-entries',
    entries: ['config/settings.toml', 'assets', 'missing.txt', './assets2/', 'alias.txt', 'README.md'],
    tree: {
      files: {
        'config/settings.toml': 'a = 1\n',
        'assets/logo.svg': '<svg/>\n',
        'assets/x.pyc': 'p\n',
        'assets/fonts/a.ttf': 'f\n',
        'assets/fonts/sub/b.ttf': 'g\n',
        'assets2/.git/HEAD': 'h\n',
        'assets2/z.txt': 'z\n',
        'README.md': '# r\n',
        'data/real.txt': 'real\n',
      },
      links: { 'alias.txt': 'data/real.txt', 'assets/link.txt': '../data/real.txt', 'assets/broken': 'nope' },
    },
    digest: '05ed0557cfb35d3a838a80219655a87b',
  },
  {
    id: 'only-missing',
    entries: ['nope', 'also/nope'],
    tree: { files: { x: 'x\n' } },
    digest: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  {
    id: 'abs-and-dir-link',
    entries: ['${CASE_DIR}/cfg.ini', 'dlink'],
    tree: { files: { 'cfg.ini': 'c\n', 'real/one.txt': '1\n', 'real/sub/two.txt': '2\n' }, links: { dlink: 'real' } },
    digest: 'f4fc3c9fac08bb66770201543866b945',
  },
];

describe('copyDigest agrees with flytekit compute_digest', () => {
  test.each(FLYTEKIT.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const dir = makeTree(c.tree);
    try {
      const entries = c.entries.map((e) => e.split('${CASE_DIR}').join(dir));
      expect(copyDigest(entries, dir, dir)).toBe(c.digest);
    } finally {
      removeTree(dir);
    }
  });
});

describe('listCopyFiles', () => {
  test('kinds and files per entry, in hashing order', () => {
    const dir = makeTree({
      files: { 'cfg/a.toml': 'a', 'assets/z.svg': 'z', 'assets/b/c.ttf': 'c', 'assets/.git/HEAD': 'h', 'assets/x.pyc': 'p' },
      links: { 'assets/broken': 'nowhere' },
    });
    try {
      const listing = listCopyFiles(['cfg/a.toml', 'assets', 'missing', ''], dir, dir);
      expect(listing.entries.map((e) => [e.entry, e.kind, e.files.map((f) => f.rel)])).toEqual([
        ['cfg/a.toml', 'file', ['a.toml']],
        ['assets', 'dir', ['x.pyc', 'z.svg', '.git/HEAD', 'b/c.ttf']],
        ['missing', 'missing', []],
        ['', 'missing', []],
      ]);
      const md5 = createHash('md5');
      for (const [content, p] of [
        ['a', 'a.toml'],
        ['p', 'x.pyc'],
        ['z', 'z.svg'],
        ['h', '.gitHEAD'],
        ['c', 'bc.ttf'],
      ]) {
        md5.update(content).update(p);
      }
      expect(listing.digest).toBe(md5.digest('hex'));
    } finally {
      removeTree(dir);
    }
  });

  test('same content under the same base name gives the same digest', () => {
    const dir = makeTree({ files: { 'one/data.txt': 'same', 'two/data.txt': 'same' } });
    try {
      expect(copyDigest(['one/data.txt'], dir, dir)).toBe(copyDigest(['two/data.txt'], dir, dir));
      expect(copyDigest(['one'], dir, dir)).toBe(copyDigest(['two'], dir, dir));
    } finally {
      removeTree(dir);
    }
  });

  test('sibling sub-directories are visited in code-point order', () => {
    const dir = makeTree({ files: { 'd/\uff5e/a': '1', 'd/\u{1f600}/a': '2', 'd/b/a': '3', 'd/B/a': '4' } });
    try {
      expect(listCopyFiles(['d'], dir, dir).entries[0].files.map((f) => f.rel)).toEqual(['B/a', 'b/a', '\uff5e/a', '\u{1f600}/a']);
    } finally {
      removeTree(dir);
    }
  });

  test('only missing entries: md5 of nothing', () => {
    const dir = makeTree({ files: { x: 'x' } });
    try {
      expect(copyDigest(['nope', 'x/'], dir, dir)).toBe(EMPTY_MD5);
    } finally {
      removeTree(dir);
    }
  });

  describe('never reads outside the repository', () => {
    let outside: string;
    beforeAll(() => {
      outside = makeTree({ files: { 'secret.txt': 'runner secret', 'dir/x.txt': 'x' } });
    });
    afterAll(() => removeTree(outside));

    test.each([
      ['an absolute entry', (o: string) => ({ entry: path.join(o, 'secret.txt'), links: {} })],
      ['a ../ entry', (o: string) => ({ entry: '../' + path.basename(o) + '/dir', links: {} })],
      ['a link entry', (o: string) => ({ entry: 'leak.txt', links: { 'leak.txt': path.join(o, 'secret.txt') } })],
      ['a link inside a copied dir', (o: string) => ({ entry: 'assets', links: { 'assets/leak.txt': path.join(o, 'secret.txt') } })],
      ['a link to a directory', (o: string) => ({ entry: 'ext', links: { ext: path.join(o, 'dir') } })],
    ])('%s is a SpecError on copy', (_what, make) => {
      const { entry, links } = make(outside);
      const dir = makeTree({ files: { 'assets/a.txt': 'a' }, links });
      try {
        expect(() => copyDigest([entry], dir, dir)).toThrow(SpecError);
        try {
          copyDigest([entry], dir, dir);
        } catch (e) {
          expect((e as SpecError).field).toBe('copy');
        }
      } finally {
        removeTree(dir);
      }
    });
  });
});
