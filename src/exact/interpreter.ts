/**
 * Runs a helper script in a Python interpreter the user names (e.g. from actions/setup-python,
 * with the project's dependencies installed), and reads one JSON answer from it. Generic: the
 * flytekit helper uses it, and a Flyte 2 (`flyte` SDK) helper can too.
 *
 * Protocol: the scripts (the helper plus `exact_protocol.py`) are written to a fresh temporary
 * folder and run as `python -B <helper> <request.json> <result.json>`, with the working directory
 * the caller gives (where pyflyte would run). The request is the caller's JSON plus `memoryBytes`.
 * The helper writes `{"protocol": 1, "ok": true, "result": …}` (or `"ok": false, "error": <python
 * exception>`) to result.json through a rename. stdout and stderr belong to the user's code.
 *
 * Bounds: wall time (the whole process group is killed), the answer's size, a head and a tail of
 * the interleaved stdout/stderr kept as the log (the rest is counted and dropped, while the pipes
 * keep draining so the child never blocks), and the address space (RLIMIT_AS, set by the helper
 * before it imports anything; POSIX only).
 *
 * Environment: the child sees only the variables in PASSED_VARIABLES (what an interpreter and
 * its packages need to start: paths, locale, temp folders, the Windows basics, the venv/conda and
 * setup-python markers, PYTHONPATH/PYTHONHOME, CA bundles), then the caller's `env` (what the
 * user's code may read, e.g. the registry variables of os.getenv registries), then FIXED_VARIABLES
 * (no bytecode written into the repository, UTF-8 output that cannot fail, unbuffered so the log
 * tail is current when a hung child is killed). Nothing else of the runner's environment passes:
 * no action inputs, no tokens.
 *
 * The user's code runs with the step's permissions: this engine is opt-in and must not run code
 * from untrusted pull requests next to secrets. Its answer is validated like any untrusted input.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExactError, PythonException, quoted } from './errors';
import { HelperScriptName, readHelperScript } from './helperScripts';
import { decodePythonException } from './decode';

export interface Limits {
  timeoutMs: number;
  /** Bytes of stdout+stderr kept (half from the start, half from the end). */
  logBytes: number;
  /** Largest result.json accepted. */
  resultBytes: number;
  /** RLIMIT_AS for the interpreter; 0 = no limit. */
  memoryBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  timeoutMs: 10 * 60_000,
  logBytes: 64 * 1024,
  resultBytes: 32 * 1024 * 1024,
  memoryBytes: 8 * 1024 * 1024 * 1024,
};

/** Variables passed from the runner's environment when set (exact names; `LC_*` by prefix). */
export const PASSED_VARIABLES: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'SystemRoot',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'pythonLocation',
  'Python_ROOT_DIR',
  'Python2_ROOT_DIR',
  'Python3_ROOT_DIR',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'PYTHONHOME',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
];

export const FIXED_VARIABLES: Readonly<Record<string, string>> = {
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONIOENCODING: 'utf-8:backslashreplace',
  PYTHONUNBUFFERED: '1',
};

/** The child's environment: see the module comment. */
export function childEnvironment(runner: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(runner)) {
    if (v !== undefined && (PASSED_VARIABLES.includes(k) || k.startsWith('LC_'))) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  return { ...env, ...FIXED_VARIABLES };
}

export interface HelperRequest {
  /** Path (or name on PATH) of the interpreter. */
  python: string;
  /** The helper to run; `exact_protocol.py` is always written next to it. */
  helper: HelperScriptName;
  /** JSON the helper reads. */
  request: Record<string, unknown>;
  cwd: string;
  /** Variables the user's code sees besides PASSED_VARIABLES. */
  env?: Readonly<Record<string, string>>;
  limits?: Partial<Limits>;
  /** The runner's environment to take PASSED_VARIABLES from (tests inject one). */
  runnerEnv?: NodeJS.ProcessEnv;
}

export interface HelperAnswer {
  result: unknown;
  /** Bounded stdout+stderr of the run (raw text from user code). */
  log: string;
  ms: number;
}

/** Keeps the first and last `limit/2` bytes of a stream and counts what it drops. */
export class BoundedLog {
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.limit / 2);
    if (this.headSize < half) {
      const take = chunk.subarray(0, half - this.headSize);
      this.head.push(take);
      this.headSize += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailSize += chunk.length;
    while (this.tailSize > this.limit - half && this.tail.length > 0) {
      const over = this.tailSize - (this.limit - half);
      const first = this.tail[0];
      if (first.length <= over) {
        this.tail.shift();
        this.tailSize -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(over);
        this.tailSize -= over;
        this.dropped += over;
      }
    }
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  /** UTF-8 text; a character cut by an omission shows as U+FFFD, one split between head and tail does not. */
  text(): string {
    if (this.dropped === 0) return Buffer.concat([...this.head, ...this.tail]).toString('utf8');
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return `${head}\n[… ${this.dropped} bytes of output omitted …]\n${tail}`;
  }
}

const PROTOCOL = 1;
const isPosix = process.platform !== 'win32';

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (isPosix) process.kill(-pid, 'SIGKILL');
    else process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function runHelper(req: HelperRequest): Promise<HelperAnswer> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...req.limits };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'imagespec-exact-'));
  const started = Date.now();
  try {
    const names: HelperScriptName[] = ['exact_protocol.py', req.helper];
    for (const name of new Set(names)) await fs.promises.writeFile(path.join(dir, name), readHelperScript(name));
    const requestPath = path.join(dir, 'request.json');
    const resultPath = path.join(dir, 'result.json');
    await fs.promises.writeFile(requestPath, JSON.stringify({ ...req.request, memoryBytes: limits.memoryBytes }));
    const env = childEnvironment(req.runnerEnv ?? process.env, req.env);
    const run = await spawnBounded(req.python, ['-B', path.join(dir, req.helper), requestPath, resultPath], req.cwd, env, limits);
    const log = run.log.text();
    const fail = (message: string): ExactError => new ExactError(message, { kind: 'protocol', log });
    let size: number;
    try {
      size = (await fs.promises.stat(resultPath)).size;
    } catch {
      const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.code}`;
      throw fail(`the Python helper ${how} without an answer (an os._exit or a crash in the imported code, or a Python older than 3.8)`);
    }
    if (size > limits.resultBytes) throw fail(`the Python helper's answer is ${size} bytes, over the limit of ${limits.resultBytes}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.promises.readFile(resultPath, 'utf8'));
    } catch {
      throw fail('the Python helper wrote an answer that is not JSON');
    }
    if (!isRecord(parsed) || parsed.protocol !== PROTOCOL || typeof parsed.ok !== 'boolean') {
      throw fail('the Python helper wrote an answer of an unknown protocol');
    }
    if (!parsed.ok) {
      const python = decodePythonException(parsed.error);
      throw new ExactError(`the Python helper failed: ${python ? python.type : 'unknown error'}`, { kind: 'helper', python, log });
    }
    return { result: parsed.result, log, ms: Date.now() - started };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  log: BoundedLog;
}

function spawnBounded(python: string, args: string[], cwd: string, env: Record<string, string>, limits: Limits): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const log = new BoundedLog(limits.logBytes);
    let settled = false;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(python, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: isPosix, windowsHide: true });
    } catch {
      reject(new ExactError(`the Python interpreter ${quoted(python)} could not be started`, { kind: 'interpreter' }));
      return;
    }
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      killGroup(child.pid);
      reject(
        new ExactError(`the Python interpreter ran longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped`, {
          kind: 'timeout',
          log: log.text(),
        }),
      );
    }, limits.timeoutMs);
    const stdout = child.stdout as NodeJS.ReadableStream & { readableEnded: boolean };
    const stderr = child.stderr as NodeJS.ReadableStream & { readableEnded: boolean };
    stdout.on('data', (c: Buffer) => log.push(c));
    stderr.on('data', (c: Buffer) => log.push(c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new ExactError(`the Python interpreter ${quoted(python)} could not be started (${e.code ?? 'error'})`, { kind: 'interpreter' }),
      );
    });
    child.on('exit', (code, signal) => {
      // Processes the user's code left behind would hold the pipes open: end them with the group.
      killGroup(child.pid);
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ code, signal, log });
      };
      if (stdout.readableEnded && stderr.readableEnded) finish();
      else {
        child.on('close', finish);
        setTimeout(finish, 2000).unref();
      }
    });
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { PythonException };
