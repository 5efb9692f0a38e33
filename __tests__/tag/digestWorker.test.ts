/**
 * Source roots hashed by the worker thread (built with ncc as scripts/build.mjs builds
 * dist/digest/index.js) must give the digests the planner's own thread gives, and every root the
 * worker cannot hash (special files, links out of the repository, missing roots) must fail exactly
 * as before: the planner computes those itself.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findSpecFiles } from '../../src/discover/specFiles';
import { planImages, planImagesAsync } from '../../src/plan/plan';
import { fsDigests } from '../../src/tag/fsDigests';
import { workspace } from '../support/fixtures';

const repo = path.resolve(__dirname, '../..');
let tmp: string;
let script: string;
let ws: string;

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'digest-worker-')));
  const ncc = path.join(repo, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
  const out = path.join(tmp, 'digest');
  execFileSync(process.execPath, [ncc, 'build', path.join(repo, 'src/tag/digestWorker.ts'), '-o', out, '-t', '-m', '-q'], { cwd: repo });
  script = path.join(out, 'index.js');

  const files: Record<string, string> = { '.gitignore': '*.log\n' };
  for (let i = 0; i < 6; i++) {
    files[`r${i}/pkg/mod.py`] = `x = ${i}\n`;
    files[`r${i}/pkg/debug.log`] = 'log\n';
    files[`r${i}/.dockerignore`] = i % 2 === 0 ? '*.md\n' : '';
    files[`r${i}/README.md`] = 'readme\n';
  }
  files['fifo/a.py'] = '';
  files['escape/a.py'] = '';
  ws = workspace(files, 'digest-worker-ws-');
  execFileSync('git', ['init', '-q', ws]);
  execFileSync('mkfifo', [path.join(ws, 'fifo/pipe')]);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret\n');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(ws, 'escape/out'));
}, 120_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(ws, { recursive: true, force: true });
});

/** The digest, or the error's text as the planner reports it. */
function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message} [${(e as { field?: string }).field}]`;
  }
}

test('the worker hashes what the planner hashes, and leaves failures to the planner', async () => {
  const roots = ['r0', 'r1', './r2', 'r3/', `${ws}/r4`, 'r5/pkg/..', 'fifo', 'escape', 'missing', '.'];
  const worker = fsDigests(ws, ws, { digestWorker: script });
  await Promise.all(roots.map((r) => worker.prepare!(r, 'all')));
  const here = fsDigests(ws, ws, { digestWorker: null });
  const want = roots.map((r) => outcome(() => here.sourceRoot(r, 'all')));
  expect(want.filter((w) => /^[0-9a-f]{32}$/.test(w))).toHaveLength(6);

  // Changed after the worker hashed: what comes back is what the worker computed, not a fresh digest.
  fs.writeFileSync(path.join(ws, 'r0/pkg/mod.py'), 'x = "changed"\n');
  try {
    const got = roots.map((r) => outcome(() => worker.sourceRoot(r, 'all')));
    expect(got).toEqual(want);
    expect(outcome(() => here.sourceRoot('r0', 'all'))).not.toEqual(want[0]);
  } finally {
    fs.writeFileSync(path.join(ws, 'r0/pkg/mod.py'), 'x = 0\n');
  }
});

test('a plan hashed by the worker names every image as the planner alone does, errors included', async () => {
  try {
    const roots = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'fifo', 'escape', 'missing'];
    roots.forEach((r, i) =>
      fs.writeFileSync(path.join(ws, `s${i}.yaml`), `name: s${i}\nregistry: ghcr.io/acme\nsource_root: ${r}\nsource_copy_mode: all\n`),
    );
    const files = await findSpecFiles('s*.yaml', ws);
    const opts = { cwd: ws, hostMachine: 'x86_64' };
    const viaWorker = await planImagesAsync(files, { ...opts, digests: fsDigests(ws, ws, { digestWorker: script }) }, () => undefined);
    const alone = planImages(files, { ...opts, digests: fsDigests(ws, ws, { digestWorker: null }) });
    const summary = (r: typeof alone) => ({ images: r.images.map((p) => p.image), errors: r.errors.map((e) => e.describe()) });
    expect(summary(viaWorker)).toEqual(summary(alone));
    expect(alone.errors).toHaveLength(3);
  } finally {
    for (const f of fs.readdirSync(ws)) if (/^s\d+\.yaml$/.test(f)) fs.rmSync(path.join(ws, f));
  }
});
