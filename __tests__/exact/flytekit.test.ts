/**
 * The exact engine against real flytekit 1.16.24 (the venv of `scripts/infra.sh install`), on
 * projects written to disk, compared with `pyflyte package` itself (an unpatched CLI run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateWithFlytekit, ExactImage, FlytekitEvaluation } from '../../src/exact/flytekit';
import { PythonFrame } from '../../src/exact/errors';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { flytekitPython, pyflytePackage, writeProject } from './projects';

const REGISTRY_ENV = { IMAGE_REGISTRY: 'localhost:30000/team' };

/** A flytesnacks-style project: a constants registry read from os.getenv, sibling imports, nested specs, with_* chains, a sub-package, a ContainerTask, unused and union specs. */
const PROJECT = {
  'requirements.txt': 'pandas==2.2.2\n',
  'workflows/__init__.py': '',
  'workflows/constants.py': `
    import os
    REGISTRY = os.getenv("IMAGE_REGISTRY", "localhost:30000")
    MISSING = os.environ.get("NOT_SET_ANYWHERE")
    PACKAGES = ["scikit-learn==1.5.0", f"union=={'0.1.157'}"]
  `,
  'workflows/images.py': `
    from flytekit import ImageSpec
    from flytekit.constants import CopyFileDetection
    from workflows.constants import REGISTRY, PACKAGES

    base = ImageSpec(name="base", registry=REGISTRY, packages=PACKAGES, python_version="3.11")
    gpu = base.with_apt_packages(["curl"]).with_commands(["echo ready"])
    nested = ImageSpec(name="nested", base_image=base, registry=REGISTRY, packages=["numpy"], env={"A": "1"})
    unused = ImageSpec(name="unused", registry=REGISTRY, platform="linux/arm64")
    everything = ImageSpec(name="all-files", registry=REGISTRY, source_root=".", source_copy_mode=CopyFileDetection.ALL)
  `,
  'workflows/train.py': `
    from flytekit import ImageSpec, task, workflow
    from .images import base, gpu, everything
    from .constants import REGISTRY

    @task(container_image=base)
    def prepare(x: int) -> int:
        return x

    @task(container_image=gpu)
    def fit(x: int) -> int:
        return x

    @task(container_image=ImageSpec(name="inline", registry=REGISTRY, requirements="requirements.txt"))
    def score(x: int) -> int:
        return x

    @task(container_image=everything)
    def report(x: int) -> int:
        return x

    @workflow
    def pipeline(x: int) -> int:
        return report(x=score(x=fit(x=prepare(x=x))))
  `,
  'workflows/sub/__init__.py': '',
  'workflows/sub/etl.py': `
    from flytekit import ContainerTask, ImageSpec, kwtypes, task
    from workflows.images import nested, base
    from workflows.constants import REGISTRY

    @task(container_image=nested)
    def extract(x: int) -> int:
        return x

    raw = ContainerTask(
        name="raw",
        image=ImageSpec(name="raw", registry=REGISTRY, base_image=ImageSpec(name="rawbase", registry=REGISTRY)),
        command=["echo", "hi"],
        inputs=kwtypes(x=int),
    )
  `,
};

function byKey(ev: FlytekitEvaluation): Record<string, ExactImage> {
  return Object.fromEntries(ev.images.map((i) => [i.key, i]));
}

function describeErrors(ev: FlytekitEvaluation): string[] {
  return ev.errors.map((e) => `${e.kind}: ${e.describe()}`);
}

describe('evaluateWithFlytekit on a multi-module project', () => {
  const python = flytekitPython();
  const cwd = writeProject(PROJECT);
  let fast: FlytekitEvaluation;
  let none: FlytekitEvaluation;

  beforeAll(async () => {
    [fast, none] = await Promise.all([
      evaluateWithFlytekit({ python, cwd, paths: ['workflows'], copy: 'fast', env: REGISTRY_ENV }),
      evaluateWithFlytekit({ python, cwd, paths: ['workflows'], copy: 'none', env: REGISTRY_ENV }),
    ]);
  });

  test('finds every image a task uses, the bases they need, and unused module-level specs, keyed by the rule', () => {
    expect(describeErrors(fast)).toEqual([]);
    const images = byKey(fast);
    expect(Object.fromEntries(Object.entries(images).map(([k, i]) => [k, i.status]))).toEqual({
      'workflows.images.base': 'used',
      'workflows.images.gpu': 'used',
      'workflows.images.everything': 'used',
      'workflows.images.nested': 'used',
      'workflows.images.unused': 'unused',
      'workflows.train.score': 'used',
      'workflows.sub.etl.raw': 'used',
      'workflows.sub.etl.raw.base_image': 'base',
    });
    expect(images['workflows.images.nested'].baseKey).toBe('workflows.images.base');
    expect(images['workflows.images.gpu'].source).toEqual({
      file: 'workflows/images.py',
      line: 6,
      col: 7,
      module: 'workflows.images',
      name: 'workflows.images.gpu',
    });
    expect(images['workflows.train.score'].source).toEqual({
      file: 'workflows/train.py',
      line: 13,
      col: 23,
      module: 'workflows.train',
      name: undefined,
    });
    expect(images['workflows.images.base']).toMatchObject({
      usedBy: ['workflows.train.prepare'],
      baseOf: ['workflows.images.nested'],
      used: true,
    });
    expect(images['workflows.sub.etl.raw']).toMatchObject({ usedBy: ['raw'], baseOf: [], used: true });
    expect(images['workflows.sub.etl.raw.base_image']).toMatchObject({ usedBy: [], baseOf: ['workflows.sub.etl.raw'], used: false });
    for (const image of fast.images) expect(image.key).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    expect(images['workflows.images.base'].imageName.startsWith('localhost:30000/team/base:')).toBe(true);
    expect(fast.runs[0]).toMatchObject({ flytekit: '1.16.24', root: '.', modules: ['workflows'] });
  });

  test('fast registration: the names pyflyte package --copy all writes into the tasks', () => {
    const oracle = pyflytePackage(cwd, cwd, 'all', ['workflows'], REGISTRY_ENV);
    const ours: Record<string, string> = {};
    for (const image of fast.images) for (const t of image.tasks) ours[t.task] = t.image ?? '';
    for (const image of fast.images) for (const t of image.tasks) expect(t.image).toBe(image.registeredName);
    expect(ours).toEqual(oracle);
  });

  test('non-fast registration (--copy none): loaded-module digests, the names pyflyte package --copy none gives', () => {
    expect(describeErrors(none)).toEqual([]);
    const oracle = pyflytePackage(cwd, cwd, 'none', ['workflows'], REGISTRY_ENV);
    const ours: Record<string, string> = {};
    for (const image of none.images) for (const t of image.tasks) ours[t.task] = t.image ?? '';
    expect(ours).toEqual(oracle);
    const f = byKey(fast);
    const n = byKey(none);
    // Copy handling sets source_root on the specs tasks use; nested bases and unused specs keep theirs.
    expect(n['workflows.images.base'].imageName).not.toBe(f['workflows.images.base'].imageName);
    expect(n['workflows.images.base'].spec.values.source_root).toEqual({ kind: 'str', value: fs.realpathSync(cwd) });
    expect(n['workflows.images.unused'].imageName).toBe(f['workflows.images.unused'].imageName);
    expect(n['workflows.sub.etl.raw.base_image'].imageName).toBe(f['workflows.sub.etl.raw.base_image'].imageName);
    // workflows.sub.etl loads before workflows.train: `nested` is built on `base` before the task using
    // `base` gives it a source_root, so flytekit builds `base` under two names. Both are images to build.
    expect(n['workflows.images.nested'].baseKey).toBe('workflows.images.nested.base_image');
    expect(n['workflows.images.nested.base_image']).toMatchObject({ status: 'base', baseOf: ['workflows.images.nested'], usedBy: [] });
    expect(n['workflows.images.nested.base_image'].imageName).toBe(f['workflows.images.base'].imageName);
    expect(n['workflows.images.base'].baseOf).toEqual([]);
  });

  test("records are the project's ImageSpec shape: the TypeScript engine gives flytekit's id, and its names where no loaded modules are hashed", () => {
    const digests = fsDigests(cwd, cwd);
    for (const ev of [fast, none]) {
      for (const image of ev.images) {
        expect([ev === fast, image.key, specId(image.spec)]).toEqual([ev === fast, image.key, image.id]);
        if (ev === fast && image.key !== 'workflows.images.everything') {
          expect(computeTag(image.spec, digests).imageName).toBe(image.imageName);
        }
      }
    }
  });
});

describe("evaluateWithFlytekit on the repository's example project", () => {
  test('examples/python, run from the repository root as the action runs: keys, statuses and the names pyflyte writes', async () => {
    const python = flytekitPython();
    const repo = path.resolve(__dirname, '..', '..');
    const env = { FLYTE_IMAGE_REGISTRY: 'localhost:5000/ci' };
    const ev = await evaluateWithFlytekit({ python, cwd: repo, paths: ['examples/python/workflows'], copy: 'fast', env });
    expect(describeErrors(ev)).toEqual([]);
    expect(ev.images.map((i) => [i.key, i.status, i.source.file])).toEqual([
      ['workflows.images.base_image', 'used', 'examples/python/workflows/images.py'],
      ['workflows.images.numpy_image', 'used', 'examples/python/workflows/images.py'],
      ['workflows.images.experimental_image', 'unused', 'examples/python/workflows/images.py'],
    ]);
    expect(ev.runs[0]).toMatchObject({ root: 'examples/python', modules: ['workflows'] });
    const ours: Record<string, string> = {};
    for (const image of ev.images) for (const t of image.tasks) ours[t.task] = t.image ?? '';
    expect(ours).toEqual(pyflytePackage(repo, path.join(repo, 'examples', 'python'), 'all', ['workflows'], env));
    expect(fs.existsSync(path.join(repo, 'examples', 'python', 'workflows', '__pycache__'))).toBe(false);
  });
});

describe('evaluateWithFlytekit on other task kinds', () => {
  test('@dynamic, @eager, map_task and a task in a nested package: the images pyflyte package writes', async () => {
    const python = flytekitPython();
    const cwd = writeProject({
      'kinds/__init__.py': '',
      'kinds/deep/__init__.py': '',
      'kinds/deep/er/__init__.py': '',
      'kinds/deep/er/flows.py': `
        from flytekit import ImageSpec, dynamic, eager, map_task, task, workflow
        img = ImageSpec(name="kinds", registry="localhost:30000", packages=["x"])

        @task(container_image=img.with_packages(["mapped"]))
        def square(x: int) -> int:
            return x * x

        @dynamic(container_image=img)
        def fan(n: int) -> int:
            return n

        @eager(container_image=ImageSpec(name="eager", registry="localhost:30000"))
        async def driver(n: int) -> int:
            return n

        @workflow
        def wf(xs: list[int]) -> list[int]:
            return map_task(square)(x=xs)
      `,
    });
    for (const copy of ['fast', 'none'] as const) {
      const ev = await evaluateWithFlytekit({ python, cwd, paths: ['kinds'], copy });
      expect(describeErrors(ev)).toEqual([]);
      const ours: Record<string, string> = {};
      for (const image of ev.images) for (const t of image.tasks) ours[t.task] = t.image ?? '';
      const oracle = pyflytePackage(cwd, cwd, copy === 'fast' ? 'all' : 'none', ['kinds']);
      for (const [task, image] of Object.entries(oracle)) if (ours[task] !== undefined) expect([task, ours[task]]).toEqual([task, image]);
      expect(Object.keys(ours).sort()).toEqual(
        ['kinds.deep.er.flows.driver', 'kinds.deep.er.flows.fan', 'kinds.deep.er.flows.square'].sort(),
      );
      expect(ev.images.map((i) => i.key).sort()).toEqual([
        'kinds.deep.er.flows.driver',
        'kinds.deep.er.flows.img',
        'kinds.deep.er.flows.square',
      ]);
    }
  });
});

describe('evaluateWithFlytekit on what pyflyte cannot build', () => {
  const python = flytekitPython();

  test('builder="union" without its plugin, noop images and a spec passed through a list', async () => {
    const cwd = writeProject({
      'app/__init__.py': '',
      'app/flows.py': `
        import flytekit as fl
        hosted = fl.ImageSpec(name="hosted", builder="union", registry="ghcr.io/acme", packages=["union"])
        prebuilt = fl.ImageSpec(builder="noop", base_image="ghcr.io/acme/prebuilt:1.0")
        specs = [fl.ImageSpec(name="listed", registry="ghcr.io/acme")]

        @fl.task(container_image=hosted)
        def remote_built() -> None: ...

        @fl.task(container_image=prebuilt)
        def as_is() -> None: ...

        @fl.task(container_image=specs[0])
        def from_list() -> None: ...
      `,
    });
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['app/flows.py'], copy: 'fast' });
    expect(describeErrors(ev)).toEqual([]);
    const images = byKey(ev);
    expect(images['app.flows.hosted']).toMatchObject({ builder: 'union', builderRegistered: false, status: 'used' });
    expect(images['app.flows.hosted'].imageName).toMatch(/^ghcr\.io\/acme\/hosted:[A-Za-z0-9_]{22}$/);
    expect(images['app.flows.prebuilt']).toMatchObject({ builder: 'noop', registeredName: 'ghcr.io/acme/prebuilt:1.0' });
    expect(images['app.flows.prebuilt'].imageName).toMatch(/^flytekit:/);
    expect(images['app.flows.specs.0']).toMatchObject({
      status: 'used',
      usedBy: ['app.flows.from_list'],
      source: { line: 4, col: 10, name: 'app.flows.specs.0' },
    });
  });
});

describe('evaluateWithFlytekit reports what goes wrong, located', () => {
  const python = flytekitPython();

  test('a failing import: the module, the traceback frames, the line; the other modules still load', async () => {
    const cwd = writeProject({
      'proj/__init__.py': '',
      'proj/helpers.py': `
        def load():
            raise RuntimeError("cannot reach \\x1b[31mthe\\nfeature store")
      `,
      'proj/broken.py': `
        from proj.helpers import load
        SETTINGS = load()
      `,
      'proj/fine.py': `
        from flytekit import ImageSpec, task
        img = ImageSpec(name="fine", registry="localhost:30000")
        @task(container_image=img)
        def t() -> None: ...
      `,
      'proj/syntax.py': 'def broken(:\n    pass\n',
    });
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['proj'], copy: 'fast' });
    expect(ev.images.map((i) => i.key)).toEqual(['proj.fine.img']);
    const byModule = Object.fromEntries(ev.errors.map((e) => [e.module, e]));
    const broken = byModule['proj.broken'];
    expect(broken).toMatchObject({ kind: 'import', file: 'proj/helpers.py', line: 2 });
    expect(broken.python?.type).toBe('RuntimeError');
    expect(broken.python?.message).toBe('cannot reach \x1b[31mthe\nfeature store');
    expect(broken.python?.frames.map((f: PythonFrame) => [f.file, f.line, f.function])).toEqual([
      ['proj/broken.py', 2, '<module>'],
      ['proj/helpers.py', 2, 'load'],
    ]);
    // The message we build holds no raw control character: the user's text is repr()-quoted.
    expect(broken.message).toBe("importing module 'proj.broken' failed: RuntimeError: 'cannot reach \\x1b[31mthe\\nfeature store'");
    expect([...broken.message].filter((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) < 0xa0))).toEqual([]);
    const syntax = byModule['proj.syntax'];
    expect(syntax).toMatchObject({ kind: 'import', file: 'proj/syntax.py', line: 1 });
    expect(syntax.python?.type).toBe('SyntaxError');
  });

  test('a module that hangs is stopped at the time bound, with its children', async () => {
    const cwd = writeProject({
      'slow/__init__.py': '',
      'slow/mod.py': `
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open("child.pid", "w").write(str(child.pid))
        print("started", flush=True)
        time.sleep(600)
      `,
    });
    const started = Date.now();
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['slow'], copy: 'fast', limits: { timeoutMs: 4000 } });
    expect(Date.now() - started).toBeLessThan(15000);
    expect(ev.errors).toHaveLength(1);
    expect(ev.errors[0]).toMatchObject({ kind: 'timeout' });
    expect(ev.errors[0].log).toContain('started');
    const pid = Number(fs.readFileSync(path.join(cwd, 'child.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    // The grandchild went with the group: gone, or a zombie waiting for an init that may not reap.
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')))).toBe(true);
  });

  test('a module printing without end: the log keeps a bounded head and tail', async () => {
    const cwd = writeProject({
      'loud/__init__.py': '',
      'loud/mod.py': `
        import sys
        from flytekit import ImageSpec, task
        sys.stdout.write("FIRST" + "x" * (40 * 1024 * 1024) + "LAST\\n")
        img = ImageSpec(name="loud", registry="localhost:30000")
        @task(container_image=img)
        def t() -> None: ...
      `,
    });
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['loud'], copy: 'fast', limits: { logBytes: 8192 } });
    expect(describeErrors(ev)).toEqual([]);
    expect(ev.images.map((i) => i.key)).toEqual(['loud.mod.img']);
    const log = ev.runs[0].log;
    expect(log.length).toBeLessThan(8192 + 200);
    expect(log).toContain('FIRST');
    expect(log).toContain('LAST');
    expect(log).toMatch(/bytes of output omitted/);
  });

  test('a module allocating past the memory bound fails its import with MemoryError', async () => {
    const cwd = writeProject({
      'hog/__init__.py': '',
      'hog/mod.py': 'BIG = bytearray(3 * 1024 * 1024 * 1024)\n',
    });
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['hog'], copy: 'fast', limits: { memoryBytes: 1536 * 1024 * 1024 } });
    expect(ev.errors).toHaveLength(1);
    expect(ev.errors[0]).toMatchObject({ kind: 'import', module: 'hog.mod', file: 'hog/mod.py', line: 1 });
    expect(ev.errors[0].python?.type).toBe('MemoryError');
  });

  test('os._exit in user code, a missing interpreter, an interpreter without flytekit', async () => {
    const cwd = writeProject({ 'quit/__init__.py': '', 'quit/mod.py': 'import os\nos._exit(3)\n' });
    const exited = await evaluateWithFlytekit({ python, cwd, paths: ['quit'], copy: 'fast' });
    expect(exited.errors.map((e) => e.kind)).toEqual(['protocol']);
    expect(exited.errors[0].message).toContain('exited with code 3');

    const missing = await evaluateWithFlytekit({ python: path.join(cwd, 'no-such-python'), cwd, paths: ['quit'], copy: 'fast' });
    expect(missing.errors.map((e) => e.kind)).toEqual(['interpreter']);

    const bare = await evaluateWithFlytekit({ python: 'python3', cwd, paths: ['quit'], copy: 'fast', env: { PYTHONPATH: '' } });
    expect(bare.errors.map((e) => e.kind)).toEqual(['helper']);
    expect(bare.errors[0].python?.type).toBe('ModuleNotFoundError');
  });

  test('an answer forged by user code is validated like any untrusted input', async () => {
    const cwd = writeProject({
      'forge/__init__.py': '',
      'forge/mod.py': `
        import json, os, sys
        answer = {"protocol": 1, "ok": True, "result": {"root": ".", "flytekit": "1", "python": "3", "modules": [], "built": [],
                  "unregisteredBuilders": [], "errors": [], "images": [{"ref": 0, "fields": {"name": {"kind": "str", "value": "\\x1b"}}}]}}
        open(sys.argv[2], "w").write(json.dumps(answer))
        os._exit(0)
      `,
    });
    const ev = await evaluateWithFlytekit({ python, cwd, paths: ['forge'], copy: 'fast' });
    expect(ev.images).toEqual([]);
    expect(ev.runs).toEqual([]);
    expect(ev.errors.map((e) => [e.kind, e.message])).toEqual([
      ['protocol', "the Python helper's answer is malformed (result.images[0].fields: field python_version missing)"],
    ]);
  });

  test('user code sees only the documented variables and the ones passed', async () => {
    const cwd = writeProject({
      'envs/__init__.py': '',
      'envs/mod.py': `
        import os
        from flytekit import ImageSpec
        seen = ImageSpec(name="env", env={k: "" for k in sorted(os.environ)})
      `,
    });
    const saved = process.env.EXACT_TEST_SECRET;
    process.env.EXACT_TEST_SECRET = 'do-not-pass';
    try {
      const ev = await evaluateWithFlytekit({ python, cwd, paths: ['envs'], copy: 'fast', env: { REGISTRY: 'x' } });
      const env = ev.images[0].spec.values.env;
      const names = env.kind === 'dict' ? env.entries.map(([k]) => (k.kind === 'str' ? k.value : '?')) : [];
      expect(names).toContain('REGISTRY');
      expect(names).toContain('PATH');
      expect(names).toContain('PYTHONDONTWRITEBYTECODE');
      expect(names).not.toContain('EXACT_TEST_SECRET');
      expect(names.filter((n) => n.startsWith('INPUT_') || n.startsWith('ACTIONS_') || n === 'GITHUB_TOKEN')).toEqual([]);
      // No bytecode was written into the project.
      expect(fs.existsSync(path.join(cwd, 'envs', '__pycache__'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.EXACT_TEST_SECRET;
      else process.env.EXACT_TEST_SECRET = saved;
    }
  });
});
