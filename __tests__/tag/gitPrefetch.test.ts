/**
 * GitPrefetch runs flytekit's `git ls-files -io --exclude-standard` ahead of time; what gitIgnore
 * then gets must be byte for byte what running git at that moment gives, and anything it did not
 * list ahead must still reach the real git.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitPrefetch } from '../../src/tag/ignore/gitPrefetch';
import { GitRunner, LS_IGNORED, systemGit } from '../../src/tag/ignore/gitignore';
import { workspace } from '../support/fixtures';

let ws: string;
beforeAll(() => {
  ws = workspace(
    {
      '.gitignore': '*.log\nbuild/\n',
      'a/x.log': '',
      'a/b/y.log': '',
      'a/keep.py': '',
      'a/build/z.py': '',
      'a/\u00e4 \u00fc.log': '',
      'c/ok.py': '',
    },
    'git-prefetch-',
  );
  execFileSync('git', ['init', '-q', ws]);
});
afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

test('the answer listed ahead is the one git gives; other commands and directories go to git', async () => {
  const prefetch = new GitPrefetch();
  const calls: Array<[readonly string[], string]> = [];
  const real = systemGit();
  const counting: GitRunner = (args, cwd) => (calls.push([args, cwd]), real(args, cwd));
  const run = prefetch.runner(counting);
  const a = path.join(ws, 'a');
  await prefetch.start(a);
  await prefetch.start(a); // once per directory

  const early = run([...LS_IGNORED], a)!;
  expect(calls).toEqual([]);
  const now = real([...LS_IGNORED], a)!;
  expect(early.status).toBe(0);
  expect(Buffer.from(early.stdout).equals(Buffer.from(now.stdout))).toBe(true);
  // Non-ASCII names come quoted, as git prints them: the very bytes, not a re-encoding.
  expect(Buffer.from(early.stdout).toString()).toContain('"\\303\\244 \\303\\274.log"');

  run([...LS_IGNORED, '--directory'], a);
  run([...LS_IGNORED], path.join(ws, 'c'));
  expect(calls.map(([args, cwd]) => [args.join(' '), path.basename(cwd)])).toEqual([
    [`${LS_IGNORED.join(' ')} --directory`, 'a'],
    [LS_IGNORED.join(' '), 'c'],
  ]);
});

test('outside a work tree git fails there too: the failed answer is kept, as flytekit would get it', async () => {
  const outside = fs.mkdtempSync(path.join(path.dirname(ws), 'no-git-'));
  const env = { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(outside) };
  const prefetch = new GitPrefetch(env);
  await prefetch.start(outside);
  const answer = prefetch.runner(() => {
    throw new Error('git should not run again');
  })([...LS_IGNORED], outside);
  fs.rmSync(outside, { recursive: true, force: true });
  expect(answer?.status).not.toBe(0);
});

test('a path that is not a directory is not listed ahead', async () => {
  const prefetch = new GitPrefetch();
  await prefetch.start(path.join(ws, 'missing'));
  await prefetch.start(path.join(ws, 'a', 'keep.py'));
  const asked: string[] = [];
  const run = prefetch.runner((_args, cwd) => (asked.push(path.relative(ws, cwd)), undefined));
  run([...LS_IGNORED], path.join(ws, 'missing'));
  run([...LS_IGNORED], path.join(ws, 'a', 'keep.py'));
  expect(asked).toEqual(['missing', path.join('a', 'keep.py')]);
});
