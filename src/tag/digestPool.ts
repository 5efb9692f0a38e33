import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { SourceRootDone, SourceRootJob } from './digestJob';

/**
 * Worker threads that hash source roots (digestWorker.ts) while the planner's thread reads specs:
 * with 250 roots of 200 files, walking and hashing was half of planning (bench/plan-scale.mjs).
 * Started on the first root to hash, never for a plan without one (start-up time is paid by every
 * run). An idle pool does not keep the process alive. A worker that fails answers `undefined`, and
 * the planner computes that digest itself.
 */
export class DigestPool {
  private readonly workers: Array<{ worker: Worker; jobs: Set<number> }> = [];
  private readonly pending = new Map<number, (digest: string | undefined) => void>();
  private nextId = 0;
  private started = false;

  constructor(
    private readonly script: string,
    private readonly size: number,
  ) {}

  sourceRoot(job: Omit<SourceRootJob, 'id'>): Promise<string | undefined> {
    if (!this.started) this.start();
    const slot = this.workers.reduce<(typeof this.workers)[number] | undefined>(
      (a, b) => (a === undefined || b.jobs.size < a.jobs.size ? b : a),
      undefined,
    );
    if (slot === undefined) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      if (slot.jobs.size === 0) slot.worker.ref();
      slot.jobs.add(id);
      slot.worker.postMessage({ ...job, id } satisfies SourceRootJob);
    });
  }

  private start(): void {
    this.started = true;
    // Loaded here: most runs never need worker_threads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, which import() cannot do synchronously
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    for (let i = 0; i < this.size; i++) {
      let worker: Worker;
      try {
        worker = new Worker(this.script);
      } catch {
        // No thread to be had (resources): the planner hashes on its own, as it did before workers.
        return;
      }
      const slot = { worker, jobs: new Set<number>() };
      worker.unref();
      worker.on('message', (done: SourceRootDone) => this.settle(slot, done.id, done.digest));
      // A worker that dies leaves its jobs to the planner and takes no more.
      const drop = (): void => {
        const i = this.workers.indexOf(slot);
        if (i >= 0) this.workers.splice(i, 1);
        for (const id of [...slot.jobs]) this.settle(slot, id, undefined);
      };
      worker.on('error', drop);
      worker.on('exit', drop);
      this.workers.push(slot);
    }
  }

  private settle(slot: { worker: Worker; jobs: Set<number> }, id: number, digest: string | undefined): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    slot.jobs.delete(id);
    if (slot.jobs.size === 0) slot.worker.unref();
    resolve?.(digest);
  }
}

/** The bundled worker next to the main bundle (dist/digest/index.js), if there is one: unbundled (tests), there is none. */
export function bundledWorker(dir: string): string | undefined {
  const script = path.join(dir, 'digest', 'index.js');
  return fs.existsSync(script) ? script : undefined;
}

/** One worker per core beyond the planner's own, at least one, at most three. */
export function poolSize(): number {
  return Math.min(3, Math.max(1, os.availableParallelism() - 1));
}
