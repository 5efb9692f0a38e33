import { limiter } from '../../util/limit';
import { isDirectory } from '../pyWalk';
import { childProcess, GitOutput, GitRunner, LS_IGNORED } from './gitignore';

/**
 * flytekit runs `git ls-files` in each source root, one process after the other. With many specs
 * those processes were a third of planning (bench/plan-scale.mjs), although the machine had a core
 * to spare. The planner starts them a few specs ahead, several at once, while it reads and hashes
 * other specs; `gitIgnore` then takes the finished answer instead of running git itself. Same
 * command, directory and environment: only the timing changes, so the answer is the same.
 */
export class GitPrefetch {
  private readonly done = new Map<string, GitOutput>();
  private readonly started = new Map<string, Promise<void>>();
  private readonly gate: <R>(task: () => Promise<R>) => Promise<R>;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    concurrency = 4,
  ) {
    this.gate = limiter(concurrency);
  }

  /** Starts listing the ignored files of directory `dir` (once); settles when the answer is in. */
  start(dir: string): Promise<void> {
    let p = this.started.get(dir);
    if (p === undefined) {
      p = isDirectory(dir) ? this.gate(() => this.list(dir)) : Promise.resolve();
      this.started.set(dir, p);
    }
    return p;
  }

  /** `fallback` for anything not listed ahead (other commands, failures, directories not started). */
  runner(fallback: GitRunner): GitRunner {
    return (args, cwd) => {
      const early = args.length === LS_IGNORED.length && args.every((a, i) => a === LS_IGNORED[i]) ? this.done.get(cwd) : undefined;
      return early ?? fallback(args, cwd);
    };
  }

  /** Anything unusual (no git, a spawn error) stores nothing: the synchronous run then meets it as flytekit would. */
  private list(dir: string): Promise<void> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      let failed = false;
      const child = childProcess().spawn('git', [...LS_IGNORED], { cwd: dir, env: this.env, stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.on('error', () => {
        failed = true;
        resolve();
      });
      child.on('close', (status) => {
        if (!failed && status !== null) this.done.set(dir, { status, stdout: Buffer.concat(out) });
        resolve();
      });
    });
  }
}
