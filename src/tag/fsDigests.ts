import type { Digests } from './compute';
import { copyDigest } from './copyDigest';
import { GitPrefetch } from './ignore/gitPrefetch';
import { systemGit } from './ignore/gitignore';
import { fsPathOf } from './pyWalk';
import { requirementsDigest } from './requirements';
import { sourceRootDigest } from './sourceRoot';
import * as path from 'node:path';

/** The digests against real files: spec paths resolve against `cwd`; nothing outside `repoRoot` is read. */
export function fsDigests(cwd: string, repoRoot: string): Digests {
  const git = new GitPrefetch(process.env, 4, repoRoot);
  const runGit = git.runner(systemGit());
  return {
    requirements: (p) => requirementsDigest(path.resolve(cwd, p), repoRoot, p),
    sourceRoot: (p, mode) => sourceRootDigest(p, cwd, mode, repoRoot, { runGit }),
    copy: (entries) => copyDigest(entries, cwd, repoRoot),
    // gitIgnore runs git in the root as the spec spells it, resolved against cwd: the same directory.
    prepare: (p) => git.start(fsPathOf(p, cwd)),
    flushPrepared: () => git.flush(),
  };
}
