/**
 * A stand-in for the GitHub runner: runs the bundled action (`dist/`) as a child process with the
 * runner's contract (INPUT_* from action.yml defaults and `with`, fresh file-command files per
 * step, GITHUB_* variables, the workspace as working directory) and reads back what the action
 * said through it. It is how every end-to-end test drives the action.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ImageRecord } from '../../src/action/outputs';

/** The action's checkout; the demo runs a compiled copy of this file from elsewhere and says where. */
export const REPO_ROOT = process.env.IMAGESPEC_ACTION_DIR ?? path.resolve(__dirname, '..', '..');

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  props: Record<string, string>;
}

export interface StepResult {
  exitCode: number;
  outputs: Record<string, string>;
  env: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  masks: string[];
  groups: string[];
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunOptions {
  workspace: string;
  with?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Which node runs the bundle (the runner ships node20 and node24). */
  node?: string;
  step?: 'main' | 'post';
  /** STATE_* values saved by an earlier step. */
  state?: Record<string, string>;
  timeoutMs?: number;
}

interface ActionYml {
  inputs?: Record<string, { default?: string }>;
  runs: { main: string; post?: string };
}

export function actionManifest(): ActionYml {
  return parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

// A CommonJS helper shared with the benchmarks, loaded at run time from the checkout.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require(path.join(REPO_ROOT, 'scripts', 'lib', 'file-commands.cjs')) as {
  parseFileCommands: (text: string) => Record<string, string>;
  runnerEnv: (workspace: string, filesDir: string, runnerTemp: string) => Record<string, string>;
};
/** `NAME=VALUE` and `NAME<<DELIM … DELIM` lines, as the runner's file-command reader accepts them. */
export const parseFileCommands = shared.parseFileCommands;
/** The runner's step environment, with empty file-command files in `filesDir`. */
const runnerEnv = shared.runnerEnv;

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));

/** `::name k=v,k=v::data` on stdout or stderr. */
export function parseCommand(line: string): { name: string; props: Record<string, string>; data: string } | undefined {
  const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) props[kv.slice(0, eq)] = unescapeProp(kv.slice(eq + 1));
  }
  return { name: m[1], props, data: unescapeData(m[3]) };
}

export async function runStep(opts: RunOptions): Promise<StepResult> {
  const manifest = actionManifest();
  const step = opts.step ?? 'main';
  const script = step === 'main' ? manifest.runs.main : manifest.runs.post;
  if (!script) throw new Error(`action.yml declares no ${step} step`);
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-files-'));
  const env = runnerEnv(opts.workspace, files, fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')));
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    const value = opts.with?.[name] ?? spec.default ?? '';
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(opts.with ?? {})) {
    if (!(name in (manifest.inputs ?? {}))) throw new Error(`input '${name}' is not declared in action.yml`);
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const started = Date.now();
  const child = spawn(opts.node ?? process.execPath, [path.join(REPO_ROOT, script)], {
    cwd: opts.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15 * 60 * 1000);
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  clearTimeout(timer);

  const annotations: Annotation[] = [];
  const masks: string[] = [];
  const groups: string[] = [];
  for (const line of (stdout + '\n' + stderr).split(/\r?\n/)) {
    const cmd = parseCommand(line);
    if (!cmd) continue;
    if (cmd.name === 'error' || cmd.name === 'warning' || cmd.name === 'notice') {
      annotations.push({ level: cmd.name, message: cmd.data, props: cmd.props });
    } else if (cmd.name === 'add-mask') {
      masks.push(cmd.data);
    } else if (cmd.name === 'group') {
      groups.push(cmd.data);
    }
  }
  const read = (n: string) => fs.readFileSync(path.join(files, n), 'utf8');
  const result: StepResult = {
    exitCode,
    outputs: parseFileCommands(read('output')),
    env: parseFileCommands(read('env')),
    state: parseFileCommands(read('state')),
    summary: read('summary'),
    annotations,
    masks,
    groups,
    stdout,
    stderr,
    durationMs: Date.now() - started,
  };
  fs.rmSync(files, { recursive: true, force: true });
  return result;
}

/** The parsed `images` output: the action's own record type. */
export type ImageOut = ImageRecord;

export function imagesOf(r: StepResult): ImageOut[] {
  if (r.outputs.images === undefined) {
    throw new Error(`no images output; exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return JSON.parse(r.outputs.images) as ImageOut[];
}
