/**
 * The Flyte 2 engine against the real `flyte` SDK 2.12.1 (the venv of `scripts/infra.sh install`),
 * on projects written to disk; URIs compared with the SDK's own `Image.uri` (sdk_uris.py).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateFlyte2, Flyte2Image } from '../../src/flyte2/evaluate';
import { flyte2Checks, flyte2Queries } from '../../src/flyte2/check';
import { flyte2Python, sdkUris, writeProject } from './projects';

const python = flyte2Python();
const byKey = (images: Flyte2Image[]): Record<string, Flyte2Image> => Object.fromEntries(images.map((i) => [i.key, i]));

describe('evaluateFlyte2 names every environment as the SDK does', () => {
  const cwd = writeProject({
    'requirements.txt': 'pandas==2.2.2\n',
    'data/a.txt': 'a\n',
    'docker/Dockerfile': 'FROM docker.io/library/python:3.12-slim\r\nRUN echo hi\n',
    'scripts/job.py': `
      # /// script
      # requires-python = ">=3.11"
      # dependencies = ["httpx==0.27.0", "rich"]
      # ///
      print("hello")
    `,
    'app/__init__.py': '',
    'app/images.py': `
      from pathlib import Path
      import flyte
      BASE = flyte.Image.from_debian_base(registry="localhost:30000/team", name="app", python_version=(3, 12))
      TRAIN = BASE.with_pip_packages("pandas", "numpy").with_apt_packages("git").with_env_vars({"A": "1"})
    `,
    'app/envs.py': `
      from pathlib import Path
      import flyte
      from app.images import BASE, TRAIN
      train = flyte.TaskEnvironment(name="train", image=TRAIN)
      same = flyte.TaskEnvironment(name="same", image=TRAIN)
      reqs = flyte.TaskEnvironment(name="reqs", image=BASE.with_requirements(Path("requirements.txt")).with_source_folder(Path("data")))
      uv = flyte.TaskEnvironment(name="uv-script", image=flyte.Image.from_uv_script("scripts/job.py", name="job", registry="localhost:30000/uv"))
      moved = flyte.TaskEnvironment(name="moved", image=TRAIN.clone(registry="localhost:30001/other", name="renamed"))
      plain = flyte.TaskEnvironment(name="plain", image="docker.io/library/python:3.12-slim")
      default = flyte.TaskEnvironment(name="default_base", image=flyte.Image.from_debian_base())
      noreg = flyte.TaskEnvironment(name="noreg", image=flyte.Image.from_debian_base().with_pip_packages("x"))
      df = flyte.TaskEnvironment(name="df", image=flyte.Image.from_dockerfile(Path("docker/Dockerfile"), registry="localhost:30000/df", name="df", platform="linux/arm64"))

      @train.task
      def fit(x: int) -> int:
          return x
    `,
  });

  test('URIs, uses, platforms and layers', async () => {
    const ev = await evaluateFlyte2({ python, cwd, paths: ['app'], env: { HOME: cwd } });
    expect(ev.errors).toEqual([]);
    expect(ev.run?.flyte).toBe('2.12.1');
    const got = byKey(ev.images);
    expect(Object.fromEntries(ev.images.map((i) => [i.key, i.uri]))).toEqual(sdkUris(cwd, ['app.envs']));
    expect(Object.keys(got).sort()).toEqual(['default_base', 'df', 'moved', 'noreg', 'plain', 'reqs', 'same', 'train', 'uv-script']);
    expect(got.train).toMatchObject({
      use: 'build',
      registry: 'localhost:30000/team',
      name: 'app',
      platforms: ['linux/amd64', 'linux/arm64'],
      pythonVersion: '3.12',
      layers: ['PipPackages', 'AptPackages', 'Env'],
    });
    expect(got.train.uri).toBe(`localhost:30000/team/app:${got.train.tag}`);
    expect(got.train.tag).toMatch(/^[0-9a-f]{32}$/);
    // an equal image in a second environment (the SDK's build is memoised per image) is reported for both
    expect(got.same).toEqual({ ...got.train, key: 'same', source: { file: 'app/envs.py', line: 5 } });
    // where each environment is written, for annotations and the summary
    expect(got.train.source).toEqual({ file: 'app/envs.py', line: 4 });
    expect(got.df.source).toEqual({ file: 'app/envs.py', line: 12 });
    expect(got.moved.uri).toBe(`localhost:30001/other/renamed:${got.train.tag}`);
    expect(got.plain).toMatchObject({ use: 'uri', uri: 'docker.io/library/python:3.12-slim', platforms: [] });
    expect(got.default_base).toMatchObject({ use: 'base', tag: null });
    expect(got.default_base.uri).toBe(got.default_base.baseImage);
    expect(got.noreg).toMatchObject({ use: 'build', registry: null });
    expect(got['uv-script'].layers).toContain('UVScript');
    // from_dockerfile: the tag is the md5 of the Dockerfile's bytes (CRLF kept), the basis of a static path
    const dockerfile = fs.readFileSync(path.join(cwd, 'docker/Dockerfile'));
    expect(got.df).toMatchObject({ use: 'build', dockerfile: 'docker/Dockerfile', platforms: ['linux/arm64'], layers: [] });
    expect(got.df.uri).toBe(`localhost:30000/df/df:${crypto.createHash('md5').update(dockerfile).digest('hex')}`);
  });

  test('the push registry of FLYTE_IMAGE_REGISTRY applies to images without one, as in a local build', async () => {
    const env = { HOME: cwd, FLYTE_IMAGE_REGISTRY: 'localhost:30002/ci' };
    const ev = await evaluateFlyte2({ python, cwd, paths: ['app'], env });
    expect(ev.errors).toEqual([]);
    const got = byKey(ev.images);
    expect(got.noreg.uri).toMatch(/^localhost:30002\/ci\/flyte:[0-9a-f]{32}$/);
    expect(Object.fromEntries(ev.images.map((i) => [i.key, i.uri]))).toEqual(sdkUris(cwd, ['app.envs'], env));
  });

  test('the copy style and root dir reach the SDK (a code bundle layer hashes the loaded modules)', async () => {
    const proj = writeProject({
      'src/pkg/__init__.py': '',
      'src/pkg/envs.py': `
        import flyte
        img = flyte.Image.from_debian_base(registry="localhost:30000/cb", name="cb").with_code_bundle()
        env = flyte.TaskEnvironment(name="bundled", image=img)
      `,
    });
    const loaded = await evaluateFlyte2({ python, cwd: proj, paths: ['src/pkg/envs.py'], rootDir: 'src', env: { HOME: proj } });
    const none = await evaluateFlyte2({
      python,
      cwd: proj,
      paths: ['src/pkg/envs.py'],
      rootDir: 'src',
      copyStyle: 'none',
      env: { HOME: proj },
    });
    expect(loaded.errors).toEqual([]);
    expect(none.errors).toEqual([]);
    expect(loaded.run?.rootDir).toBe(fs.realpathSync(path.join(proj, 'src')));
    expect(loaded.images[0].uri).not.toBe(none.images[0].uri);
  });

  test('check queries: only images to build, with every platform; used-as-is images are not checked', async () => {
    const ev = await evaluateFlyte2({ python, cwd, paths: ['app'], env: { HOME: cwd } });
    const got = byKey(ev.images);
    const queries = flyte2Queries(ev.images);
    expect(queries.map((q) => q.ref).sort()).toEqual(
      [got.df.uri, got.moved.uri, got.reqs.uri, got.same.uri, got.train.uri, got['uv-script'].uri].sort(),
    );
    for (const q of queries) expect(q.platforms).toEqual(q.ref === got.df.uri ? ['linux/arm64'] : ['linux/amd64', 'linux/arm64']);
    const checks = flyte2Checks(
      ev.images,
      queries.map((q) => ({ ref: q.ref, result: { status: 'missing', reason: 'not found' } })),
    );
    const status = Object.fromEntries(checks.map((c) => [c.key, c.check === 'checked' ? c.result.status : c.check]));
    expect(status).toEqual({
      train: 'missing',
      reqs: 'missing',
      'uv-script': 'missing',
      moved: 'missing',
      same: 'missing',
      df: 'missing',
      plain: 'used-as-is',
      default_base: 'used-as-is',
      noreg: 'unknown',
    });
  });
});

test('image refs of the flyte config: a ref without layers is used as named, one with layers is built on it', async () => {
  const cwd = writeProject({
    'flyte.yaml': `
      image:
        registry: localhost:30000/cfg
        image_refs:
          gpu: localhost:30000/base/gpu:1.0
    `,
    'envs.py': `
      import flyte
      as_is = flyte.TaskEnvironment(name="as-is", image=flyte.Image.from_ref_name("gpu"))
      more = flyte.TaskEnvironment(name="more", image=flyte.Image.from_ref_name("gpu").clone(extendable=True).with_pip_packages("torch"))
      bare = flyte.TaskEnvironment(name="bare", image=flyte.Image.from_debian_base().with_pip_packages("x"))
    `,
  });
  const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], config: 'flyte.yaml', env: { HOME: cwd } });
  expect(ev.errors).toEqual([]);
  const got = byKey(ev.images);
  expect(got['as-is']).toMatchObject({ use: 'ref', uri: 'localhost:30000/base/gpu:1.0' });
  expect(got.more).toMatchObject({ use: 'build', baseImage: 'localhost:30000/base/gpu:1.0' });
  expect(got.bare.uri).toMatch(/^localhost:30000\/cfg\/flyte:[0-9a-f]{32}$/);
  const missing = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], env: { HOME: cwd } });
  // without the config, each environment on the unknown ref fails alone; the others are still named
  expect(missing.errors.map((e) => [e.kind, e.entity, e.python?.type])).toEqual([
    ['image', 'as-is', 'flyte.errors.InvalidImageNameError'],
    ['image', 'more', 'flyte.errors.InvalidImageNameError'],
  ]);
  expect(missing.images.map((i) => i.key)).toEqual(['bare']);
});

test('an environment other environments depend on is reported once, wherever it is declared; two of one name are still refused', async () => {
  // plan_deploy puts a dependency in its dependents' plans as well as in its own
  const cwd = writeProject({
    'envs.py': `
      import flyte
      shared = flyte.TaskEnvironment(name="shared", image="docker.io/library/python:3.12")
      a = flyte.TaskEnvironment(name="a", image=flyte.Image.from_debian_base(registry="localhost:30000", name="a").with_pip_packages("x"), depends_on=[shared, later_dep := flyte.TaskEnvironment(name="later", image="docker.io/library/python:3.11")])
      b = flyte.TaskEnvironment(name="b", image="docker.io/library/python:3.12", depends_on=[shared, a])
    `,
    'dup.py': `
      import flyte
      one = flyte.TaskEnvironment(name="twin", image="docker.io/library/python:3.12")
      two = flyte.TaskEnvironment(name="other", image="docker.io/library/python:3.12")
      two.name = "twin"
    `,
  });
  const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], env: { HOME: cwd } });
  expect(ev.errors).toEqual([]);
  expect(ev.images.map((i) => i.key).sort()).toEqual(['a', 'b', 'later', 'shared']);
  expect(byKey(ev.images).a.uri).toBe(sdkUris(cwd, ['envs']).a);
  const dup = await evaluateFlyte2({ python, cwd, paths: ['dup.py'], env: { HOME: cwd } });
  // the SDK's planner refuses two of one name before the action's own uniqueness check
  expect(dup.errors.map((e) => e.kind)).toEqual(['image']);
  expect(dup.errors[0].message).toMatch(/Environment 'twin' is defined/);
  expect(dup.images.filter((i) => i.key === 'twin').length).toBeLessThanOrEqual(1);
});

describe('evaluateFlyte2 reports what goes wrong, located', () => {
  test('an import error: the module, the file and line of the raise; the other modules still load', async () => {
    const cwd = writeProject({
      'app/__init__.py': '',
      'app/good.py': `
        import flyte
        env = flyte.TaskEnvironment(name="good", image=flyte.Image.from_debian_base(registry="localhost:30000").with_pip_packages("a"))
      `,
      'app/broken.py': `
        import flyte

        def load():
            raise ValueError("no \\x1b[31m config")

        load()
      `,
    });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['app'], env: { HOME: cwd } });
    expect(ev.images.map((i) => i.key)).toEqual(['good']);
    expect(ev.errors).toHaveLength(1);
    const e = ev.errors[0];
    expect(e.kind).toBe('import');
    expect(e.module).toBe('app.broken');
    expect([e.file, e.line]).toEqual(['app/broken.py', 4]);
    expect(e.message).toBe("loading module 'app.broken' failed: ValueError: 'no \\x1b[31m config'");
    expect(e.python?.frames.at(-1)).toMatchObject({ file: 'app/broken.py', line: 4, function: 'load' });
  });

  test('a file given directly that fails to import, and a syntax error', async () => {
    const cwd = writeProject({ 'one.py': 'import flyte\nx = (\n' });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['one.py'], env: { HOME: cwd } });
    expect(ev.images).toEqual([]);
    expect(ev.errors.map((e) => [e.kind, e.module, e.file, e.line])).toEqual([['import', 'one', 'one.py', 2]]);
    expect(ev.errors[0].python?.type).toBe('SyntaxError');
  });

  test('a path that does not exist', async () => {
    const cwd = writeProject({ 'envs.py': 'x = 1\n' });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py', 'nope.py'], env: { HOME: cwd } });
    expect(ev.errors.map((e) => [e.kind, e.file, e.python?.type])).toEqual([['import', 'nope.py', 'FileNotFoundError']]);
  });

  test('an environment name outside the key grammar is refused, not rewritten', async () => {
    // The SDK's own name rule (snake or kebab case) is inside the key grammar but has no length
    // bound, and a name set after construction is not checked by the SDK at all.
    const long = 'e'.repeat(129);
    const cwd = writeProject({
      'envs.py': `
        import flyte
        a = flyte.TaskEnvironment(name="${long}", image="docker.io/library/python:3.12")
        b = flyte.TaskEnvironment(name="later", image="docker.io/library/python:3.12")
        b.name = "-dash-first"
        c = flyte.TaskEnvironment(name="fine", image="docker.io/library/python:3.12")
      `,
    });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], env: { HOME: cwd } });
    expect(ev.images.map((i) => i.key)).toEqual(['fine']);
    expect(ev.errors.map((e) => [e.kind, e.entity])).toEqual([
      ['key', long],
      ['key', '-dash-first'],
    ]);
    expect(ev.errors[0].message).toContain('cannot be an image key');
  });

  test('an image the SDK cannot hash (a missing requirements file) names its environment', async () => {
    const cwd = writeProject({
      'envs.py': `
        import flyte
        env = flyte.TaskEnvironment(name="lost", image=flyte.Image.from_debian_base(registry="localhost:30000").with_requirements("nope.txt"))
      `,
    });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], env: { HOME: cwd } });
    expect(ev.images).toEqual([]);
    expect(ev.errors.map((e) => [e.kind, e.entity])).toEqual([['image', 'lost']]);
  });

  test('an interpreter without the flyte SDK', async () => {
    const cwd = writeProject({ 'envs.py': 'x = 1\n' });
    const ev = await evaluateFlyte2({ python: 'python3', cwd, paths: ['envs.py'], env: { HOME: cwd } });
    expect(ev.errors.map((e) => [e.kind, e.python?.type])).toEqual([['helper', 'ModuleNotFoundError']]);
    expect(ev.errors[0].message).toMatch(/^the flyte SDK could not be loaded in this interpreter: ModuleNotFoundError/);
  });

  test('an answer forged by user code is validated like any untrusted input', async () => {
    const cwd = writeProject({
      'envs.py': `
        import json, os, sys
        answer = {"protocol": 1, "ok": True, "result": {"flyte": "2", "python": "3", "rootDir": ".", "errors": [],
                  "environments": [{"env": "x", "type": "TaskEnvironment", "image": {"uri": 5}}]}}
        open(sys.argv[2], "w").write(json.dumps(answer))
        os._exit(0)
      `,
    });
    const ev = await evaluateFlyte2({ python, cwd, paths: ['envs.py'], env: { HOME: cwd } });
    expect(ev.images).toEqual([]);
    expect(ev.errors.map((e) => [e.kind, e.message])).toEqual([
      ['protocol', "the Python helper's answer is malformed (result.environments[0].image.unmodified: expected a boolean)"],
    ]);
  });
});
