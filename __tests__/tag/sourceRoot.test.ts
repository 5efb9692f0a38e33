import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SpecError } from '../../src/errors';
import { systemGit } from '../../src/tag/ignore/gitignore';
import { listSourceFiles, sourceRootDigest } from '../../src/tag/sourceRoot';
import { GIT_ENV, makeTree, removeTree, Tree } from './tree';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const options = { runGit: systemGit(GIT_ENV) };

interface OracleCase {
  id: string;
  /** As the spec writes it; `${CASE_DIR}` is the tree's absolute path. */
  root: string;
  tree: Tree;
  digest: string;
  /** flytekit's `os.path.relpath(f, root)` for the listed files, in hashing order. */
  files: string[];
}

/**
 * Expected values computed by flytekit 1.16.24 itself (`IgnoreGroup(root, [GitIgnore, DockerIgnore,
 * StandardIgnore])` then `ls_files(root, CopyFileDetection.ALL, False, group)`, CWD = the tree, git
 * 2.39 with GIT_CONFIG_GLOBAL=/dev/null and GIT_CONFIG_NOSYSTEM=1). Generated data, hence the JSON quoting.
 */
const FLYTEKIT: OracleCase[] = [
  {
    id: 'rel-root-dockerignore-sees-prefixed-paths',
    root: 'src',
    tree: { files: { 'src/app.py': 'a\n', 'src/README.md': 'r\n', 'src/.dockerignore': '*.md\nsrc/app.py\n', 'src/lib/x.py': 'x\n' } },
    digest: '5224e3dd6c674bf7d1f0f847b9a1d1e0',
    files: ['.dockerignore', 'README.md', 'lib/x.py'],
  },
  {
    id: 'rel-root-pattern-naming-the-root-ignores-everything',
    root: 'src',
    tree: { files: { 'src/app.py': 'a\n', 'src/.dockerignore': 'src\n', 'src/lib/x.py': 'x\n' } },
    digest: 'd41d8cd98f00b204e9800998ecf8427e',
    files: [],
  },
  {
    id: 'dot-slash-root',
    root: './src',
    tree: {
      files: {
        'src/app.py': 'a\n',
        'src/.cache/blob': 'c\n',
        'src/__pycache__/m.cpython-311.pyc': 'b\n',
        'src/__pycache__/keep.txt': 'k\n',
        'src/.dockerignore': '**/*.txt\n',
      },
    },
    digest: '7b682bc01cfe30d3db3bf5aa1b8813de',
    files: ['.cache/blob', '.dockerignore', 'app.py'],
  },
  {
    id: 'trailing-slash-root',
    root: 'src/',
    tree: { files: { 'src/app.py': 'a\n', 'src/sub/b.py': 'b\n', 'src/sub/__pycache__/c.txt': 'c\n' } },
    digest: '95e9e10583ae88222c42922128514d3d',
    files: ['app.py', 'sub/b.py'],
  },
  {
    id: 'abs-root-dockerignore-rules',
    root: '${CASE_DIR}/proj',
    tree: {
      files: {
        'proj/.dockerignore':
          '# comment\n  # not a comment\n**/*.log\n!important.log\nbuild/\n*/temp*\ndocs/**\n!docs/keep.md\nRE?DME.MD\n[a-c]x.txt\n./dot/thing\n../up/thing\n',
        'proj/app.log': '1\n',
        'proj/important.log': '2\n',
        'proj/deep/er/x.log': '3\n',
        'proj/deep/er/important.log': '4\n',
        'proj/build/out.bin': '5\n',
        'proj/a/temp1': '6\n',
        'proj/a/b/temp2': '7\n',
        'proj/docs/a.md': '8\n',
        'proj/docs/keep.md': '9\n',
        'proj/readme.md': '10\n',
        'proj/bx.txt': '11\n',
        'proj/dx.txt': '12\n',
        'proj/dot/thing': '13\n',
        'proj/up/thing': '14\n',
        'proj/.cache': '15\n',
        'proj/.cache2/x': '16\n',
        'proj/x.pyc': '17\n',
        'proj/pkg/__pycache__/deep/y.txt': '18\n',
        'proj/# not a comment': '19\n',
        'proj/main.py': '20\n',
      },
    },
    digest: '6de40300977d457736e0711ef40c52cf',
    files: ['.cache2/x', '.dockerignore', 'a/b/temp2', 'docs/keep.md', 'dx.txt', 'important.log', 'main.py'],
  },
  {
    id: 'abs-root-git-and-links',
    root: '${CASE_DIR}',
    tree: {
      files: {
        '.gitignore': '*.log\nbuild/\nsecret.txt\n',
        'app.py': 'a\n',
        'debug.log': 'd\n',
        'tracked.log': 't\n',
        'build/out.bin': 'o\n',
        'sub/secret.txt': 's\n',
        'sub/ok.txt': 'ok\n',
        'vendor/lib/.git/HEAD': 'ref\n',
        'vendor/lib/code.py': 'c\n',
        'mod/.git': 'gitdir: ../.git/modules/mod\n',
        'data/real.txt': 'real\n',
        'emptydir/.keep': 'k\n',
      },
      links: { 'alias.txt': 'data/real.txt', datalink: 'data', broken: 'nowhere.txt', loop: 'loop' },
      git: { add: ['tracked.log', 'app.py'] },
    },
    digest: '82a0185abe4f63a57ae4e6762b803fc0',
    files: [
      '.gitignore',
      'alias.txt',
      'app.py',
      'data/real.txt',
      'emptydir/.keep',
      'mod/.git',
      'sub/ok.txt',
      'tracked.log',
      'vendor/lib/code.py',
    ],
  },
  {
    id: 'dot-root-git',
    root: '.',
    tree: {
      files: { '.gitignore': '*.log\nbuild/\n', 'app.py': 'a\n', 'debug.log': 'd\n', 'build/x.txt': 'x\n', 'sub/y.log': 'y\n' },
      git: { add: [] },
    },
    digest: '4611b1e9d3ab80a887398bd8b05c3efa',
    files: ['.gitignore', 'app.py'],
  },
  {
    id: 'rel-subdir-root-git',
    root: 'proj',
    tree: {
      files: { 'proj/.gitignore': '*.log\n', 'proj/app.py': 'a\n', 'proj/debug.log': 'd\n', 'proj/sub/z.log': 'z\n' },
      git: { add: [] },
    },
    digest: '31b6e57b1def4cdb14f072a20907404b',
    files: ['.gitignore', 'app.py', 'debug.log', 'sub/z.log'],
  },
  {
    id: 'unicode-and-case-sort',
    root: 'src',
    tree: {
      files: {
        'src/Z.py': '1\n',
        'src/a b.py': '2\n',
        'src/a_b.py': '3\n',
        'src/a/b.py': '4\n',
        'src/a.b/c.py': '5\n',
        'src/～.txt': '6\n',
        'src/😀/x.txt': '7\n',
        'src/é.py': '8\n',
        'src/é.py': '9\n',
      },
    },
    digest: '831ef646c720e671f7ca8866ab210f09',
    files: ['Z.py', 'a b.py', 'a.b/c.py', 'a/b.py', 'a_b.py', 'é.py', 'é.py', '～.txt', '😀/x.txt'],
  },
  {
    id: 'dockerignore-case-insensitive-and-crlf',
    root: '${CASE_DIR}/p',
    tree: {
      files: {
        'p/.dockerignore': '*.TXT\r\nBuild\r\n﻿bom.py\n',
        'p/a.txt': 'a\n',
        'p/B.Txt': 'b\n',
        'p/build/q.py': 'q\n',
        'p/bom.py': 'bom\n',
        'p/keep.py': 'k\n',
      },
    },
    digest: 'c401843107aaf8dab948f5d87a69c52b',
    files: ['.dockerignore', 'bom.py', 'keep.py'],
  },
  {
    id: 'rel-root-git-directory-check-double-prefix',
    root: 'proj',
    tree: {
      files: { 'proj/.gitignore': 'x/\n', 'proj/x': 'file named x\n', 'proj/proj/x/f': 'f\n', 'proj/y.py': 'y\n' },
      git: { add: [] },
    },
    digest: '106bc2d9ea32448bd08db997f45e663d',
    files: ['.gitignore', 'proj/x/f', 'y.py'],
  },
];

describe('listSourceFiles agrees with flytekit ls_files (mode ALL)', () => {
  test.each(FLYTEKIT.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const dir = makeTree(c.tree);
    try {
      const root = c.root.split('${CASE_DIR}').join(dir);
      const listing = listSourceFiles(root, dir, 'all', dir, options);
      expect(listing.files.map((f) => f.rel)).toEqual(c.files);
      expect(listing.digest).toBe(c.digest);
      expect(sourceRootDigest(root, dir, 'all', dir, options)).toBe(c.digest);
    } finally {
      removeTree(dir);
    }
  });
});

describe('listSourceFiles', () => {
  test('LOADED_MODULES: nothing is imported when a YAML spec is resolved, so md5 of nothing', () => {
    const dir = makeTree({ files: { 'src/app.py': 'a' } });
    try {
      expect(listSourceFiles('src', dir, 'loaded-modules', dir, options)).toEqual({ files: [], digest: EMPTY_MD5 });
    } finally {
      removeTree(dir);
    }
  });

  test('files carry the flytekit path, the relative path and the real path', () => {
    const dir = makeTree({ files: { 'src/pkg/m.py': 'm' } });
    try {
      expect(listSourceFiles('./src', dir, 'all', dir, options).files).toEqual([
        { path: './src/pkg/m.py', rel: 'pkg/m.py', realPath: path.join(dir, 'src/pkg/m.py') },
      ]);
    } finally {
      removeTree(dir);
    }
  });

  test.each([
    ['missing', 'nope'],
    ['a file', 'file.txt'],
    ['empty', ''],
  ])('a source_root that is %s is a SpecError (flytekit fails starting git there)', (_what, root) => {
    const dir = makeTree({ files: { 'file.txt': 'x' } });
    try {
      for (const mode of ['all', 'loaded-modules'] as const) {
        expect(() => listSourceFiles(root, dir, mode, dir, options)).toThrow(SpecError);
      }
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

    test('a file link leading out is refused (flytekit would hash the target)', () => {
      const dir = makeTree({ files: { 'src/app.py': 'a' }, links: { 'src/leak.txt': path.join(outside, 'secret.txt') } });
      try {
        expect(() => listSourceFiles('src', dir, 'all', dir, options)).toThrow(SpecError);
        try {
          listSourceFiles('src', dir, 'all', dir, options);
        } catch (e) {
          expect((e as SpecError).field).toBe('source_root');
          expect((e as SpecError).message).toMatch(/outside the repository/);
        }
      } finally {
        removeTree(dir);
      }
    });

    test('an ignored link leading out is never read, so it is fine', () => {
      const dir = makeTree({
        files: { 'src/app.py': 'a', 'src/.dockerignore': '*.txt\n' },
        links: { 'src/leak.txt': path.join(outside, 'secret.txt') },
      });
      try {
        expect(listSourceFiles(dir + '/src', dir, 'all', dir, options).files.map((f) => f.rel)).toEqual(['.dockerignore', 'app.py']);
      } finally {
        removeTree(dir);
      }
    });

    test('a directory link leading out is not entered (as in flytekit)', () => {
      const dir = makeTree({ files: { 'src/app.py': 'a' }, links: { 'src/ext': path.join(outside, 'dir') } });
      try {
        expect(listSourceFiles('src', dir, 'all', dir, options).files.map((f) => f.rel)).toEqual(['app.py']);
      } finally {
        removeTree(dir);
      }
    });

    test('a source_root outside the repository is refused', () => {
      const dir = makeTree({ files: { 'app.py': 'a' } });
      try {
        expect(() => listSourceFiles(outside, dir, 'all', dir, options)).toThrow(/outside the repository/);
        expect(() => listSourceFiles('../' + path.basename(outside), dir, 'all', dir, options)).toThrow(SpecError);
      } finally {
        removeTree(dir);
      }
    });

    test('a link inside the repository is followed for its content', () => {
      const dir = makeTree({ files: { 'data/real.txt': 'real' }, links: { 'src/alias.txt': '../data/real.txt' } });
      try {
        const [f] = listSourceFiles('src', dir, 'all', dir, options).files;
        expect(f).toEqual({ path: 'src/alias.txt', rel: 'alias.txt', realPath: path.join(dir, 'data/real.txt') });
      } finally {
        removeTree(dir);
      }
    });
  });

  test('sockets are skipped (as flytekit skips them); a FIFO is refused (flytekit would block on it)', async () => {
    const dir = makeTree({ files: { 'src/app.py': 'a' } });
    const server = net.createServer();
    try {
      await new Promise<void>((resolve) => server.listen(path.join(dir, 'src', 'sock'), resolve));
      expect(listSourceFiles('src', dir, 'all', dir, options).files.map((f) => f.rel)).toEqual(['app.py']);
      execFileSync('mkfifo', [path.join(dir, 'src', 'pipe')]);
      expect(fs.readdirSync(path.join(dir, 'src')).sort()).toEqual(['app.py', 'pipe', 'sock']);
      expect(() => listSourceFiles('src', dir, 'all', dir, options)).toThrow(/src\/pipe' is a FIFO or device/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      removeTree(dir);
    }
  });

  test('a non-UTF-8 file name is a SpecError (flytekit fails encoding it for the digest)', () => {
    const dir = makeTree({ files: { 'src/app.py': 'a' } });
    try {
      fs.writeFileSync(Buffer.concat([Buffer.from(path.join(dir, 'src') + '/'), Buffer.from([0xff, 0x2e, 0x70, 0x79])]), 'x');
      expect(() => listSourceFiles('src', dir, 'all', dir, options)).toThrow(SpecError);
    } finally {
      removeTree(dir);
    }
  });
});
