import { limiter } from '../../util/limit';
import { isDirectory } from '../pyWalk';
import { GitBatchScope, splitBatch } from './gitBatch';
import { childProcess, GitOutput, GitRunner, LS_IGNORED } from './gitignore';

/**
 * flytekit runs `git ls-files` in each source root, one process after the other. With many specs
 * those processes were a third of planning (bench/plan-scale.mjs), although the machine had a core
 * to spare. The planner starts them a few specs ahead while it reads and hashes other specs, and
 * roots that one run in the repository can answer for (gitBatch.ts) share one process: while one
 * batch runs, the roots arriving meanwhile wait for the next. `gitIgnore` then takes the finished
 * answer instead of running git itself. Same command and environment, and every answer the very
 * bytes git prints in that root: only the timing and the number of processes change.
 */
export class GitPrefetch {
  private readonly done = new Map<string, GitOutput>();
  private readonly started = new Map<string, Promise<void>>();
  private readonly gate: <R>(task: () => Promise<R>) => Promise<R>;
  private readonly scope: GitBatchScope | undefined;
  private queue: Array<{ dir: string; spec: string; settle: () => void }> = [];
  private batchRunning = false;
  /** Set by `flush`: send what is queued without waiting for a full batch. */
  private flushWanted = false;
  /** Sends a partial batch when nobody calls `flush` (a caller that awaits `start` without it). */
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    concurrency = 4,
    /** The repository directory: roots inside it may be listed by one git run there. Without it, one git per root. */
    repoRoot?: string,
  ) {
    this.gate = limiter(concurrency);
    this.scope = repoRoot === undefined ? undefined : new GitBatchScope(repoRoot, env);
  }

  /** Starts listing the ignored files of directory `dir` (once); settles when the answer is in. */
  start(dir: string): Promise<void> {
    let p = this.started.get(dir);
    if (p === undefined) {
      p = isDirectory(dir) ? this.enqueue(dir) : Promise.resolve();
      this.started.set(dir, p);
    }
    return p;
  }

  /**
   * Sends the roots held back for a fuller batch now: the caller is about to wait for `dir` (any
   * of them without it). A root whose git has already run is no reason to send a small batch.
   */
  flush(dir?: string): void {
    if (dir !== undefined && !this.queue.some((q) => q.dir === dir)) return;
    this.flushWanted = true;
    this.pump();
  }

  /** `fallback` for anything not listed ahead (other commands, failures, directories not started). */
  runner(fallback: GitRunner): GitRunner {
    return (args, cwd) => {
      const early = args.length === LS_IGNORED.length && args.every((a, i) => a === LS_IGNORED[i]) ? this.done.get(cwd) : undefined;
      return early ?? fallback(args, cwd);
    };
  }

  private enqueue(dir: string): Promise<void> {
    const spec = this.scope?.pathOf(dir);
    if (spec === undefined) return this.gate(() => this.listIn(dir));
    return new Promise((settle) => {
      this.queue.push({ dir, spec, settle });
      this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      this.pump();
    });
  }

  /**
   * One batch at a time, once enough roots are queued or `flush` asks for them (bounded, so that the
   * command line stays short). A process costs the planner's thread ~2 ms to start: batches of a
   * few roots would still cost most of that.
   */
  private pump(): void {
    if (this.batchRunning || this.queue.length === 0) return;
    if (!this.flushWanted && this.queue.length < MIN_BATCH_ROOTS) return;
    let chars = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_ROOTS && chars < MAX_BATCH_CHARS) chars += this.queue[n++].spec.length + 1;
    const batch = this.queue.splice(0, n);
    if (this.queue.length === 0) {
      this.flushWanted = false;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    this.batchRunning = true;
    void this.listBatch(batch).then(() => {
      this.batchRunning = false;
      this.pump();
    });
  }

  /** A batch git that fails or prints something unexpected answers for none: each root then gets its own git. */
  private async listBatch(batch: Array<{ dir: string; spec: string; settle: () => void }>): Promise<void> {
    const specs = batch.map((b) => b.spec);
    const out = await this.run([...LS_IGNORED, '--', ...specs], this.scope!.cwd!);
    const parts = out !== undefined && out.status === 0 ? splitBatch(out.stdout, specs) : undefined;
    if (parts === undefined) {
      for (const b of batch) void this.gate(() => this.listIn(b.dir)).then(b.settle);
      return;
    }
    batch.forEach((b, i) => {
      this.done.set(b.dir, { status: 0, stdout: parts[i] });
      b.settle();
    });
  }

  /** Anything unusual (no git, a spawn error) stores nothing: the synchronous run then meets it as flytekit would. */
  private async listIn(dir: string): Promise<void> {
    const out = await this.run([...LS_IGNORED], dir);
    if (out !== undefined) this.done.set(dir, out);
  }

  private run(args: readonly string[], cwd: string): Promise<GitOutput | undefined> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      let failed = false;
      const child = childProcess().spawn('git', [...args], { cwd, env: this.env, stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.on('error', () => {
        failed = true;
        resolve(undefined);
      });
      child.on('close', (status) => resolve(failed || status === null ? undefined : { status, stdout: Buffer.concat(out) }));
    });
  }
}

const MIN_BATCH_ROOTS = 16;
const MAX_BATCH_ROOTS = 256;
const FLUSH_AFTER_MS = 100;
const MAX_BATCH_CHARS = 64 * 1024;
