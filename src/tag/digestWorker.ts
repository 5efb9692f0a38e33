import { parentPort } from 'node:worker_threads';
import type { SourceRootDone, SourceRootJob } from './digestJob';
import { GitRunner, LS_IGNORED, systemGit } from './ignore/gitignore';
import { fsPathOf } from './pyWalk';
import { listSourceFiles } from './sourceRoot';

/**
 * The worker thread of digestPool.ts (bundled as dist/digest/index.js): walks and hashes source
 * roots while the planner's thread reads the specs. It runs the planner's own code on the same
 * files; anything that goes wrong is left to the planner, which then computes the digest itself and
 * reports the error with its file and line exactly as it always did.
 */
const port = parentPort;
if (port === null) throw new Error('digestWorker runs as a worker thread');
const git = systemGit();

port.on('message', (job: SourceRootJob) => {
  const dir = fsPathOf(job.root, job.cwd);
  const runGit: GitRunner = (args, cwd) =>
    job.git !== undefined && cwd === dir && args.length === LS_IGNORED.length && args.every((a, i) => a === LS_IGNORED[i])
      ? job.git
      : git(args, cwd);
  let digest: string | undefined;
  try {
    digest = listSourceFiles(job.root, job.cwd, 'all', job.repoRoot, { runGit }).digest;
  } catch {
    digest = undefined;
  }
  const done: SourceRootDone = { id: job.id, digest };
  port.postMessage(done);
});
