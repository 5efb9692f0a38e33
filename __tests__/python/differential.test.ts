/**
 * Generated Python projects (projects.ts), read by the static engine and imported by flytekit
 * 1.16.24 as pyflyte does with fast registration: every task's image name and `id` must equal
 * flytekit's; every ImageSpec flytekit holds in module globals must be found with the same name
 * and id; an unsupported construct must be refused exactly where it is written; a project
 * flytekit refuses must be refused by the static engine as invalid. At least 1,000 projects a run.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findPythonImageSpecs } from '../../src/python';
import { KEY_RE } from '../../src/plan/keys';
import { SpecError } from '../../src/errors';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { fcSeed, runs } from '../differential/oracle';
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

test('static names of generated Python projects equal flytekit’s; unsupported and invalid constructs are refused', async () => {
  const seeds = fc.sample(projectSeeds, { seed: SEED, numRuns: runs(1000) });
  const projects = seeds.map((s, i) => makeProject(s, `p${(SEED >>> 0).toString(36)}_${i}`));
  for (const p of projects) {
    for (const [rel, text] of Object.entries(p.files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
  }
  const counts = { projects: 0, tasks: 0, specs: 0, unused: 0, unsupported: 0, invalid: 0 };
  const failures: string[] = [];
  const BATCH = 100;
  for (let i = 0; i < projects.length; i += BATCH) {
    const chunk = projects.slice(i, i + BATCH);
    const answers = await Promise.all(chunk.map((p) => oracle.ask({ root, modules: p.modules, env: p.env })));
    chunk.forEach((p, j) => {
      counts.projects++;
      const diff = compare(p, answers[j], counts);
      if (diff && failures.length < 3) {
        const src = Object.entries(p.files)
          .filter(([, t]) => t)
          .map(([f, t]) => `--- ${f}\n${t}`)
          .join('');
        failures.push(`project ${p.pkg} (env ${JSON.stringify(p.env)}):\n${diff}\n${src}`);
      } else if (diff) failures.push(p.pkg);
    });
  }
  console.log(`python differential: ${JSON.stringify(counts)}`);
  if (failures.length) throw new Error(`seed ${SEED}: ${failures.length} projects differ; first:\n${failures.slice(0, 3).join('\n\n')}`);
  expect(counts.projects).toBeGreaterThanOrEqual(runs(1000));
  // The run must exercise every outcome, not mostly one.
  expect(counts.tasks).toBeGreaterThan(counts.projects / 2);
  expect(counts.unsupported).toBeGreaterThan(0);
  expect(counts.invalid).toBeGreaterThan(0);
}, 600_000);
