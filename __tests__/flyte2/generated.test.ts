/**
 * Generated Flyte 2 projects, named by the engine (the SDK's loader, planner and image pipeline)
 * and by the SDK's `Image.uri` read directly (sdk_uris.py): every environment's URI must be the
 * same. Constructs: from_debian_base (registry, name, python_version, or none), from_uv_script
 * (PEP 723 header), shared bases imported from a sibling module, with_pip_packages,
 * with_requirements, with_apt_packages, with_env_vars, with_source_folder, clone(registry=, name=),
 * string images, and FLYTE_IMAGE_REGISTRY set or not. IMAGESPEC_FC_SEED reproduces a run;
 * IMAGESPEC_FC_SCALE scales the number of projects (≥ 200 environments per run at scale 1).
 */
import fc from 'fast-check';
import { evaluateFlyte2 } from '../../src/flyte2/evaluate';
import { flyte2Python, sdkUris, writeProject } from './projects';

const seed = process.env.IMAGESPEC_FC_SEED ? Number(process.env.IMAGESPEC_FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const scale = Number(process.env.IMAGESPEC_FC_SCALE ?? '1');
const RUNS = Math.max(1, Math.round(8 * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
const MODULES = 3;
const ENVS_PER_MODULE = 9;

const python = flyte2Python();
const py = (s: string): string => JSON.stringify(s); // a JSON string of printable ASCII is a Python literal
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const pkg = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}(==[0-9]\.[0-9]{1,2})?$/);
const registry = fc.constantFrom('"localhost:30000/gen"', '"localhost:30001/a/b"', '"ghcr.io/org"', 'REGISTRY');
const text = fc.stringMatching(/^[ -~]{0,40}$/).map((s) => s + '\n');

const pep723 = fc
  .record({ minor: fc.integer({ min: 10, max: 13 }), deps: fc.array(pkg, { maxLength: 3 }) })
  .map(({ minor, deps }) =>
    [
      '# /// script',
      `# requires-python = ">=3.${minor}"`,
      '# dependencies = [',
      ...deps.map((d) => `#   ${py(d)},`),
      '# ]',
      '# ///',
      'print("job")',
      '',
    ].join('\n'),
  );

const files = fc.record({
  reqs: fc.array(
    fc.array(pkg, { maxLength: 4 }).map((ps) => ps.join('\n') + '\n'),
    { minLength: 2, maxLength: 2 },
  ),
  scripts: fc.array(pep723, { minLength: 2, maxLength: 2 }),
  data: fc.array(fc.dictionary(word, text, { minKeys: 1, maxKeys: 3 }), { minLength: 2, maxLength: 2 }),
});

const base = fc.oneof(
  fc
    .record({ registry, name: word, minor: fc.option(fc.integer({ min: 10, max: 13 }), { nil: undefined }) })
    .map(
      ({ registry, name, minor }) =>
        `flyte.Image.from_debian_base(registry=${registry}, name=${py(name)}${minor === undefined ? '' : `, python_version=(3, ${minor})`})`,
    ),
  fc.constant('flyte.Image.from_debian_base()'),
  fc
    .record({ i: fc.integer({ min: 0, max: 1 }), registry, name: word })
    .map(({ i, registry, name }) => `flyte.Image.from_uv_script("scripts/s${i}.py", name=${py(name)}, registry=${registry})`),
  fc.constantFrom('common.BASE0', 'common.BASE1'),
);

const layer = fc.oneof(
  fc.array(pkg, { minLength: 1, maxLength: 3 }).map((ps) => `.with_pip_packages(${ps.map(py).join(', ')})`),
  fc.integer({ min: 0, max: 1 }).map((i) => `.with_requirements("reqs/r${i}.txt")`),
  fc.array(word, { minLength: 1, maxLength: 2 }).map((ws) => `.with_apt_packages(${ws.map(py).join(', ')})`),
  fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,5}$/), word, { minKeys: 1, maxKeys: 2 }).map(
    (d) =>
      `.with_env_vars({${Object.entries(d)
        .map(([k, v]) => `${py(k)}: ${py(v)}`)
        .join(', ')}})`,
  ),
  fc.integer({ min: 0, max: 1 }).map((i) => `.with_source_folder(Path("data/d${i}"))`),
);

const image = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .record({
        base,
        layers: fc.array(layer, { maxLength: 3 }),
        clone: fc.option(fc.record({ registry, name: word }), { nil: undefined }),
      })
      .map(
        ({ base, layers, clone }) => base + layers.join('') + (clone ? `.clone(registry=${clone.registry}, name=${py(clone.name)})` : ''),
      ),
  },
  { weight: 1, arbitrary: word.map((w) => py(`localhost:30000/lib/${w}:1.0`)) },
);

const project = fc.record({
  files,
  modules: fc.array(fc.array(image, { minLength: ENVS_PER_MODULE, maxLength: ENVS_PER_MODULE }), {
    minLength: MODULES,
    maxLength: MODULES,
  }),
  pushRegistry: fc.boolean(),
});

let environments = 0;
const uses: Record<string, number> = {};

describe('generated Flyte 2 projects: the engine reports the SDK’s own URI for every environment', () => {
  // Printed so that a failing run can be reproduced with IMAGESPEC_FC_SEED.
  console.log(`flyte2 generated projects: IMAGESPEC_FC_SEED=${seed} runs=${RUNS}`);

  test('URIs equal Image.uri', async () => {
    await fc.assert(
      fc.asyncProperty(project, async (p) => {
        const out: Record<string, string> = {
          'pkg/__init__.py': '',
          'pkg/common.py': [
            'import flyte',
            'REGISTRY = "localhost:30000/common"',
            'BASE0 = flyte.Image.from_debian_base(registry=REGISTRY, name="base0").with_pip_packages("pandas")',
            'BASE1 = flyte.Image.from_debian_base(registry="localhost:30002", name="base1", python_version=(3, 12))',
            '',
          ].join('\n'),
        };
        p.files.reqs.forEach((r, i) => (out[`reqs/r${i}.txt`] = r));
        p.files.scripts.forEach((s, i) => (out[`scripts/s${i}.py`] = s));
        p.files.data.forEach((d, i) => Object.entries(d).forEach(([name, content]) => (out[`data/d${i}/${name}.txt`] = content)));
        p.modules.forEach((images, m) => {
          out[`pkg/m${m}.py`] = [
            'from pathlib import Path',
            'import flyte',
            'from pkg import common',
            'from pkg.common import REGISTRY',
            ...images.map((img, i) => `env${i} = flyte.TaskEnvironment(name="e${m}-${i}", image=${img})`),
            '',
          ].join('\n');
        });
        const cwd = writeProject(out);
        const env: Record<string, string> = { HOME: cwd };
        if (p.pushRegistry) env.FLYTE_IMAGE_REGISTRY = 'localhost:30003/push';
        const ev = await evaluateFlyte2({ python, cwd, paths: ['pkg'], env });
        if (ev.errors.length > 0) throw new Error(`${ev.errors.map((e) => e.message).join('\n')}\n${out['pkg/m0.py']}`);
        const expected = sdkUris(
          cwd,
          p.modules.map((_, m) => `pkg.m${m}`),
          env,
        );
        expect(Object.fromEntries(ev.images.map((i) => [i.key, i.uri]))).toEqual(expected);
        for (const i of ev.images) expect(i.use === 'uri').toBe(/^localhost:30000\/lib\//.test(i.uri) && i.layers.length === 0);
        environments += ev.images.length;
        for (const i of ev.images) uses[i.use] = (uses[i.use] ?? 0) + 1;
      }),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`flyte2 generated projects: ${environments} environments, by use ${JSON.stringify(uses)}`);
    if (RUNS >= 8) expect(environments).toBeGreaterThanOrEqual(200);
  }, 600_000);
});
