/**
 * Generated Python projects (projects.ts), read by the static engine and imported by flytekit
 * 1.16.24 as pyflyte does with fast registration: every task's image name and `id` must equal
 * flytekit's; every ImageSpec flytekit holds in module globals must be found with the same name
 * and id; an unsupported construct must be refused exactly where it is written; a project
 * flytekit refuses must be refused by the static engine as invalid. At least 1,000 projects (3,000
 * modules and more) a run.
 *
 * The exact engine reads the same projects, all in one interpreter run as one `pyflyte register`
 * of many packages would (each project has its own environment variables, so one environment
 * serves them all): it must give flytekit's names for every project flytekit accepts, including
 * those the static engine refuses, and an import error located in every project it refuses.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findPythonImageSpecs } from '../../src/python';
import { evaluateWithFlytekit } from '../../src/exact/flytekit';
import { KEY_RE } from '../../src/plan/keys';
import { SpecError } from '../../src/errors';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { fcSeed, flytekitPython, runs } from '../differential/oracle';
import { makeProject, Project, projectSeeds } from './projects';
import { ProjectAnswer, ProjectOracle } from './pyOracle';

const SEED = fcSeed();
let oracle: ProjectOracle;
let root: string;

beforeAll(() => {
  oracle = new ProjectOracle();
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pystatic-diff-')));
  console.log(`python differential: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces)`);
});

afterAll(async () => {
  await oracle?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

interface Named {
  image_name: string;
  id: string;
}

function name(spec: Parameters<typeof computeTag>[0]): Named {
  return { image_name: computeTag(spec, fsDigests(root, root)).imageName, id: specId(spec) };
}

/** undefined when the two sides agree; otherwise what differs. */
function compare(p: Project, a: ProjectAnswer, counts: Record<string, number>): string | undefined {
  const files = Object.keys(p.files).filter((f) => f.endsWith('.py'));
  const env = Object.fromEntries(Object.entries(p.env).filter(([, v]) => v !== null)) as Record<string, string>;
  const r = findPythonImageSpecs(files, { root, env, hostMachine: 'x86_64' });
  for (const s of r.specs) if (!KEY_RE.test(s.key)) return `key ${JSON.stringify(s.key)} breaks the key rule`;
  if (new Set(r.specs.map((s) => s.key)).size !== r.specs.length) return 'duplicate keys';
  const errs = r.errors.map((e) => `${e.reason} ${e.describe()} (col ${e.col})`).join('\n');

  if (p.invalid) {
    if (a.ok) return `flytekit accepted the invalid construct ${p.invalid}`;
    if (!r.errors.some((e) => e.reason === 'invalid'))
      return `flytekit refuses (${a.type}: ${a.message}) but the static engine reports no invalid spec:\n${errs}`;
    counts.invalid++;
    return undefined;
  }
  if (p.unsupportedAt) {
    // Refused exactly where it is written, whether or not flytekit would accept the value.
    const u = p.unsupportedAt;
    const hit = r.errors.find((e) => e.reason === 'unsupported' && e.file === u.file && e.line === u.line && e.col === u.col);
    if (!hit) return `expected an unsupported error at ${u.file}:${u.line}:${u.col} for ${u.what}; got:\n${errs}`;
    counts.unsupported++;
    if (!a.ok) return undefined;
  }
  if (!a.ok) return `flytekit refused: ${a.type}: ${a.message}\n${a.tb}`;
  if (!p.unsupportedAt && r.errors.length > 0) return `unexpected errors:\n${errs}`;

  // Every task flytekit names: the same image, unless the static engine refused its spec.
  const byTask = new Map<string, Named>();
  for (const s of r.specs) {
    let n: Named;
    try {
      n = name(s.spec);
    } catch (e) {
      if (e instanceof SpecError) return `naming ${s.key} failed: ${e.describe()}`;
      throw e;
    }
    for (const t of s.usedBy) byTask.set(t, n);
  }
  for (const [task, want] of Object.entries(a.tasks)) {
    const got = byTask.get(task);
    if (!got) {
      if (p.unsupportedAt) continue;
      return `task ${task} not found (flytekit: ${want.image_name})`;
    }
    if (got.image_name !== want.image_name || got.id !== want.id) {
      return `task ${task}: flytekit ${want.image_name} id ${want.id}, static ${got.image_name} id ${got.id}`;
    }
    counts.tasks++;
  }
  for (const task of byTask.keys()) if (!(task in a.tasks)) return `task ${task} found, but flytekit has no such task image`;
  // Every spec flytekit holds in module globals is found with the same name and id.
  const ours = new Set(r.specs.map((s) => JSON.stringify(name(s.spec))));
  for (const s of a.specs) {
    if (!ours.has(JSON.stringify({ image_name: s.image_name, id: s.id }))) {
      if (p.unsupportedAt) continue;
      return `module-level spec ${s.image_name} (id ${s.id}) not found`;
    }
    counts.specs++;
  }
  counts.unused += r.specs.filter((s) => !s.used).length;
  return undefined;
}

interface Generated {
  projects: Project[];
  answers: ProjectAnswer[];
}

/** The projects, written under `root`, and flytekit's answers: made once, read by both tests. */
let generated: Promise<Generated> | undefined;
function generate(): Promise<Generated> {
  generated ??= (async () => {
    const seeds = fc.sample(projectSeeds, { seed: SEED, numRuns: runs(1000) });
    const projects = seeds.map((s, i) => makeProject(s, `p${(SEED >>> 0).toString(36)}_${i}`));
    for (const p of projects) {
      for (const [rel, text] of Object.entries(p.files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), text);
      }
    }
    const answers: ProjectAnswer[] = [];
    const BATCH = 100;
    for (let i = 0; i < projects.length; i += BATCH) {
      const chunk = projects.slice(i, i + BATCH);
      answers.push(...(await Promise.all(chunk.map((p) => oracle.ask({ root, modules: p.modules, env: p.env })))));
    }
    return { projects, answers };
  })();
  return generated;
}

function describeProject(p: Project, diff: string): string {
  const src = Object.entries(p.files)
    .filter(([, t]) => t)
    .map(([f, t]) => `--- ${f}\n${t}`)
    .join('');
  return `project ${p.pkg} (env ${JSON.stringify(p.env)}):\n${diff}\n${src}`;
}

test('static names of generated Python projects equal flytekit’s; unsupported and invalid constructs are refused', async () => {
  const { projects, answers } = await generate();
  const counts = { projects: 0, modules: 0, tasks: 0, specs: 0, unused: 0, unsupported: 0, invalid: 0 };
  const failures: string[] = [];
  projects.forEach((p, i) => {
    counts.projects++;
    counts.modules += p.modules.length;
    const diff = compare(p, answers[i], counts);
    if (diff) failures.push(failures.length < 3 ? describeProject(p, diff) : p.pkg);
  });
  console.log(`python differential: ${JSON.stringify(counts)}`);
  if (failures.length) throw new Error(`seed ${SEED}: ${failures.length} projects differ; first:\n${failures.slice(0, 3).join('\n\n')}`);
  expect(counts.projects).toBeGreaterThanOrEqual(runs(1000));
  // The run must exercise every outcome, not mostly one.
  expect(counts.tasks).toBeGreaterThan(counts.projects / 2);
  expect(counts.unsupported).toBeGreaterThan(0);
  expect(counts.invalid).toBeGreaterThan(0);
}, 600_000);

test('the exact engine gives flytekit’s names for the same projects, in one interpreter run', async () => {
  const { projects, answers } = await generate();
  const env: Record<string, string> = {};
  for (const p of projects) for (const [k, v] of Object.entries(p.env)) if (v !== null) env[k] = v;
  const ev = await evaluateWithFlytekit({
    python: flytekitPython(),
    cwd: root,
    paths: projects.map((p) => p.pkg),
    copy: 'fast',
    env,
    limits: { timeoutMs: 8 * 60_000 },
  });
  const pkgOf = (dotted: string | undefined): string => (dotted ?? '').split('.')[0];
  const errorsByPkg = new Map<string, string[]>();
  for (const e of ev.errors) {
    const pkg = e.kind === 'import' ? pkgOf(e.module) : (e.file?.split('/')[0] ?? '');
    errorsByPkg.set(pkg, [...(errorsByPkg.get(pkg) ?? []), e.describe()]);
  }
  // Task names start with their package: `<pkg>.<module>.<function>`, or `<pkg>_…` for the generated ContainerTasks.
  const tasksByPkg = new Map<string, Map<string, Named>>();
  const specsByPkg = new Map<string, Set<string>>();
  for (const image of ev.images) {
    const named: Named = { image_name: image.imageName, id: image.id };
    for (const t of image.tasks) {
      const pkg = /^[^._]+_[0-9]+/.exec(t.task)?.[0] ?? '';
      if (!tasksByPkg.has(pkg)) tasksByPkg.set(pkg, new Map());
      tasksByPkg.get(pkg)!.set(t.task, named);
    }
    const pkg = pkgOf(image.source.module);
    if (!specsByPkg.has(pkg)) specsByPkg.set(pkg, new Set());
    specsByPkg.get(pkg)!.add(JSON.stringify(named));
  }

  const counts = { projects: 0, modules: 0, tasks: 0, specs: 0, refused: 0, staticUnsupported: 0 };
  const failures: string[] = [];
  projects.forEach((p, i) => {
    const a = answers[i];
    counts.projects++;
    counts.modules += p.modules.length;
    const errors = errorsByPkg.get(p.pkg) ?? [];
    const tasks = tasksByPkg.get(p.pkg) ?? new Map<string, Named>();
    let diff: string | undefined;
    if (!a.ok) {
      if (errors.length === 0) diff = `flytekit refuses (${a.type}: ${a.message}) but the exact engine reports no error`;
      else counts.refused++;
    } else if (errors.length > 0) {
      diff = `unexpected errors:\n${errors.join('\n')}`;
    } else {
      for (const [task, want] of Object.entries(a.tasks)) {
        const got = tasks.get(task);
        if (!got || got.image_name !== want.image_name || got.id !== want.id) {
          diff = `task ${task}: flytekit ${want.image_name} id ${want.id}, exact ${got ? `${got.image_name} id ${got.id}` : 'not found'}`;
          break;
        }
        counts.tasks++;
      }
      for (const task of tasks.keys()) if (!(task in a.tasks)) diff ??= `task ${task} found, but flytekit has no such task image`;
      for (const s of a.specs) {
        if (!specsByPkg.get(p.pkg)?.has(JSON.stringify({ image_name: s.image_name, id: s.id })))
          diff ??= `module-level spec ${s.image_name} (id ${s.id}) not found`;
        else counts.specs++;
      }
      if (!diff && p.unsupportedAt) counts.staticUnsupported++;
    }
    if (diff) failures.push(failures.length < 3 ? describeProject(p, diff) : p.pkg);
  });
  console.log(`python differential, exact engine: ${JSON.stringify(counts)} in ${ev.runs.map((r) => r.ms).join('+')} ms`);
  if (failures.length) throw new Error(`seed ${SEED}: ${failures.length} projects differ; first:\n${failures.slice(0, 3).join('\n\n')}`);
  expect(ev.runs).toHaveLength(1);
  expect(counts.modules).toBeGreaterThanOrEqual(runs(1000));
  expect(counts.tasks).toBeGreaterThan(counts.projects / 2);
  expect(counts.refused).toBeGreaterThan(0);
  // Projects the static engine refuses are named by the exact engine.
  expect(counts.staticUnsupported).toBeGreaterThan(0);
}, 900_000);
