/**
 * The corpus of realistic Flyte projects (`__tests__/fixtures/python-corpus/<project>/`, each with
 * a `corpus.json`), through the bundled action in plan mode with both engines. flytekit itself
 * names every task image here, importing the modules as `pyflyte register` does; the action must
 * give the same names and ids, list the specs no task uses as unused and the hosted builder's as
 * external, key images by the rule, never read notebooks or test folders, and write nothing into
 * the repository.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEY_RE } from '../../src/plan/keys';
import { imagesOf, ImageOut, runStep, StepResult } from '../support/runner';
import { flytekitPython } from '../differential/oracle';
import { oracleAndProjects } from './pyOracle';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'python-corpus');

interface CorpusProject {
  about: string;
  /** The action's `specs` input. */
  specs: string;
  /** The code imports `union` (not installed beside flytekit): see `flytekitTwin`. */
  union?: boolean;
  /** What flytekit imports: each project root (relative to the repository) and its modules, as pyflyte loads them. */
  oracle: Array<{ root: string; modules: string[] }>;
  /** The step's environment variables for each run; a variable of another run is unset. */
  runs: Array<{ name: string; env: Record<string, string> }>;
  /** How many tasks flytekit finds with an ImageSpec as their image. */
  tasks: number;
  /** Every Python image key the action reports (the engines list them in different orders). */
  keys: string[];
  unused: string[];
  external: string[];
  /** Specs no task uses directly that a used spec builds on (`base_image`): planned, built first. */
  bases?: string[];
  /**
   * Bugs of an engine this project exposes, reported to the lead: until they are fixed, that
   * engine's cases assert only their symptoms (an error message, or an image's `key: status`,
   * matching `symptom`), so a fix makes them fail and its entry must then go.
   */
  knownBugs?: Array<{ engine: 'static' | 'exact'; symptom: string; about: string }>;
}

/** Every file of a fixture project, as text; corpus.json describes the project and is not part of it. */
function readProject(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const abs = path.join(dir, rel);
    if (rel !== 'corpus.json' && fs.statSync(abs).isFile()) files[rel.split(path.sep).join('/')] = fs.readFileSync(abs, 'utf8');
  }
  return files;
}

/**
 * `union` re-exports flytekit's ImageSpec and decorators, but it is not installed in the flytekit
 * venv (and the shared venv must not change). As in find.test.ts, flytekit names the project's twin
 * whose `union` imports are flytekit's; the exact engine, which imports the code, also runs on the
 * twin. The static engine reads the real `union` code.
 */
function flytekitTwin(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([rel, text]) => [
      rel,
      rel.endsWith('.py')
        ? text.replace(/^import union$/gm, 'import flytekit as union').replace(/^from union import /gm, 'from flytekit import ')
        : text,
    ]),
  );
}

/** Each file's path and content digest: the action must leave the repository as it found it. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of (fs.readdirSync(root, { recursive: true }) as string[]).sort()) {
    const abs = path.join(root, rel);
    out[rel] = fs.lstatSync(abs).isFile() ? createHash('sha256').update(fs.readFileSync(abs)).digest('hex') : 'dir';
  }
  return out;
}

const projects: Array<[string, CorpusProject]> = fs
  .readdirSync(CORPUS)
  .filter((name) => fs.statSync(path.join(CORPUS, name)).isDirectory())
  .sort()
  .map((name) => [name, JSON.parse(fs.readFileSync(path.join(CORPUS, name, 'corpus.json'), 'utf8')) as CorpusProject]);

const ENGINES: Array<['static' | 'exact', () => string]> = [
  ['static', () => ''],
  ['exact', () => flytekitPython()],
];

const { ask, project } = oracleAndProjects('python-corpus-');

/** flytekit's image of every task, as `image id`, importing each project root's modules. */
async function flytekitTasks(root: string, p: CorpusProject, env: Record<string, string | null>) {
  const tasks: Record<string, string> = {};
  const specs = new Set<string>();
  for (const o of p.oracle) {
    const a = await ask({ root: path.join(root, o.root), modules: o.modules, env });
    if (!a.ok) throw new Error(`flytekit refused ${o.root}: ${a.type}: ${a.message}\n${a.tb}`);
    for (const [t, v] of Object.entries(a.tasks)) tasks[`${o.root}:${t}`] = `${v.image_name} ${v.id}`;
    for (const s of a.specs) specs.add(`${s.image_name} ${s.id}`);
  }
  return { tasks, specs };
}

/** Keys seen per project, across engines and runs: they must not move. */
const seenKeys = new Map<string, string[]>();

test('the corpus has 8 to 10 projects, one run of them with its registry variable set and unset', () => {
  expect(projects.length).toBeGreaterThanOrEqual(8);
  expect(projects.length).toBeLessThanOrEqual(10);
  expect(projects.some(([, p]) => p.runs.length > 1 && p.runs.some((r) => Object.keys(r.env).length === 0))).toBe(true);
});

describe.each(projects)('%s', (name, p) => {
  const fixture = readProject(path.join(CORPUS, name));
  const cases = ENGINES.flatMap(([engine, python]) => p.runs.map((run) => [engine, run.name, python, run.env] as const));
  // The oracle is one long-lived process: a variable of another run is unset explicitly.
  const unset = Object.fromEntries(p.runs.flatMap((r) => Object.keys(r.env)).map((k) => [k, null]));

  const bugsOf = (engine: string) => (p.knownBugs ?? []).filter((b) => b.engine === engine);
  const bug = (engine: string) =>
    bugsOf(engine)
      .map((b) => ` (known bug: ${b.about})`)
      .join('');

  test.each(cases.map(([engine, ...rest]) => [engine, bug(engine), ...rest] as const))(
    '%s engine%s, %s',
    async (engine, _bug, _run, python, env) => {
      const twin = p.union ? flytekitTwin(fixture) : fixture;
      const root = project(engine === 'exact' ? twin : fixture);
      const before = tree(root);
      const r: StepResult = await runStep({
        workspace: root,
        with: { specs: p.specs, mode: 'plan', python: python() },
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      if (bugsOf(engine).length > 0) {
        const observed = [
          ...r.annotations.filter((a) => a.level === 'error').map((a) => a.message.replace(/^[^:]*:\d+: /, '')),
          ...(r.outputs.images === undefined ? [] : imagesOf(r).map((i) => `${i.key}: ${i.status}`)),
        ];
        for (const b of bugsOf(engine)) expect(observed).toContainEqual(expect.stringMatching(new RegExp(b.symptom)));
        return;
      }
      const errors = r.annotations.filter((a) => a.level === 'error');
      if (r.exitCode !== 0 || errors.length > 0) throw new Error(`the step failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
      // The action wrote nothing into the repository (no bytecode, no build context, no config).
      expect(tree(root)).toEqual(before);

      const images = imagesOf(r).filter((i) => i.origin === 'python');
      const expected = await flytekitTasks(engine === 'exact' || !p.union ? root : project(twin), p, { ...unset, ...env });
      expect(Object.keys(expected.tasks)).toHaveLength(p.tasks);
      // A variable the run sets reaches the names (a run that sets one must differ from one that does not).
      for (const v of Object.values(env)) expect(images.some((i) => i.image.includes(v.toLowerCase()))).toBe(true);
      const show = (i: ImageOut) => `${i.image} ${i.id}`;
      const keysWith = (status: string) => images.filter((i) => i.status === status).map((i) => i.key);

      // Notebooks and tests are never read: no image comes from them.
      for (const i of images) expect(i.file).not.toMatch(/\.ipynb$|(^|\/)tests?\//);

      // Keys: the documented grammar, unique, the same for both engines and every run, as recorded.
      for (const i of images) expect(i.key).toMatch(KEY_RE);
      const keys = images.map((i) => i.key).sort();
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).toEqual([...p.keys].sort());
      expect(keys).toEqual(seenKeys.get(name) ?? keys);
      seenKeys.set(name, keys);

      expect(keysWith('unused').sort()).toEqual([...p.unused].sort());
      // An unused spec still carries flytekit's name and id, and no task's image is one of them.
      for (const u of images.filter((i) => i.status === 'unused')) {
        expect(expected.specs).toContain(show(u));
        expect(Object.values(expected.tasks)).not.toContain(show(u));
      }
      expect(keysWith('external').sort()).toEqual([...p.external].sort());

      // Every task's image, hosted ones included, carries flytekit's name and id; a spec two tasks
      // use is one image; the only other images planned are the bases those images are built on.
      const bases = new Set(p.bases ?? []);
      const taskImages = images.filter((i) => (i.status === 'planned' || i.status === 'external') && !bases.has(i.key));
      expect(taskImages.map(show).sort()).toEqual([...new Set(Object.values(expected.tasks))].sort());
      expect(images.filter((i) => bases.has(i.key)).map((i) => i.status)).toEqual([...bases].map(() => 'planned'));
      for (const b of images.filter((i) => bases.has(i.key))) expect(expected.specs).toContain(show(b));
      expect(images.length).toBe(p.keys.length);
      expect(images.every((i) => ['planned', 'unused', 'external'].includes(i.status))).toBe(true);

      // pyflyte is told exactly the images the action builds: by id, never the unused or hosted ones.
      const planned = images.filter((i) => i.status === 'planned');
      const args = r.outputs['image-args'] === '' ? [] : r.outputs['image-args'].split(' ');
      expect(args.filter((_a, n) => n % 2 === 0).every((a) => a === '--image')).toBe(true);
      expect(args.filter((_a, n) => n % 2 === 1).sort()).toEqual(planned.map((i) => `${i.id}=${i.image}`).sort());
    },
  );
});
