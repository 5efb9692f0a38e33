/**
 * The long-lived flytekit process of the Python-ImageSpec differential test (pyOracle.py): one
 * request per generated project, pipelined, answers matched by id.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workspace } from '../support/fixtures';
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

/**
 * For a test file: one oracle, started before its tests and closed after them, and project folders
 * (real paths, as flytekit sees them) removed after them.
 */
export function oracleAndProjects(prefix: string): { ask: ProjectOracle['ask']; project: (files: Record<string, string>) => string } {
  let oracle: ProjectOracle | undefined;
  const roots: string[] = [];
  beforeAll(() => {
    oracle = new ProjectOracle();
  });
  afterAll(async () => {
    await oracle?.close();
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });
  return {
    ask: (req) => oracle!.ask(req),
    project: (files) => {
      const root = fs.realpathSync(workspace(files, prefix));
      roots.push(root);
      return root;
    },
  };
}
