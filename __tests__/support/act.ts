/**
 * Runs a workflow with nektos/act (scripts/lib/act.sh), a runner independent of ours: its own
 * expression engine, job graph, matrix expansion and step contract. Host mode (no containers), a
 * throwaway HOME, and an environment of only what a test names, because host mode hands the whole
 * environment of act to every step. `uses: ./` runs this checkout's action.yml with the `node`
 * first on PATH, so the node a test picks is the one that runs the bundle.
 *
 * act prints one JSON object a line (`--json`); this reads step results, job results, step
 * outputs and raw output lines from them, and the node binary act ran each action with (a debug
 * line, hence `-v`).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './runner';

export const ACT_WORKFLOWS = path.join(REPO_ROOT, '__tests__', 'act', 'workflows');

export type NodeMajor = 20 | 24;
export type ActEvent = 'push' | 'pull_request' | 'workflow_dispatch';
export type StepResultName = 'success' | 'failure' | 'skipped';

export interface ActOptions {
  /** A file under __tests__/act/workflows, or an absolute path. */
  workflow: string;
  event?: ActEvent;
  /** The event payload (`github.event`; workflow_dispatch inputs go in its `inputs`). */
  payload?: Record<string, unknown>;
  node: NodeMajor;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** The runner machine's own environment (a self-hosted runner's set-up, e.g. BUILDX_CONFIG). */
  hostEnv?: Record<string, string>;
  /**
   * A runner machine that persists: act's cache-server storage lives here, shared by the runs
   * given the same directory. (act still puts each job in a new random directory below it.)
   */
  machineDir?: string;
  timeoutMs?: number;
}

interface LogEntry {
  msg: string;
  level: string;
  jobID?: string;
  job?: string;
  matrix?: Record<string, unknown>;
  stage?: string;
  stepID?: string[];
  step?: string;
  stepResult?: StepResultName;
  jobResult?: 'success' | 'failure';
  raw_output?: boolean;
  command?: string;
  name?: string;
  arg?: string;
}

export interface ActStep {
  jobID: string;
  matrix: Record<string, unknown>;
  stage: string;
  stepID: string;
  step: string;
  result: StepResultName;
}

export interface ActRun {
  exitCode: number;
  /** Every step that ran or was skipped, in order (set-up and completion steps excluded). */
  steps: ActStep[];
  /** One entry per job run (a matrix job once per matrix entry). */
  jobs: Array<{ jobID: string; matrix: Record<string, unknown>; result: 'success' | 'failure' }>;
  /** Outputs a step set (the last run of that step when a matrix ran it several times). */
  outputs(jobID: string, stepID: string): Record<string, string>;
  /** What a step printed (raw output lines), every matrix run of it together. */
  printed(jobID: string, stepID: string, stage?: string): string;
  /** The binaries act ran node actions with (one per main/post stage run). */
  nodes: string[];
  /** The whole log as text, for failure messages. */
  log: string;
}

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the act tests through scripts/test.sh (scripts/infra.sh env prints it)`);
  return v;
}

/**
 * The node binary for a major version: Node 24 is node.sh's pinned one, Node 20 the machine's,
 * the one jest runs on. A binary of another major fails the test: the point is to run the bundle
 * on both.
 */
export function nodeBinary(major: NodeMajor): string {
  const node = fs.realpathSync(major === 24 ? requireEnv('IMAGESPEC_NODE24') : process.execPath);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${node} is ${version}, not Node ${major}`);
  return node;
}

export function actBinary(): string {
  return requireEnv('IMAGESPEC_ACT');
}

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function runAct(opts: ActOptions): Promise<ActRun> {
  const act = actBinary();
  const node = nodeBinary(opts.node);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'act-run-'));
  try {
    return await actIn(tmp, act, node, opts);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function actIn(tmp: string, act: string, node: string, opts: ActOptions): Promise<ActRun> {
  // A directory holding only `node`, first on PATH: act runs node actions with it.
  const nodeDir = path.join(tmp, 'node');
  fs.mkdirSync(nodeDir);
  fs.symlinkSync(node, path.join(nodeDir, 'node'));
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  const event = opts.event ?? 'push';
  const payloadFile = path.join(tmp, 'event.json');
  // A push to main unless the test says otherwise (act takes github.ref from the payload's ref).
  fs.writeFileSync(payloadFile, JSON.stringify(opts.payload ?? (event === 'push' ? { ref: 'refs/heads/main' } : {})));
  const workflow = path.isAbsolute(opts.workflow) ? opts.workflow : path.join(ACT_WORKFLOWS, opts.workflow);
  const args = [
    event,
    '--workflows',
    workflow,
    '--eventpath',
    payloadFile,
    '--platform',
    'ubuntu-24.04=-self-hosted',
    '--platform',
    'ubuntu-latest=-self-hosted',
    '--action-cache-path',
    path.join(opts.machineDir ?? tmp, 'actions'),
    '--action-offline-mode',
    '--pull=false',
    '--json',
    '--verbose',
    // The runner's cache service for @actions/cache and buildx (act's own, on loopback) ...
    '--cache-server-addr',
    '127.0.0.1',
    '--cache-server-path',
    path.join(opts.machineDir ?? tmp, 'cache'),
    // ... and the artifact server, without which act gives actions no ACTIONS_RUNTIME_TOKEN.
    '--artifact-server-path',
    path.join(tmp, 'artifacts'),
    '--artifact-server-addr',
    '127.0.0.1',
    '--artifact-server-port',
    String(await freePort()),
    '--env',
    'GITHUB_REPOSITORY=acme/flyte-project',
    '--env',
    'GITHUB_REPOSITORY_OWNER=acme',
  ];
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('--var', `${k}=${v}`);
  // Secrets through the environment, never on the command line.
  const secretEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.secrets ?? {})) {
    args.push('--secret', k);
    secretEnv[k] = v;
  }
  const env: Record<string, string> = {
    HOME: home,
    PATH: `${nodeDir}:${BASE_PATH}`,
    LANG: 'C.UTF-8',
    ...(opts.hostEnv ?? {}),
    ...secretEnv,
  };

  const child = spawn(act, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10 * 60 * 1000);
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);
  return parseRun(exitCode, stdout, stderr);
}

function parseRun(exitCode: number, stdout: string, stderr: string): ActRun {
  const entries: LogEntry[] = [];
  const text: string[] = [];
  for (const line of (stdout + '\n' + stderr).split('\n')) {
    if (!line.trim()) continue;
    let e: LogEntry | undefined;
    if (line.startsWith('{')) {
      try {
        e = JSON.parse(line) as LogEntry;
      } catch {
        e = undefined;
      }
    }
    if (!e) {
      text.push(line);
      continue;
    }
    entries.push(e);
    if (e.level !== 'debug') text.push(`[${e.jobID ?? '-'}${e.stepID ? `/${e.stepID.join('.')}` : ''}] ${e.msg.replace(/\n$/, '')}`);
  }
  const steps: ActStep[] = entries
    .filter((e) => e.stepResult && e.stepID && e.jobID)
    .map((e) => ({
      jobID: e.jobID!,
      matrix: e.matrix ?? {},
      stage: e.stage ?? '',
      stepID: e.stepID!.join('.'),
      step: e.step ?? '',
      result: e.stepResult!,
    }));
  const jobs = entries
    .filter((e) => e.jobResult && e.jobID)
    .map((e) => ({ jobID: e.jobID!, matrix: e.matrix ?? {}, result: e.jobResult! }));
  const isStep = (e: LogEntry, jobID: string, stepID: string) => e.jobID === jobID && e.stepID?.join('.') === stepID;
  const nodes = entries
    .map((e) => /^executing remote job container: \[(\S+) /.exec(e.msg)?.[1])
    .filter((n): n is string => n !== undefined);
  return {
    exitCode,
    steps,
    jobs,
    outputs(jobID, stepID) {
      const out: Record<string, string> = {};
      for (const e of entries) {
        if (isStep(e, jobID, stepID) && e.command === 'set-output' && e.name !== undefined) out[e.name] = e.arg ?? '';
      }
      return out;
    },
    printed(jobID, stepID, stage) {
      return entries
        .filter((e) => isStep(e, jobID, stepID) && e.raw_output && (stage === undefined || e.stage === stage))
        .map((e) => e.msg)
        .join('');
    },
    nodes,
    log: text.join('\n'),
  };
}

/** `{"<stage> <step id>": result}` of one job (one matrix run of it: the last one seen), for toEqual. */
export function stepResults(r: ActRun, jobID: string): Record<string, StepResultName> {
  const out: Record<string, StepResultName> = {};
  for (const s of r.steps) if (s.jobID === jobID && s.stage !== 'Pre') out[`${s.stage} ${s.stepID}`] = s.result;
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
