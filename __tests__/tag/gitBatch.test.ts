/**
 * One `git ls-files -io --exclude-standard -- <roots>` run in the repository, cut per root, must be
 * byte for byte what git prints when run in each root (what flytekit runs): checked against the
 * real git on generated trees (nested .gitignore files, negations, ignored parents of a root, names
 * git quotes, nested repositories, links), and the roots it cannot vouch for must get their own git.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { GitBatchScope, splitBatch } from '../../src/tag/ignore/gitBatch';
import { GitPrefetch } from '../../src/tag/ignore/gitPrefetch';
import { GitOutput, LS_IGNORED } from '../../src/tag/ignore/gitignore';
import { GIT_ENV, makeTree, removeTree } from './tree';

function gitIn(dir: string, extra: string[] = []): GitOutput {
  const r = spawnSync('git', [...LS_IGNORED, ...extra], { cwd: dir, env: GIT_ENV });
  return { status: r.status, stdout: r.stdout };
}

/** What the prefetcher answers for each root, after one `flush`; a root it did not list ahead is `undefined`. */
async function prefetched(repo: string, roots: string[]): Promise<Array<GitOutput | undefined>> {
  const prefetch = new GitPrefetch(GIT_ENV, 4, repo);
  const started = roots.map((r) => prefetch.start(r));
  prefetch.flush();
  await Promise.all(started);
  const run = prefetch.runner(() => undefined);
  return roots.map((r) => run([...LS_IGNORED], r));
}

const text = (o: GitOutput | undefined) =>
  o === undefined ? undefined : { status: o.status, stdout: Buffer.from(o.stdout).toString('latin1') };

const DIRS = ['a', 'b', 'build', 'x y', 'Sub', 'a.b', '\u00fc', 'q"t', 'HEAD'];
const FILES = ['m.py', 'x.log', 'keep.log', '\u00fc.log', 'tab\tname.log', 'a.pyc', 'c"q.txt', 'b\\s.log', 'n.txt'];
const PATTERNS = [
  '*.log',
  '!keep.log',
  'build/',
  '/a',
  'x y/',
  '**/b/*.txt',
  '*.pyc',
  'Sub',
  '\u00fc*',
  '*',
  '!*.py',
  'a/**',
  '!build/',
  'n.txt',
];

const dirPath = fc.array(fc.constantFrom(...DIRS), { minLength: 0, maxLength: 3 }).map((parts) => parts.join('/'));
const caseArb = fc.record({
  files: fc.array(fc.tuple(dirPath, fc.constantFrom(...FILES)), { minLength: 1, maxLength: 14 }),
  ignores: fc.array(fc.tuple(dirPath, fc.array(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 4 })), { maxLength: 3 }),
  exclude: fc.array(fc.constantFrom(...PATTERNS), { maxLength: 2 }),
  nestedRepo: fc.option(
    dirPath.filter((d) => d !== ''),
    { nil: undefined },
  ),
  roots: fc.array(dirPath, { minLength: 1, maxLength: 6 }),
  linkedRoot: fc.option(dirPath, { nil: undefined }),
});

test('cut from one run, every root gets the bytes and status git gives in it', async () => {
  let batched = 0;
  let total = 0;
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const files: Record<string, string> = {};
      for (const [d, f] of c.files) files[d === '' ? f : `${d}/${f}`] = 'x\n';
      for (const [d, pats] of c.ignores) files[d === '' ? '.gitignore' : `${d}/.gitignore`] = `${pats.join('\n')}\n`;
      for (const r of c.roots) files[r === '' ? '.keep' : `${r}/.keep`] = '';
      const repo = makeTree({ files, git: { add: [] } });
      try {
        fs.writeFileSync(path.join(repo, '.git/info/exclude'), `${c.exclude.join('\n')}\n`);
        if (c.nestedRepo !== undefined) {
          fs.mkdirSync(path.join(repo, c.nestedRepo), { recursive: true });
          execFileSync('git', ['init', '-q'], { cwd: path.join(repo, c.nestedRepo), env: GIT_ENV });
        }
        const roots = [...new Set(c.roots)].map((r) => path.join(repo, r));
        if (c.linkedRoot !== undefined) {
          fs.mkdirSync(path.join(repo, c.linkedRoot), { recursive: true });
          fs.symlinkSync(path.join(repo, c.linkedRoot), path.join(repo, 'link'));
          roots.push(path.join(repo, 'link'));
        }
        const want = roots.map((r) => text(gitIn(r)));
        expect((await prefetched(repo, roots)).map(text)).toEqual(want);

        // The cut itself, for the roots the scope vouches for: not a test that passes by never batching.
        const scope = new GitBatchScope(repo, GIT_ENV);
        const eligible = roots.flatMap((r, i) => {
          const spec = scope.pathOf(r);
          return spec === undefined ? [] : [{ spec, i }];
        });
        total += roots.length;
        batched += eligible.length;
        if (eligible.length > 0) {
          const all = spawnSync('git', [...LS_IGNORED, '--', ...eligible.map((e) => e.spec)], { cwd: scope.cwd, env: GIT_ENV });
          if (all.status === 0) {
            const parts = splitBatch(
              all.stdout,
              eligible.map((e) => e.spec),
            )!;
            expect(eligible.map((_e, k) => ({ status: 0, stdout: parts[k].toString('latin1') }))).toEqual(eligible.map((e) => want[e.i]));
          }
        }
      } finally {
        removeTree(repo);
      }
    }),
    { numRuns: 60 },
  );
  expect(batched).toBeGreaterThan(total / 3);
});

test('roots behind a nested repository, a git directory, another git or unusual names get their own git', async () => {
  const repo = makeTree({
    files: {
      '.gitignore': '*.log\n',
      'plain/x.log': '',
      'nested/inner/y.log': '',
      'bare/HEAD': 'ref: refs/heads/main\n',
      'bare/objects/.keep': '',
      'bare/refs/.keep': '',
      'bare/src/z.log': '',
      'q"t/w.log': '',
    },
    git: { add: [] },
  });
  try {
    execFileSync('git', ['init', '-q'], { cwd: path.join(repo, 'nested'), env: GIT_ENV });
    const scope = new GitBatchScope(repo, GIT_ENV);
    expect(scope.pathOf(path.join(repo, 'plain'))).toBe('plain');
    expect(scope.pathOf(repo)).toBe('.');
    expect(scope.pathOf(path.join(repo, 'nested/inner'))).toBeUndefined();
    expect(scope.pathOf(path.join(repo, 'bare/src'))).toBeUndefined();
    expect(scope.pathOf(path.join(repo, 'q"t'))).toBeUndefined();
    expect(scope.pathOf(path.dirname(repo))).toBeUndefined();
    expect(new GitBatchScope(repo, { ...GIT_ENV, GIT_DIR: path.join(repo, '.git') }).pathOf(path.join(repo, 'plain'))).toBeUndefined();

    const roots = ['plain', 'nested/inner', 'bare/src', 'q"t', '.'].map((r) => path.join(repo, r));
    expect((await prefetched(repo, roots)).map(text)).toEqual(roots.map((r) => text(gitIn(r))));
  } finally {
    removeTree(repo);
  }
});

test('outside any repository the batch fails, and each root keeps its own failed answer', async () => {
  const dir = makeTree({ files: { 'a/x.log': '', 'b/y.log': '' } });
  try {
    const env = { ...GIT_ENV, GIT_CEILING_DIRECTORIES: path.dirname(dir) };
    const prefetch = new GitPrefetch(env, 4, dir);
    const roots = [path.join(dir, 'a'), path.join(dir, 'b')];
    const started = roots.map((r) => prefetch.start(r));
    prefetch.flush();
    await Promise.all(started);
    const run = prefetch.runner(() => {
      throw new Error('git should not run again');
    });
    for (const r of roots) expect(run([...LS_IGNORED], r)?.status).not.toBe(0);
  } finally {
    removeTree(dir);
  }
});

test('the cut keeps lines in every root they fall under, quotes included, and refuses a partial last line', () => {
  const out = Buffer.from('a/x.log\n"a/b/\\303\\274.log"\nab/y.log\nc/z.log\n', 'latin1');
  const parts = splitBatch(out, ['a', 'a/b', '.', 'c/d'])!.map((b) => b.toString('latin1'));
  expect(parts).toEqual(['x.log\n"b/\\303\\274.log"\n', '"\\303\\274.log"\n', out.toString('latin1'), '']);
  expect(splitBatch(Buffer.from('a/x.log'), ['a'])).toBeUndefined();
});
