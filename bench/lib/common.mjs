// Shared helpers of the benchmarks: the infrastructure's environment, running the bundled action the
// way the GitHub runner does (INPUT_* variables, GITHUB_OUTPUT file), timing and peak memory of child
// processes, and small statistics. Plain Node ESM, no build step.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import fileCommands from '../../scripts/lib/file-commands.cjs';
import buildLock from '../../scripts/lib/build-lock.cjs';

const { parseFileCommands } = fileCommands;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { parse: parseYaml } = require('yaml');

/**
 * Starts a helper server (`node script ...args`) that prints one JSON line (its address) on stdout
 * once it listens; resolves with that JSON and a `stop()` that kills it and waits for it to exit.
 */
export async function startServer(script, args, name) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const info = await new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${err}`)));
  });
  return { info, stop: () => stopChild(child) };
}

/** SIGTERM to a child server; resolves once it has exited. */
export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The environment of `scripts/infra.sh env` (registries, BuildKit, flytekit's Python), once. */
let infraEnv;
export function infra() {
  if (infraEnv) return infraEnv;
  infraEnv = {};
  const text = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'env'], { encoding: 'utf8' });
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) infraEnv[line.slice(0, i)] = line.slice(i + 1);
  }
  // Whatever the caller exported wins (e.g. a different flytekit interpreter).
  for (const k of Object.keys(infraEnv)) if (process.env[k]) infraEnv[k] = process.env[k];
  return infraEnv;
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `imagespec-bench-${prefix}-`));
}

const MAXRSS_PRELOAD = path.join(REPO_ROOT, 'bench/lib/maxrss.cjs');

/**
 * Runs a Node script as a child and measures it from spawn to exit. With `rss: true` a preloaded
 * script (bench/lib/maxrss.cjs) reports the child's own peak RSS at exit; the timed runs go without
 * it so that they time exactly `node <script>`.
 */
export async function runNode(script, { args = [], env = {}, cwd = REPO_ROOT, rss = false, node = process.execPath } = {}) {
  const nodeArgs = [];
  let rssFile;
  if (rss) {
    rssFile = path.join(os.tmpdir(), `imagespec-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    nodeArgs.push('--require', MAXRSS_PRELOAD);
  }
  const started = performance.now();
  const child = spawn(node, [...nodeArgs, script, ...args], {
    cwd,
    env: { ...env, ...(rss ? { IMAGESPEC_BENCH_RSS_FILE: rssFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exitCode = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const ms = performance.now() - started;
  let maxRssKb;
  if (rssFile) {
    maxRssKb = Number(fs.readFileSync(rssFile, 'utf8'));
    fs.rmSync(rssFile, { force: true });
  }
  return { exitCode, ms, maxRssKb, stdout, stderr };
}

/**
 * A private copy of action.yml and dist/, taken once per process: what every run of this process
 * measures, even while someone runs `npm run build` (which empties dist/ first) in the same tree.
 */
let snapshot;

/** Every file under `dir` with its size and mtime, to tell whether it changed. */
function listing(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        out.push(`${path.relative(dir, p)}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

export function actionDir() {
  if (snapshot) return snapshot;
  snapshot = snapshotAction(REPO_ROOT);
  const dir = snapshot;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return snapshot;
}

/**
 * Copies action.yml and dist/ of the checkout `root` into a new temporary directory, once no build
 * of that checkout is writing dist/: while `npm run build` there holds its lock
 * (scripts/lib/build-lock.cjs), or dist/ changed in the last 3 s or while copying, it waits and
 * tries again, at most `timeoutMs`. Builds of other checkouts, and any other process, are no reason
 * to wait. Returns the directory; the caller removes it.
 */
export function snapshotAction(root, { timeoutMs = 300_000, pollMs = 2000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const dist = path.join(root, 'dist');
  const building = () => {
    const holder = buildLock.lockHolder(root);
    return holder ? `npm run build of this checkout is running (pid ${holder.pid})` : undefined;
  };
  for (;;) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imagespec-bench-action-'));
    try {
      // A build in progress, or one that just ended, would give a mix of old and new files.
      const running = building();
      if (running) throw new Error(running);
      const before = listing(dist);
      const newest = Math.max(...before.map((l) => Number(l.split(':').pop())));
      if (Date.now() - newest < 3000) throw new Error('dist/ changed in the last 3 s');
      fs.copyFileSync(path.join(root, 'action.yml'), path.join(dir, 'action.yml'));
      const runs = parseYaml(fs.readFileSync(path.join(dir, 'action.yml'), 'utf8')).runs;
      fs.cpSync(dist, path.join(dir, 'dist'), { recursive: true });
      for (const script of [runs.main, runs.post].filter(Boolean)) fs.statSync(path.join(dir, script));
      if (building() || listing(dist).join('\n') !== before.join('\n')) throw new Error('dist/ changed while copying');
      return dir;
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`no complete dist/ to benchmark (run npm run build): ${e.message}`, { cause: e });
      execFileSync('sleep', [String(pollMs / 1000)]); // someone is rebuilding dist/: wait for it
    }
  }
}

let manifest;
function actionManifest() {
  manifest ??= parseYaml(fs.readFileSync(path.join(actionDir(), 'action.yml'), 'utf8'));
  return manifest;
}
const actionInputs = () => actionManifest().inputs ?? {};

/**
 * Runs the action's `main` (dist/index.js) or `post` step as the runner would: INPUT_* from action.yml defaults and
 * `inputs`, fresh GITHUB_OUTPUT/STATE/ENV/SUMMARY files, the workspace as working directory.
 */
export async function runAction({ workspace, inputs = {}, env = {}, rss = false, step = 'main', state = {}, node } = {}) {
  const files = tempDir('runner');
  const full = fileCommands.runnerEnv(workspace, files, files);
  for (const [k, v] of Object.entries(state)) full[`STATE_${k}`] = v;
  for (const [name, spec] of Object.entries(actionInputs())) {
    full[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  }
  for (const name of Object.keys(inputs)) if (!(name in actionInputs())) throw new Error(`input '${name}' is not in action.yml`);
  Object.assign(full, env);
  const script = path.join(actionDir(), actionManifest().runs[step]);
  const r = await runNode(script, { env: full, cwd: workspace, rss, node });
  const read = (n) => fs.readFileSync(path.join(files, n), 'utf8');
  const result = { ...r, outputs: parseFileCommands(read('output')), state: parseFileCommands(read('state')) };
  fs.rmSync(files, { recursive: true, force: true });
  return result;
}

/** The `images` output, or an error that shows what the action said. */
export function imagesOf(r) {
  if (r.outputs.images === undefined) {
    throw new Error(`the action set no images output (exit ${r.exitCode})\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return JSON.parse(r.outputs.images);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const fmtMs = (ms) =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
export const fmtMb = (kb) => `${(kb / 1024).toFixed(0)} MiB`;
export const fmtBytes = (b) =>
  b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(0)} KiB` : `${b} B`;
export const fmtRatio = (x) => `${x.toFixed(2)}×`;

/** Standalone use of one benchmark module: `node bench/<name>.mjs [--tiny]` prints its rows. */
export async function runStandalone(run, argv = process.argv.slice(2)) {
  const { printTable } = await import('./table.mjs');
  const rows = await run({ tiny: argv.includes('--tiny') });
  printTable(rows);
}

/** Machine description for the results. */
export function machine() {
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/**
 * Runs the Python side of a benchmark (`bench/<script>` with `args`); resolves with the JSON it
 * prints on stdout plus `wallMs`, the process's wall time.
 */
export function runPythonJson(python, script, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(python, [path.join(REPO_ROOT, 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${err.slice(-3000)}`));
      resolve({ ...JSON.parse(out), wallMs });
    });
  });
}
