// Benchmark 5, ImageSpecs written in Python: a project of N modules (packages of 30: an images
// module with literal, constant, environment, f-string and `.with_*()` specs, and task modules
// using them) planned by the bundled action's static engine (`mode: plan`), against flytekit
// itself importing every module and naming every task's image (bench/flytekit_task_images.py: what
// `pyflyte register` does before it builds), in the same run, alternately. Every name is compared.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, fmtRatio, imagesOf, infra, median, runAction, runPythonJson, runStandalone, tempDir } from './lib/common.mjs';

export const TARGET_SPEEDUP = 10;
const PER_PACKAGE = 30;

/** Writes the project under `dir`; returns its module names. */
export function writeProject(dir, n) {
  const modules = [];
  const packages = Math.max(1, Math.ceil(n / PER_PACKAGE));
  for (let p = 0; p < packages; p++) {
    const pkg = `svc${String(p).padStart(2, '0')}`;
    const root = path.join(dir, pkg);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, '__init__.py'), '');
    fs.writeFileSync(path.join(root, 'constants.py'), `REGISTRY = "ghcr.io/acme/${pkg}"\nPY = "3.11"\nPANDAS = "pandas==2.2.${p % 3}"\n`);
    fs.writeFileSync(
      path.join(root, 'images.py'),
      [
        'import os',
        'from flytekit import ImageSpec',
        'from .constants import REGISTRY, PY, PANDAS',
        `base = ImageSpec(name="${pkg}-base", registry=os.getenv("BENCH_REGISTRY", REGISTRY), python_version=PY, packages=[PANDAS, "numpy"])`,
        'gpu = base.with_packages(["torch"]).with_apt_packages(["curl"])',
        `tools = ImageSpec(name=f"${pkg}-{'tools'}", registry=REGISTRY, env={"LEVEL": "info"}, commands=["echo ready"])`,
        'images = [base, gpu, tools]',
        '',
      ].join('\n'),
    );
    modules.push(`${pkg}.constants`, `${pkg}.images`);
    const taskModules = Math.min(PER_PACKAGE - 2, n - modules.length);
    for (let m = 0; m < taskModules; m++) {
      const mod = `tasks${m}`;
      fs.writeFileSync(
        path.join(root, `${mod}.py`),
        [
          'from flytekit import task',
          'from .images import base, gpu, images',
          '@task(container_image=base)',
          `def prep_${m}(n: int) -> int:`,
          '    return n',
          `@task(container_image=${m % 3 === 0 ? 'gpu' : 'images[2]'})`,
          `def train_${m}(n: int) -> int:`,
          '    return n',
          `@task(container_image=base.with_packages(["lib-${m}"]))`,
          `def extra_${m}(n: int) -> int:`,
          '    return n',
          '',
        ].join('\n'),
      );
      modules.push(`${pkg}.${mod}`);
    }
  }
  return modules;
}

/** Both sides on one project, alternately: wall times, and the task images each named. */
async function measure(python, n, runs) {
  const work = tempDir('pyplan');
  try {
    const modules = writeProject(work, n);
    const inputs = { specs: '**/*.py', mode: 'plan' };
    const actionRuns = [];
    const pyRuns = [];
    for (let i = 0; i < runs; i++) {
      const r = await runAction({ workspace: work, inputs });
      if (r.exitCode !== 0) throw new Error(`action plan failed (exit ${r.exitCode})\n${r.stdout.slice(-3000)}`);
      actionRuns.push(r);
      pyRuns.push(
        await runPythonJson(python, 'flytekit_task_images.py', [work, ...modules], {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PYTHONDONTWRITEBYTECODE: '1',
        }),
      );
    }
    const ours = new Set(
      imagesOf(actionRuns[0])
        .filter((im) => im.status === 'planned')
        .map((im) => `${im.image} ${im.id}`),
    );
    const theirs = new Set(Object.values(pyRuns[0].tasks).map(([image, id]) => `${image} ${id}`));
    return {
      modules: modules.length,
      tasks: Object.keys(pyRuns[0].tasks).length,
      flytekit: pyRuns[0].flytekit,
      actionMs: median(actionRuns.map((r) => r.ms)),
      pyMs: median(pyRuns.map((p) => p.wallMs)),
      importMs: median(pyRuns.map((p) => p.import_ms)),
      distinct: theirs.size,
      missing: [...theirs].filter((t) => !ours.has(t)),
      samples: { actionMs: actionRuns.map((r) => r.ms), flytekitMs: pyRuns.map((p) => p.wallMs) },
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export async function run({ tiny = false } = {}) {
  const [small, large] = tiny ? [3, 10] : [30, 300];
  const runs = tiny ? 1 : 3;
  const python = infra().IMAGESPEC_FLYTEKIT_PYTHON;
  if (!python) throw new Error('IMAGESPEC_FLYTEKIT_PYTHON is not set (scripts/infra.sh env)');
  const s = await measure(python, small, runs);
  const l = await measure(python, large, runs);
  // Fixed cost and cost per module of each side, from the two sizes: the ratio of the slopes is
  // the most either side's speed-up can approach on large projects.
  const per = (a, b) => (b - a) / (l.modules - s.modules);
  const actionPer = per(s.actionMs, l.actionMs);
  const pyPer = per(s.pyMs, l.pyMs);
  const bench = `Python specs (${l.modules} modules, ${l.tasks} tasks)`;
  return [
    {
      bench,
      measure: `wall time, static engine (medians of ${runs}) vs flytekit importing the modules`,
      value: fmtMs(l.actionMs),
      baseline: `${fmtMs(l.pyMs)} flytekit ${l.flytekit} (${fmtMs(l.importMs)} of it importing flytekit)`,
      ratio: `${fmtRatio(l.pyMs / l.actionMs)} faster`,
      target: `≥ ${TARGET_SPEEDUP}× faster`,
      met: l.pyMs / l.actionMs >= TARGET_SPEEDUP,
      data: l.samples,
    },
    {
      bench,
      measure: `per module (slope, ${s.modules} → ${l.modules} modules) / fixed cost`,
      value: `${actionPer.toFixed(2)} ms / ${fmtMs(s.actionMs - actionPer * s.modules)}`,
      baseline: `${pyPer.toFixed(2)} ms / ${fmtMs(s.pyMs - pyPer * s.modules)}`,
      ratio: `${fmtRatio(pyPer / actionPer)} per module`,
      data: { small: s.samples, smallModules: s.modules },
    },
    {
      bench,
      measure: 'task images named as flytekit names them',
      value: `${l.distinct - l.missing.length}/${l.distinct}`,
      target: 'all',
      met: l.missing.length === 0 && s.missing.length === 0 && l.distinct > 0,
      data: { distinct: l.distinct, missing: [...s.missing, ...l.missing].slice(0, 20) },
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
