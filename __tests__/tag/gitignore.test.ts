import * as path from 'node:path';
import fc from 'fast-check';
import { gitIgnore, GitRunner, LS_IGNORED, posixPathOf, systemGit } from '../../src/tag/ignore/gitignore';
import { GIT_ENV, makeTree, removeTree } from './tree';

const git = systemGit(GIT_ENV);

/** A runner answering from canned output, recording what it was asked. */
function fakeGit(files: string[], dirs: string[], calls: Array<[readonly string[], string]> = []): GitRunner {
  return (args, cwd) => {
    calls.push([args, cwd]);
    const lines = args.includes('--directory') ? dirs : files;
    return { status: 0, stdout: new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')) };
  };
}

describe('posixPathOf (pathlib as_posix)', () => {
  test.each([
    ['./debug.log', 'debug.log'],
    ['a//b/./c/', 'a/b/c'],
    ['a/../b', 'a/../b'],
    ['.', '.'],
    ['', '.'],
    ['/x', '/x'],
    ['//x', '//x'],
    ['///x', '/x'],
  ])('%j -> %j', (p, expected) => expect(posixPathOf(p)).toBe(expected));

  test('paths already in that form come back unchanged, and every other agrees with pathlib', () => {
    // PurePosixPath(p).as_posix(), written out here independently of the shortcut for plain paths.
    const pathlib = (p: string): string => {
      const lead = /^\/*/.exec(p)![0].length;
      const root = lead === 2 ? '//' : lead > 0 ? '/' : '';
      const joined =
        root +
        p
          .split('/')
          .filter((x) => x !== '' && x !== '.')
          .join('/');
      return joined === '' ? '.' : joined;
    };
    const part = fc.constantFrom('a', 'b.c', '.', '..', '', ' ', '.x', 'x.');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
        const p = parts.join('/');
        expect(posixPathOf(p)).toBe(pathlib(p));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('gitIgnore with real git', () => {
  const tree = {
    files: {
      '.gitignore': '*.log\nbuild/\n',
      'app.py': 'a',
      'debug.log': 'd',
      'tracked.log': 't',
      'build/out.bin': 'o',
      'proj/.gitignore': 'secret.txt\n',
      'proj/secret.txt': 's',
      'proj/x.log': 'x',
      'proj/ok.py': 'ok',
    },
    git: { add: ['tracked.log'] },
  };
  let dir: string;
  beforeAll(() => {
    dir = makeTree(tree);
  });
  afterAll(() => removeTree(dir));

  test('absolute root: ignored untracked files match; tracked ones never do', () => {
    const rule = gitIgnore(dir, dir, git);
    expect(rule('debug.log')).toBe(true);
    expect(rule('build/out.bin')).toBe(true);
    expect(rule('proj/secret.txt')).toBe(true);
    expect(rule('tracked.log')).toBe(false);
    expect(rule('app.py')).toBe(false);
  });

  test('root "." : pathlib drops the "./", so paths still match', () => {
    const rule = gitIgnore('.', dir, git);
    expect(rule('./debug.log')).toBe(true);
    expect(rule('./app.py')).toBe(false);
  });

  test('relative sub-directory root: git answers relative to it, flytekit asks with the prefix, nothing matches', () => {
    const rule = gitIgnore('proj', dir, git);
    expect(rule('proj/secret.txt')).toBe(false);
    expect(rule('proj/x.log')).toBe(false);
    expect(rule('secret.txt')).toBe(true);
  });

  test('not inside a repository: nothing is ignored', () => {
    const bare = makeTree({ files: { '.gitignore': '*.log\n', 'a.log': 'a' } });
    try {
      expect(gitIgnore(bare, bare, git)('a.log')).toBe(false);
    } finally {
      removeTree(bare);
    }
  });
});

describe('gitIgnore core (injected runner)', () => {
  test('runs the listings in the root resolved against cwd; the directory one only when a directory is asked about', () => {
    const calls: Array<[readonly string[], string]> = [];
    const rule = gitIgnore('proj', '/work', fakeGit(['x.log'], ['build/'], calls), (p) => p.endsWith('/build'));
    expect(calls).toEqual([[[...LS_IGNORED], '/work/proj']]);
    expect(rule('x.log')).toBe(true);
    expect(rule('y.txt')).toBe(false);
    expect(calls).toHaveLength(1);
    expect(rule('build')).toBe(true);
    expect(rule('build')).toBe(true);
    expect(calls).toEqual([
      [[...LS_IGNORED], '/work/proj'],
      [[...LS_IGNORED, '--directory'], '/work/proj'],
    ]);
    expect(LS_IGNORED).toEqual(['ls-files', '-io', '--exclude-standard']);
  });

  test('without ignored files git runs once', () => {
    const calls: Array<[readonly string[], string]> = [];
    const rule = gitIgnore('proj', '/work', fakeGit([], ['build/'], calls), () => true);
    expect(rule('build')).toBe(false);
    expect(calls).toHaveLength(1);
  });

  test('no git executable or a failing git: nothing is ignored', () => {
    expect(gitIgnore('.', '/', () => undefined)('x')).toBe(false);
    expect(gitIgnore('.', '/', () => ({ status: 128, stdout: new TextEncoder().encode('x\n') }))('x')).toBe(false);
  });

  test('the last output line is dropped whatever it is (split("\\n")[:-1])', () => {
    const run: GitRunner = () => ({ status: 0, stdout: new TextEncoder().encode('a\nb') });
    const rule = gitIgnore('.', '/', run);
    expect(rule('a')).toBe(true);
    expect(rule('b')).toBe(false);
  });

  test('directory listing is consulted only for directories, and only when some file is ignored', () => {
    const isDir = (p: string) => p === path.posix.join('/w', 'd');
    expect(gitIgnore('/w', '/', fakeGit(['f'], ['d/']), isDir)('d')).toBe(true);
    expect(gitIgnore('/w', '/', fakeGit(['f'], ['d/']), isDir)('e')).toBe(false);
    expect(gitIgnore('/w', '/', fakeGit([], ['d/']), isDir)('d')).toBe(false);
  });

  test('the directory check joins the root to the path again (relative roots look one level deeper)', () => {
    const seen: string[] = [];
    const isDir = (p: string) => {
      seen.push(p);
      return true;
    };
    expect(gitIgnore('proj', '/w', fakeGit(['z'], ['proj/x/']), isDir)('proj/x')).toBe(true);
    expect(seen).toEqual(['/w/proj/proj/x']);
  });
});
