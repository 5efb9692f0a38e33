/**
 * Flyte 2 environments through the bundled action, with the real `flyte` SDK (the venv of
 * `scripts/infra.sh install`) and the real loopback registry: in plan mode every URI is the SDK's
 * own `Image.uri`; in check mode an index covering every platform exists, an index lacking one is
 * missing, a registry that cannot answer is unknown (never exists); build mode refuses, located,
 * before anything is built; keys shared with an ImageSpec are refused.
 */
import { execFileSync } from 'node:child_process';
import { copyFixture, FIXTURE_TAGS, Registries, startRegistries } from '../registry/support/infra';
import { ImageOut, imagesOf, runStep, StepResult } from '../support/runner';
import { flyte2Python, sdkUris, writeProject } from './projects';
import { fetchManifest, loadInfraEnv, tagExists } from '../support/fixtures';

const python = flyte2Python();
let reg: Registries;
beforeAll(() => {
  reg = startRegistries();
});

async function step(ws: string, extra: Record<string, string>): Promise<StepResult> {
  return runStep({
    workspace: ws,
    with: { flyte2: 'flows', python, ...extra },
    env: { PATH: process.env.PATH ?? '', HOME: ws, FLYTE_IMAGE_REGISTRY: undefined },
  });
}

const byKey = (r: StepResult): Record<string, ImageOut> => Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));

test('plan mode: every environment under its name, with the SDK’s URI, its line, and what deploy needs', async () => {
  const ws = writeProject({
    'requirements.txt': 'httpx==0.27.0\n',
    'data/a.txt': 'a\n',
    'scripts/job.py': `
      # /// script
      # requires-python = ">=3.11"
      # dependencies = ["rich==13.7.1"]
      # ///
      print("hi")
    `,
    'flows/__init__.py': '',
    'flows/images.py': `
      import flyte
      BASE = flyte.Image.from_debian_base(registry="localhost:30000/team", name="app", python_version=(3, 12))
    `,
    'flows/envs.py': `
      from pathlib import Path
      import flyte
      from flows.images import BASE

      train = flyte.TaskEnvironment(name="train", image=BASE.with_pip_packages("pandas").with_apt_packages("git"))
      reqs = flyte.TaskEnvironment(
          name="reqs",
          image=BASE.with_requirements(Path("requirements.txt")).with_env_vars({"A": "1"}).with_source_folder(Path("data")),
      )
      moved = flyte.TaskEnvironment(name="moved", image=BASE.with_pip_packages("x").clone(registry="localhost:30001/o", name="m"))
      uv = flyte.TaskEnvironment(name="uv-job", image=flyte.Image.from_uv_script("scripts/job.py", name="job", registry="localhost:30000/uv"))
      plain = flyte.TaskEnvironment(name="plain", image="docker.io/library/python:3.12-slim")
      base = flyte.TaskEnvironment(name="base", image=flyte.Image.from_debian_base())
    `,
    'images/tools.yaml': 'name: tools\nregistry: ghcr.io/acme\npackages: [httpie]\n',
  });
  const r = await step(ws, { mode: 'plan', specs: 'images/*.yaml', 'flyte2-copy-style': 'none' });
  expect(r.exitCode).toBe(0);
  const sdk = sdkUris(ws, ['flows.envs']);
  const map = JSON.parse(r.outputs['image-map']) as Record<string, string>;
  const { tools, ...flyte2Map } = map;
  expect(tools).toMatch(/^ghcr\.io\/acme\/tools:/);
  expect(flyte2Map).toEqual(sdk);
  const got = byKey(r);
  expect(got.train).toMatchObject({ origin: 'flyte2', file: 'flows/envs.py', line: 5, name: 'app', status: 'planned', id: '' });
  expect(got.train.image).toBe(`localhost:30000/team/app:${got.train.tag}`);
  expect(got.reqs).toMatchObject({ line: 6, status: 'planned' });
  expect(got.moved.image).toMatch(/^localhost:30001\/o\/m:[0-9a-f]{32}$/);
  expect(got.plain).toMatchObject({ status: 'external', image: 'docker.io/library/python:3.12-slim', line: 12 });
  expect(got.plain.reason).toMatch(/used as named/);
  expect(got.base).toMatchObject({ status: 'external', tag: '' });
  expect(got.base.image).toMatch(/^ghcr\.io\/flyteorg\/flyte:py3\.\d+-v2\./);
  // ImageSpec records first, then the environments in load order
  expect(imagesOf(r).map((i) => i.key)).toEqual(['tools', 'train', 'reqs', 'moved', 'uv-job', 'plain', 'base']);
  expect(JSON.parse(r.outputs.matrix).include.map((m: { key: string }) => m.key)).toEqual(['tools', 'train', 'reqs', 'moved', 'uv-job']);
  // pyflyte hears of the ImageSpec only; deploy gets the options that name the images alike
  expect(r.outputs['image-args']).toBe(`--image tools=${tools}`);
  expect(r.outputs['flyte2-deploy-args']).toBe('--copy-style none');
  expect(r.summary).toContain('| train | flows/envs.py:5 |');

  // a matrix job names one environment with `only`
  const one = await step(ws, { mode: 'plan', specs: 'images/*.yaml', 'flyte2-copy-style': 'none', only: 'train' });
  expect(imagesOf(one).map((i) => [i.key, i.image])).toEqual([['train', got.train.image]]);
});

test('check mode: all platforms → exists, one platform absent → missing, no answer → unknown; the gate points at the line', async () => {
  const repo = `${reg.plain}/f2e2e-${Date.now()}`;
  const ws = writeProject({
    'flows/envs.py': `
      import flyte
      BASE = flyte.Image.from_debian_base(registry="${repo}", name="app", python_version=(3, 12))
      full = flyte.TaskEnvironment(name="full", image=BASE.with_pip_packages("a"))
      partial = flyte.TaskEnvironment(name="partial", image=BASE.with_pip_packages("b"))
      absent = flyte.TaskEnvironment(name="absent", image=BASE.with_pip_packages("c"))
      one = flyte.TaskEnvironment(name="one", image=flyte.Image.from_debian_base(registry="${repo}", name="one", platform=("linux/amd64",)).with_pip_packages("d"))
      plain = flyte.TaskEnvironment(name="plain", image="docker.io/library/python:3.12-slim")
    `,
  });
  const planned = byKey(await step(ws, { mode: 'plan' }));
  copyFixture(reg, FIXTURE_TAGS.ociIndex, planned.full.image, ['--all']);
  copyFixture(reg, FIXTURE_TAGS.partialIndex, planned.partial.image, ['--all']);
  copyFixture(reg, FIXTURE_TAGS.dockerV2, planned.one.image, ['--all']);

  const r = await step(ws, { mode: 'check' });
  expect(r.exitCode).toBe(0);
  const got = byKey(r);
  expect(Object.fromEntries(Object.values(got).map((i) => [i.key, i.status]))).toEqual({
    full: 'exists',
    partial: 'missing',
    absent: 'missing',
    one: 'exists',
    plain: 'external',
  });
  expect(got.partial.reason).toMatch(/absent platforms: linux\/arm64/);
  expect(got.full.digest).toMatch(/^sha256:/);
  expect(JSON.parse(r.outputs.missing)).toEqual([got.partial.image, got.absent.image]);
  expect(JSON.parse(r.outputs.existing)).toEqual([got.full.image, got.one.image]);
  expect(JSON.parse(r.outputs.matrix).include.map((m: { key: string }) => m.key)).toEqual(['partial', 'absent']);

  const gate = await step(ws, { mode: 'check', 'fail-on-missing': 'true' });
  expect(gate.exitCode).not.toBe(0);
  const missing = gate.annotations.filter((a) => a.level === 'error' && /is not in the registry/.test(a.message));
  expect(missing.map((a) => [a.props.file, a.props.line])).toEqual([
    ['flows/envs.py', '4'],
    ['flows/envs.py', '5'],
  ]);
});

test('a registry that cannot answer, or no registry at all: unknown, never exists; on-unknown decides', async () => {
  const ws = writeProject({
    'flows/envs.py': `
      import flyte
      dead = flyte.TaskEnvironment(name="dead", image=flyte.Image.from_debian_base(registry="127.0.0.1:9/x", name="d").with_pip_packages("a"))
      noreg = flyte.TaskEnvironment(name="noreg", image=flyte.Image.from_debian_base().with_pip_packages("b"))
    `,
  });
  const failed = await step(ws, { mode: 'check' });
  expect(failed.exitCode).not.toBe(0);
  expect(Object.fromEntries(imagesOf(failed).map((i) => [i.key, i.status]))).toEqual({ dead: 'unknown', noreg: 'unknown' });
  expect(byKey(failed).noreg.reason).toMatch(/resolved no registry/);
  const errors = failed.annotations.filter((a) => a.level === 'error' && /cannot tell whether the image exists/.test(a.message));
  expect(errors.map((a) => a.props.line)).toEqual(['2', '3']);

  const skipped = await step(ws, { mode: 'check', 'on-unknown': 'skip' });
  expect(skipped.exitCode).toBe(0);
  expect(imagesOf(skipped).map((i) => i.status)).toEqual(['unknown', 'unknown']);
  expect(JSON.parse(skipped.outputs.existing)).toEqual([]);
});

test('build mode with push: false refuses a Flyte 2 image it would have to build, before building anything', async () => {
  const repo = `${reg.plain}/f2build-${Date.now()}`;
  const ws = writeProject({
    'flows/envs.py': `
      import flyte
      app = flyte.TaskEnvironment(name="app", image=flyte.Image.from_debian_base(registry="${repo}", name="a").with_pip_packages("a"))
      plain = flyte.TaskEnvironment(name="plain", image="docker.io/library/python:3.12-slim")
    `,
    'images/tools.yaml': `name: tools\nregistry: ${repo}\npackages: [httpie]\n`,
  });
  const r = await step(ws, { mode: 'build', specs: 'images/*.yaml', push: 'false' });
  expect(r.exitCode).not.toBe(0);
  const refused = r.annotations.filter((a) => a.level === 'error' && /the flyte SDK's builder always pushes/.test(a.message));
  expect(refused).toHaveLength(1);
  expect(refused[0].props).toMatchObject({ file: 'flows/envs.py', line: '2' });
  expect(r.outputs.built).toBeUndefined();
  // the ImageSpec beside it was not built either
  expect(r.groups.filter((g) => g.startsWith('Building'))).toEqual([]);
});

test('build mode builds a missing Flyte 2 image through the SDK, with every platform; then it exists and nothing is built', async () => {
  loadInfraEnv();
  const repo = `${reg.plain}/f2sdkbuild-${Date.now()}`;
  const ws = writeProject({
    // no RUN: both platforms build without emulation; the COPY gives the layer cache something to keep
    'docker/Dockerfile': `FROM ${reg.plain}/${reg.repo}:${FIXTURE_TAGS.ociIndex}\nCOPY data.txt /data.txt\n`,
    'docker/data.txt': `${Date.now()}\n`,
    'flows/envs.py': `
      from pathlib import Path
      import flyte
      df = flyte.TaskEnvironment(name="df", image=flyte.Image.from_dockerfile(Path("docker/Dockerfile").absolute(), registry="${repo}", name="df", platform=("linux/amd64", "linux/arm64")))
      plain = flyte.TaskEnvironment(name="plain", image="docker.io/library/python:3.12-slim")
    `,
  });
  const env = { ...(process.env as Record<string, string>), HOME: ws };
  const run = (extra: Record<string, string>) => runStep({ workspace: ws, with: { flyte2: 'flows', python, ...extra }, env });

  const cacheRef = `${reg.plain}/f2cache-${Date.now()}`;
  const first = await run({ mode: 'build', cache: 'registry', 'cache-ref': cacheRef });
  const df = byKey(first).df;
  expect({ exit: first.exitCode, status: df.status, reason: df.reason }).toEqual({ exit: 0, status: 'built', reason: undefined });
  expect(df.image).toBe(sdkUris(ws, ['flows.envs']).df);
  expect(JSON.parse(first.outputs.built)).toEqual([df.image]);
  expect(first.groups).toEqual(['Building 1 Flyte 2 image(s) with the flyte SDK']);
  // the SDK's build log arrives line by line, not as one line with its breaks escaped
  expect(first.stdout).not.toContain('\\x0a');
  expect(first.stdout.split('\n').length).toBeGreaterThan(10);
  // the SDK's builder got the action's layer cache (one cache tag per environment)
  expect(await tagExists(`${cacheRef}:flyte2-df`)).toBe(true);
  // an index with both platforms the SDK asks for by default
  const index = await fetchManifest<{ manifests: Array<{ platform?: { os: string; architecture: string } }> }>(df.image);
  const platforms = index.manifests
    .filter((m) => m.platform && m.platform.os !== 'unknown')
    .map((m) => `${m.platform!.os}/${m.platform!.architecture}`);
  expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
  // the SDK's own existence check (docker buildx imagetools) finds it: deploy would not rebuild it
  const [, repository, tag] = /^(.+):([^:/]+)$/.exec(df.image)!;
  const found = execFileSync(
    python,
    [
      '-c',
      'import asyncio, sys\nfrom flyte._internal.imagebuild.image_builder import LocalDockerCommandImageChecker as C\n' +
        'print(asyncio.run(C.image_exists(sys.argv[1], sys.argv[2], ("linux/amd64", "linux/arm64"))))',
      repository,
      tag,
    ],
    { env, encoding: 'utf8' },
  ).trim();
  expect(found).toBe(df.image);

  const second = await run({ mode: 'build' });
  expect(second.exitCode).toBe(0);
  expect(imagesOf(second).map((i) => [i.key, i.status])).toEqual([
    ['df', 'exists'],
    ['plain', 'external'],
  ]);
  expect(second.groups).toEqual([]);

  // force: built again through the SDK, though it exists
  const forced = await run({ mode: 'build', force: 'true' });
  expect(forced.exitCode).toBe(0);
  expect(byKey(forced).df.status).toBe('built');
  expect(byKey(forced).plain.status).toBe('external');
});

test('build mode: a failed SDK build is located, and fail-fast cancels the next one', async () => {
  loadInfraEnv();
  const repo = `${reg.plain}/f2sdkfail-${Date.now()}`;
  const ws = writeProject({
    'bad/Dockerfile': `FROM ${reg.plain}/${reg.repo}:${FIXTURE_TAGS.ociIndex}\nCOPY no-such-file /x\n`,
    'good/Dockerfile': `FROM ${reg.plain}/${reg.repo}:${FIXTURE_TAGS.ociIndex}\nENV N=${Date.now()}\n`,
    'flows/envs.py': `
      from pathlib import Path
      import flyte
      bad = flyte.TaskEnvironment(name="bad", image=flyte.Image.from_dockerfile(Path("bad/Dockerfile").absolute(), registry="${repo}", name="bad"))
      good = flyte.TaskEnvironment(name="good", image=flyte.Image.from_dockerfile(Path("good/Dockerfile").absolute(), registry="${repo}", name="good"))
    `,
  });
  const r = await runStep({
    workspace: ws,
    with: { flyte2: 'flows', python, mode: 'build', 'fail-fast': 'true' },
    env: { ...(process.env as Record<string, string>), HOME: ws },
  });
  expect(r.exitCode).not.toBe(0);
  const got = byKey(r);
  expect([got.bad.status, got.good.status]).toEqual(['failed', 'cancelled']);
  expect(got.bad.reason).toMatch(/ImageBuildError/);
  const failed = r.annotations.filter((a) => a.level === 'error' && /build failed/.test(a.message));
  expect(failed.map((a) => [a.props.title, a.props.file, a.props.line])).toEqual([['Build of bad failed', 'flows/envs.py', '3']]);
  expect(JSON.parse(r.outputs.built)).toEqual([]);
});

test('hostile: text from the project (a line break and a workflow command in a URI) never becomes a command', async () => {
  const ws = writeProject({
    'flows/envs.py': `
      import flyte
      img = flyte.Image.from_debian_base(registry="127.0.0.1:5000/x\\n::error title=pwned::owned", name="a").with_pip_packages("a")
      evil = flyte.TaskEnvironment(name="evil", image=img)
    `,
    'used/envs.py': `
      import flyte
      plain = flyte.TaskEnvironment(name="plain", image="x\\n::warning::owned")
    `,
  });
  const injected = (r: StepResult) =>
    r.annotations.filter((a) => a.message === 'owned' || a.props.title === 'pwned').length +
    r.stdout.split('\n').filter((l) => l.startsWith('::error title=pwned') || l.startsWith('::warning::owned')).length;

  // an image to build must have a valid name: refused, located, before any registry is asked
  const built = await step(ws, { mode: 'check' });
  expect(built.exitCode).not.toBe(0);
  expect(injected(built)).toBe(0);
  const refused = built.annotations.filter((a) => a.level === 'error' && /is not a valid image reference/.test(a.message));
  expect(refused.map((a) => [a.props.file, a.props.line])).toEqual([['flows/envs.py', '3']]);

  // an image used as named is reported as the data it is
  const used = await step(ws, { mode: 'plan', flyte2: 'used' });
  expect(used.exitCode).toBe(0);
  expect(injected(used)).toBe(0);
  expect(JSON.parse(used.outputs['image-map'])).toEqual({ plain: 'x\n::warning::owned' });
  expect(used.summary).not.toContain('x\n::warning');
});

test('errors: a key shared with an ImageSpec, a module that fails to import (located), flyte2 without python', async () => {
  const ws = writeProject({
    'flows/envs.py': `
      import flyte
      tools = flyte.TaskEnvironment(name="tools", image="docker.io/library/python:3.12-slim")
    `,
    'flows/broken.py': `
      import flyte
      raise RuntimeError("boom")
    `,
    'images/tools.yaml': 'name: tools\nregistry: ghcr.io/acme\n',
  });
  const r = await step(ws, { mode: 'plan', specs: 'images/*.yaml' });
  expect(r.exitCode).not.toBe(0);
  const errors = r.annotations.filter((a) => a.level === 'error');
  expect(errors.find((a) => /image key 'tools' is also the key/.test(a.message))?.props).toMatchObject({
    file: 'flows/envs.py',
    line: '2',
  });
  expect(errors.find((a) => /loading module 'flows.broken' failed/.test(a.message))?.props).toMatchObject({
    file: 'flows/broken.py',
    line: '2',
  });

  const noPython = await runStep({ workspace: ws, with: { flyte2: 'flows', mode: 'plan' }, env: { PATH: process.env.PATH ?? '' } });
  expect(noPython.exitCode).not.toBe(0);
  expect(noPython.annotations.map((a) => a.message).join('\n')).toMatch(/input 'flyte2' needs the 'python' input/);
});
