import type { GitOutput } from './ignore/gitignore';

/**
 * What the digest worker (digestWorker.ts) is asked and answers: the md5 of one `source_root` in
 * `all` mode, as `listSourceFiles` computes it on the planner's thread. `git` is the answer of
 * flytekit's `git ls-files` in the root when it was listed ahead (gitPrefetch.ts).
 */
export interface SourceRootJob {
  id: number;
  root: string;
  cwd: string;
  repoRoot: string;
  git?: GitOutput;
}

/** `digest` undefined: the worker failed in some way, and the planner computes the digest itself (and meets the error itself). */
export interface SourceRootDone {
  id: number;
  digest?: string;
}
