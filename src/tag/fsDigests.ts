import type { Digests } from './compute';
import { copyDigest } from './copyDigest';
import { bundledWorker, DigestPool, poolSize } from './digestPool';
import { GitPrefetch } from './ignore/gitPrefetch';
import { LS_IGNORED, systemGit } from './ignore/gitignore';
import { fsPathOf } from './pyWalk';
import { requirementsDigest } from './requirements';
import { sourceRootDigest } from './sourceRoot';
import * as path from 'node:path';

export interface FsDigestsOptions {
  /** The digest worker's script; by default the bundled one next to the action, if any. `null`: none, hash on this thread. */
  digestWorker?: string | null;
}

/** The digests against real files: spec paths resolve against `cwd`; nothing outside `repoRoot` is read. */
export function fsDigests(cwd: string, repoRoot: string, options: FsDigestsOptions = {}): Digests {
  const git = new GitPrefetch(process.env, 4, repoRoot);
  const runGit = git.runner(systemGit());
  const listedAhead = git.runner(() => undefined);
  const script = options.digestWorker === undefined ? bundledWorker(__dirname) : (options.digestWorker ?? undefined);
  let pool: DigestPool | undefined;
  /** Source-root digests (mode `all`) the workers computed ahead, by the root's spelling. */
  const hashed = new Map<string, string>();
  /** One job per root, however many specs name it. */
  const jobs = new Map<string, Promise<void>>();
  return {
    requirements: (p) => requirementsDigest(path.resolve(cwd, p), repoRoot, p),
    sourceRoot: (p, mode) => (mode === 'all' ? hashed.get(p) : undefined) ?? sourceRootDigest(p, cwd, mode, repoRoot, { runGit }),
    copy: (entries) => copyDigest(entries, cwd, repoRoot),
    // gitIgnore runs git in the root as the spec spells it, resolved against cwd: the same directory.
    prepare: (p, mode) => {
      const dir = fsPathOf(p, cwd);
      const listed = git.start(dir);
      if (mode !== 'all' || script === undefined) return listed;
      let job = jobs.get(p);
      if (job === undefined) {
        pool ??= new DigestPool(script, poolSize());
        const workers = pool;
        job = listed
          .then(() => workers.sourceRoot({ root: p, cwd, repoRoot, git: listedAhead([...LS_IGNORED], dir) }))
          .then((digest) => {
            if (digest !== undefined) hashed.set(p, digest);
          });
        jobs.set(p, job);
      }
      return job;
    },
    flushPrepared: (p) => git.flush(p === undefined ? undefined : fsPathOf(p, cwd)),
  };
}
