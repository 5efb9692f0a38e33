// Benchmark 2, plan at scale: N spec files, a quarter of them with a `source_root` tree of 200
// files (hashed: `source_copy_mode: all`; with flytekit's default LOADED_MODULES the `--image
// spec.yaml` flow hashes no file at all), a quarter with a requirements file. Wall time and peak RSS
// of the bundled action in `mode: plan`, against flytekit 1.16.24 itself computing the same image
// names in one Python process (bench/flytekit_tags.py), in the same run; every name is compared.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMb, fmtMs, fmtRatio, imagesOf, infra, median, runAction, runPythonJson, runStandalone, tempDir } from './lib/common.mjs';

export const TARGET_SPEEDUP = 5;

/** Writes the specs and their files under `dir`; returns the spec paths relative to it. */
export function writeWorkspace(dir, { n, filesPerTree }) {
  const pad = (i) => String(i).padStart(4, '0');
  const files = [];
  // A CI checkout is a git work tree, and flytekit's GitIgnore asks git about every source_root.
  execFileSync('git', ['init', '-q', dir]);
  fs.writeFileSync(path.join(dir, '.gitignore'), '*.log\nbuild/\n');
  fs.mkdirSync(path.join(dir, 'specs'));
  fs.mkdirSync(path.join(dir, 'reqs'));
  for (let i = 0; i < n; i++) {
    const lines = [`name: svc-${pad(i)}`, 'registry: ghcr.io/acme', 'python_version: "3.11"'];
    if (i % 4 === 0) {
      // A small Python project: packages of 20 modules, plus the litter flytekit's ignore rules drop.
      const root = path.join('trees', `t${pad(i)}`);
      for (let f = 0; f < filesPerTree; f++) {
        const sub = path.join(dir, root, `pkg${Math.floor(f / 20)}`);
        if (f % 20 === 0) fs.mkdirSync(sub, { recursive: true });
        fs.writeFileSync(path.join(sub, `mod${f % 20}.py`), `# module ${f} of tree ${i}\n${'x = 1\n'.repeat(40 + (f % 7))}`);
      }
      fs.mkdirSync(path.join(dir, root, 'pkg0', '__pycache__'));
      fs.writeFileSync(path.join(dir, root, 'pkg0', '__pycache__', 'mod0.cpython-311.pyc'), 'compiled');
      fs.writeFileSync(path.join(dir, root, 'pkg0', 'debug.log'), 'log');
      lines.push(`source_root: ${root}`, 'source_copy_mode: all');
    } else if (i % 4 === 1) {
      const req = path.join('reqs', `r${pad(i)}.txt`);
      fs.writeFileSync(path.join(dir, req), `pandas==2.2.${i % 3}\nscikit-learn>=1.4\n# spec ${i}\n`);
      lines.push(`requirements: ${req}`);
    } else {
      lines.push(
        'packages:',
        '  - numpy==1.26.4',
        `  - svc-lib-${i}>=1.0`,
        'apt_packages: [git, curl]',
        'env:',
        `  SERVICE: "svc-${i}"`,
        '  THREADS: 4',
      );
      if (i % 4 === 3) lines.push(`tag_format: "{spec_hash}-v${i % 10}"`, 'commands:', '  - echo "ready"');
    }
    const file = path.join('specs', `svc-${pad(i)}.yaml`);
    fs.writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
    files.push(file);
  }
  return files;
}

export async function run({ tiny = false } = {}) {
  const n = tiny ? 5 : 1000;
  const filesPerTree = tiny ? 20 : 200;
  const runs = tiny ? 1 : 3;
  const pyRunsWanted = tiny ? 1 : 2; // flytekit takes ~10 s a run
  const python = infra().IMAGESPEC_FLYTEKIT_PYTHON;
  if (!python) throw new Error('IMAGESPEC_FLYTEKIT_PYTHON is not set (scripts/infra.sh env)');
  const work = tempDir('plan');
  try {
    const files = writeWorkspace(work, { n, filesPerTree });
    const inputs = { specs: 'specs/*.yaml', mode: 'plan' };
    // Alternately (action, flytekit, action, …), so that both see the same machine load.
    const actionRuns = [];
    const pyRuns = [];
    for (let i = 0; i < runs; i++) {
      const r = await runAction({ workspace: work, inputs, rss: true });
      if (r.exitCode !== 0) throw new Error(`action plan failed (exit ${r.exitCode})\n${r.stdout.slice(-3000)}`);
      actionRuns.push(r);
      if (i < pyRunsWanted) pyRuns.push(await runPythonJson(python, 'flytekit_tags.py', [work, ...files]));
    }
    const images = imagesOf(actionRuns[0]);
    const py = pyRuns[0];
    const pyLoopMs = median(pyRuns.map((p) => p.loop_ms));
    const pyImportMs = median(pyRuns.map((p) => p.import_ms));
    const pyWallMs = median(pyRuns.map((p) => p.wallMs));

    // Identical names, file by file.
    const ours = new Map(images.map((im) => [im.file, im.image]));
    const mismatches = [];
    for (const f of files) {
      if (ours.get(f) !== py.images[f]) mismatches.push({ file: f, action: ours.get(f), flytekit: py.images[f] });
    }
    const a = median(actionRuns.map((r) => r.ms));
    const rss = Math.max(...actionRuns.map((r) => r.maxRssKb));
    const loopRatio = pyLoopMs / a;
    const wallRatio = pyWallMs / a;
    const bench = `plan (${n} specs, ${Math.ceil(n / 4)} with ${filesPerTree}-file source_root)`;
    return [
      {
        bench,
        measure: `wall time (medians of ${runs} and ${pyRuns.length}) vs flytekit's loop`,
        value: fmtMs(a),
        baseline: `${fmtMs(pyLoopMs)} flytekit ${py.flytekit} (+${fmtMs(pyImportMs)} import)`,
        ratio: `${fmtRatio(loopRatio)} faster (${fmtRatio(wallRatio)} with import)`,
        target: `≥ ${TARGET_SPEEDUP}× faster`,
        met: loopRatio >= TARGET_SPEEDUP,
        data: {
          actionMs: actionRuns.map((r) => r.ms),
          flytekitLoopMs: pyLoopMs,
          flytekitImportMs: pyImportMs,
          flytekitWallMs: pyWallMs,
          flytekitRuns: pyRuns.map((p) => ({ loopMs: p.loop_ms, importMs: p.import_ms, wallMs: p.wallMs })),
        },
      },
      {
        bench,
        measure: 'peak RSS',
        value: fmtMb(rss),
        baseline: `${fmtMb(Math.max(...pyRuns.map((p) => p.maxrss_kb)))} flytekit`,
        data: { actionRssKb: rss, flytekitRssKb: Math.max(...pyRuns.map((p) => p.maxrss_kb)) },
      },
      {
        bench,
        measure: 'image names identical to flytekit',
        value: `${n - mismatches.length}/${n}`,
        target: 'all',
        met: mismatches.length === 0,
        data: { n, compared: files.length, mismatches: mismatches.slice(0, 20), mismatchCount: mismatches.length },
      },
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
