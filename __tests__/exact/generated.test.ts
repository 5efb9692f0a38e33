/**
 * Generated multi-module projects, named by the exact engine and by `pyflyte package` itself, for
 * fast (`--copy all`) and non-fast (`--copy none`) registration: the image of every task must be
 * the same. Constructs: constants imported from a sibling module, os.getenv registries with the
 * variable set or unset, lists/tuples/dicts/floats, nested base specs, `.with_*()` chains, specs
 * inline in decorators, specs from module-level lists, ContainerTasks. IMAGESPEC_FC_SEED
 * reproduces a run; IMAGESPEC_FC_SCALE scales the number of projects.
 */
import fc from 'fast-check';
import { evaluateWithFlytekit } from '../../src/exact/flytekit';
import { flytekitPython, pyflytePackage, writeProject } from './projects';

const seed = process.env.IMAGESPEC_FC_SEED ? Number(process.env.IMAGESPEC_FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const scale = Number(process.env.IMAGESPEC_FC_SCALE ?? '1');
const RUNS = Math.max(1, Math.round(6 * (Number.isFinite(scale) && scale > 0 ? scale : 1)));

const py = (s: string): string => JSON.stringify(s); // a JSON string of printable ASCII is a Python literal
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const pkg = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}(==[0-9]\.[0-9]{1,2})?$/);

const specArgs = fc.record(
  {
    name: word.map(py),
    registry: fc.constantFrom('REGISTRY', '"localhost:30000/gen"', 'os.getenv("GEN_REGISTRY")', 'f"{REGISTRY}/sub"'),
    packages: fc.array(pkg, { maxLength: 3 }).map((ps) => `[${ps.map(py).join(', ')}] + PACKAGES`),
    python_version: fc.constantFrom('"3.11"', '"3.10"', '3.12'),
    apt_packages: fc.array(word, { maxLength: 2 }).map((ws) => `[${ws.map(py).join(', ')}]`),
    env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/), fc.oneof(word.map(py), fc.integer().map(String)), { maxKeys: 2 }).map(
      (d) =>
        `{${Object.entries(d)
          .map(([k, v]) => `${py(k)}: ${v}`)
          .join(', ')}}`,
    ),
    tag_format: fc.constantFrom('"{spec_hash}-dev"', '"v1-{spec_hash:.8}"'),
    platform: fc.constantFrom('"linux/arm64"', '"linux/amd64,linux/arm64"'),
    builder_options: fc.constantFrom('{"a": (1, 2.5), "b": None}', '{"k": [True, "x"]}'),
  },
  { requiredKeys: ['name', 'registry'] },
);

const chain = fc.array(
  fc.oneof(
    fc.array(pkg, { minLength: 1, maxLength: 2 }).map((ps) => `.with_packages([${ps.map(py).join(', ')}])`),
    word.map((w) => `.with_apt_packages(${py(w)})`),
    word.map((w) => `.with_commands(["echo ${w}"])`),
    fc.constant('.force_push()'),
    fc.constant('.with_runtime_packages(["rich"])'),
    fc.constant('.with_builder_options({"z": 1})'),
  ),
  { maxLength: 2 },
);

interface Spec {
  args: Record<string, string>;
  base: number | null;
  chain: string[];
}

const project = fc.record({
  envSet: fc.boolean(),
  specs: fc.array(fc.record({ args: specArgs, base: fc.option(fc.nat(), { nil: null }), chain }), { minLength: 1, maxLength: 5 }),
  tasks: fc.array(
    fc.record({
      use: fc.oneof(
        fc.nat().map((n) => ({ named: n })),
        fc.constant({ listed: 0 }),
        specArgs.map((a) => ({ inline: a })),
      ),
      container: fc.boolean(),
    }),
    {
      minLength: 1,
      maxLength: 5,
    },
  ),
});

function call(args: Record<string, string>, base?: string): string {
  const all = Object.entries(args).map(([k, v]) => `${k}=${v}`);
  if (base) all.push(`base_image=${base}`);
  return `ImageSpec(${all.join(', ')})`;
}

function render(p: {
  envSet: boolean;
  specs: Spec[];
  tasks: Array<{ use: { named: number } | { listed: number } | { inline: Record<string, string> }; container: boolean }>;
}): Record<string, string> {
  const images = ['import os', 'from flytekit import ImageSpec', 'from gen.constants import REGISTRY, PACKAGES', ''];
  p.specs.forEach((s, i) => {
    const base = s.base !== null && s.base < i ? `image_${s.base}` : undefined;
    images.push(`image_${i} = ${call(s.args, base)}${s.chain.join('')}`);
  });
  images.push(`LISTED = [${call({ name: '"listed"', registry: 'REGISTRY' })}]`);
  const tasks = [
    'import os',
    'from flytekit import ContainerTask, ImageSpec, kwtypes, task',
    'from gen.constants import REGISTRY, PACKAGES',
    'from gen import images',
    '',
  ];
  p.tasks.forEach((t, i) => {
    const image =
      'named' in t.use ? `images.image_${t.use.named % p.specs.length}` : 'listed' in t.use ? 'images.LISTED[0]' : call(t.use.inline);
    if (t.container) tasks.push(`c_${i} = ContainerTask(name="c-${i}", image=${image}, command=["true"], inputs=kwtypes(x=int))`);
    else tasks.push(`@task(container_image=${image})`, `def t_${i}(x: int) -> int:`, '    return x', '');
  });
  return {
    'gen/__init__.py': '',
    'gen/constants.py': ['import os', 'REGISTRY = os.environ.get("GEN_REGISTRY", "localhost:30000")', 'PACKAGES = ["pandas"]', ''].join(
      '\n',
    ),
    'gen/images.py': images.join('\n') + '\n',
    'gen/tasks.py': tasks.join('\n') + '\n',
  };
}

test(`generated projects: the task images of pyflyte package, fast and non-fast (seed ${seed})`, async () => {
  const python = flytekitPython();
  await fc.assert(
    fc.asyncProperty(project, async (p) => {
      const cwd = writeProject(render(p as Parameters<typeof render>[0]));
      const env: Record<string, string> = p.envSet ? { GEN_REGISTRY: 'localhost:30000/from-env' } : {};
      for (const copy of ['fast', 'none'] as const) {
        const ev = await evaluateWithFlytekit({ python, cwd, paths: ['gen'], copy, env });
        const oracle = pyflytePackage(cwd, cwd, copy === 'fast' ? 'all' : 'none', ['gen'], env);
        const ours: Record<string, string> = {};
        for (const image of ev.images) for (const t of image.tasks) ours[t.task] = t.image ?? '';
        expect(ev.errors.map((e) => e.describe())).toEqual([]);
        expect(ours).toEqual(oracle);
        for (const image of ev.images) expect(image.key).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
        // What flytekit's build engine would build is exactly the used images and their bases.
        const toBuild = new Set(ev.images.filter((i) => i.status !== 'unused').map((i) => i.imageName));
        expect(new Set(ev.runs.flatMap((r) => r.built))).toEqual(toBuild);
      }
    }),
    { seed, numRuns: RUNS },
  );
}, 600000);
