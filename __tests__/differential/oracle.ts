/**
 * The long-lived Python oracle (oracle.py: the real PyYAML 6.0.3 and flytekit 1.16.24) and the
 * seed shared by every differential test. One process per test file answers JSON lines; requests
 * may be pipelined, answers are matched by id.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { interpreter } from '../support/fixtures';
import { GIT_ENV } from '../support/vectors';

export interface OracleError {
  ok: false;
  /** The Python exception class, e.g. `ValueError`, `ScannerError`. */
  type: string;
  message: string;
  /** 1-based line of a YAML error mark, when PyYAML gave one. */
  line: number | null;
}
export type OracleAnswer<T> = ({ ok: true } & T) | OracleError;

export interface Hello {
  python: string;
  pyyaml: string;
  flytekit: string;
  machine: string;
}
export interface SpecAnswer {
  tag: string;
  image_name: string;
  id: string;
}

export type Request =
  | { op: 'hello' }
  | { op: 'repr_str'; s: string }
  | { op: 'lower'; s: string }
  | { op: 'repr_float'; hex: string }
  | { op: 'format'; fmt: string; spec_hash: string }
  | { op: 'yaml'; text: string }
  | { op: 'spec'; dir: string; file: string; sorted_walk: boolean };

/** flytekit's venv of `scripts/infra.sh install`. */
export const flytekitPython = (): string => interpreter('IMAGESPEC_FLYTEKIT_PYTHON');

/** `IMAGESPEC_FC_SEED` reproduces a run; otherwise a fresh seed, printed by every test file. */
export function fcSeed(): number {
  const env = process.env.IMAGESPEC_FC_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) throw new Error(`IMAGESPEC_FC_SEED must be an integer, got ${env}`);
    return n | 0;
  }
  return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
}

/** Case counts: the acceptance minimum by default; `IMAGESPEC_FC_SCALE` multiplies them (e.g. 0.1 while developing). */
export function runs(n: number): number {
  const scale = Number(process.env.IMAGESPEC_FC_SCALE ?? '1');
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export class Oracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (a: unknown) => void>();
  private nextId = 1;
  private buffer = '';
  private stderr = '';
  private exited: string | undefined;

  constructor() {
    this.child = spawn(flytekitPython(), ['-u', path.join(__dirname, 'oracle.py')], {
      env: { ...process.env, ...GIT_ENV, PYTHONIOENCODING: 'utf-8', LC_ALL: 'C.UTF-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const ans = JSON.parse(line) as { _rid: number; type?: string; message?: string };
        if (ans.type === 'OracleCrash') throw new Error(`oracle.py crashed:\n${ans.message}`);
        const resolve = this.pending.get(ans._rid);
        this.pending.delete(ans._rid);
        resolve?.(ans);
      }
    });
    this.child.stderr.setEncoding('utf8');
    // Keep only the tail: flytekit may log, and the tail is what explains a crash.
    this.child.stderr.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-20000)));
    this.child.on('exit', (code, signal) => {
      this.exited = `oracle.py exited (code ${code}, signal ${signal}):\n${this.stderr}`;
      for (const reject of this.pending.values()) reject({ ok: false, type: 'OracleExited', message: this.exited, line: null });
      this.pending.clear();
    });
  }

  ask<T>(req: Request): Promise<OracleAnswer<T>> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (a: unknown) => void);
      this.child.stdin.write(JSON.stringify({ ...req, _rid: id }) + '\n');
    });
  }

  /** Many requests pipelined: written at once, answered in order. */
  askAll<T>(reqs: Request[]): Promise<Array<OracleAnswer<T>>> {
    return Promise.all(reqs.map((r) => this.ask<T>(r)));
  }

  async hello(): Promise<Hello> {
    const h = await this.ask<Hello>({ op: 'hello' });
    if (!h.ok) throw new Error(`oracle hello failed: ${h.message}\n${this.stderr}`);
    return h;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.on('exit', () => resolve()));
    this.child.stdin.end();
    await done;
  }
}
