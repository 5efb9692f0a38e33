/**
 * The long-lived flytekit process of the Python-ImageSpec differential test (pyOracle.py): one
 * request per generated project, pipelined, answers matched by id.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { flytekitPython } from '../differential/oracle';

export interface ImageAnswer {
  image_name: string;
  id: string;
}
export type ProjectAnswer =
  { ok: true; tasks: Record<string, ImageAnswer>; specs: ImageAnswer[] } | { ok: false; type: string; message: string; tb: string };

export interface ProjectRequest {
  root: string;
  modules: string[];
  env: Record<string, string | null>;
}

export class ProjectOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (a: ProjectAnswer) => void>();
  private nextId = 1;
  private buffer = '';
  private stderr = '';

  constructor() {
    this.child = spawn(flytekitPython(), ['-u', path.join(__dirname, 'pyOracle.py')], {
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', LC_ALL: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const ans = JSON.parse(this.buffer.slice(0, nl)) as ProjectAnswer & { _rid: number };
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.get(ans._rid)?.(ans);
        this.pending.delete(ans._rid);
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-5000)));
    this.child.on('exit', (code) => {
      for (const resolve of this.pending.values()) {
        resolve({ ok: false, type: 'OracleExited', message: `pyOracle.py exited with ${code}: ${this.stderr}`, tb: '' });
      }
      this.pending.clear();
    });
  }

  ask(req: ProjectRequest): Promise<ProjectAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ ...req, _rid: id }) + '\n');
    });
  }

  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => this.child.on('exit', () => resolve()));
    this.child.stdin.end();
    await done;
  }
}
