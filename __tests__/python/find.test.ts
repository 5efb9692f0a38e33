/**
 * findPythonImageSpecs on hand-written projects: layouts and shapes the generator does not make
 * (flytesnacks-style packages, dict elements, positional ContainerTask, union, fast-registration
 * copy handling), the key rule, and located errors. Names are checked against flytekit itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findPythonImageSpecs, FindResult } from '../../src/python';
import { KEY_RE, sanitizeKey } from '../../src/plan/keys';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { oracleAndProjects } from './pyOracle';

const { ask, project } = oracleAndProjects('pystatic-find-');

const pyFiles = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.py')).sort();

function find(root: string, env: Record<string, string> = {}): FindResult {
  return findPythonImageSpecs(pyFiles(root), { root, env, hostMachine: 'x86_64' });
}

const named = (r: FindResult, root: string) =>
  Object.fromEntries(r.specs.map((s) => [s.key, computeTag(s.spec, fsDigests(root, root)).imageName + ' ' + specId(s.spec)]));

/** Each task's image name and id from flytekit, importing the modules as pyflyte does. */
async function flytekitTasks(root: string, modules: string[], env: Record<string, string | null> = {}) {
  const a = await ask({ root, modules, env });
  if (!a.ok) throw new Error(`flytekit refused: ${a.type}: ${a.message}\n${a.tb}`);
  return Object.fromEntries(Object.entries(a.tasks).map(([t, v]) => [t, `${v.image_name} ${v.id}`]));
}

function staticTasks(r: FindResult, root: string) {
  const out: Record<string, string> = {};
  for (const s of r.specs) for (const t of s.usedBy) out[t] = computeTag(s.spec, fsDigests(root, root)).imageName + ' ' + specId(s.spec);
  return out;
}

const FLYTESNACKS = {
  'workflows/__init__.py': '',
  'workflows/constants.py': 'REGISTRY = "ghcr.io/Acme"\nPY = 3.10\n',
  'workflows/images.py': [
    'import os',
    'from flytekit import ImageSpec',
    'from .constants import REGISTRY, PY',
    'base_image = ImageSpec(name="base", registry=os.getenv("IMG_REGISTRY", REGISTRY), python_version=PY, packages=["pandas==2.2.0"])',
    'gpu_image = base_image.with_packages(["torch"]).with_apt_packages("curl").force_push()',
    'unused_image = ImageSpec(name="never-built", packages=["x"])',
    'hosted = ImageSpec(name="hosted", builder="union", packages=["y"])',
    '',
  ].join('\n'),
  'workflows/train.py': [
    'import flytekit as fl',
    'from flytekit import ContainerTask, ImageSpec',
    'from flytekit.image_spec.image_spec import CopyFileDetection',
    'from workflows.images import base_image, gpu_image',
    'from workflows import images',
    'IMAGES = {"gpu": gpu_image.with_commands(["echo hi"]), "cpu": base_image}',
    'LISTED = [ImageSpec(name="l0"), ImageSpec(name="l1", python_version="3.12")]',
    '',
    '@fl.task(container_image=base_image)',
    'def prep() -> None: ...',
    '',
    '@fl.dynamic(container_image=IMAGES["gpu"])',
    'def train() -> None: ...',
    '',
    '@fl.task(container_image=LISTED[-1])',
    'def listed() -> None: ...',
    '',
    '@fl.task(container_image=ImageSpec(name="inline", packages=["a"]).with_packages("b"))',
    'def inline() -> None: ...',
    '',
    '@fl.task(container_image=images.hosted)',
    'def hosted_task() -> None: ...',
    '',
    '@fl.task(container_image=ImageSpec(name="copy-all", source_copy_mode=CopyFileDetection.ALL))',
    'def copies() -> None: ...',
    '',
    'positional = ContainerTask("ct_positional", ImageSpec(name="ct", base_image=base_image), ["echo"])',
    '',
    'if __name__ == "__main__":',
    '    gpu_image = None',
    '',
  ].join('\n'),
};

test('a flytesnacks-style package: every task image equals flytekit’s (fast registration), with stable keys', async () => {
  for (const env of [{}, { IMG_REGISTRY: 'localhost:30000/team' }] as Array<Record<string, string>>) {
    // A fresh copy each time: the flytekit process keeps imported modules.
    const root = project(FLYTESNACKS);
    const r = find(root, env);
    expect(r.errors.map((e) => e.describe())).toEqual([]);
    expect(staticTasks(r, root)).toEqual(
      await flytekitTasks(root, ['workflows.images', 'workflows.train'], { IMG_REGISTRY: null, ...env }),
    );
  }
  const root = project(FLYTESNACKS);
  const r = find(root);
  const byKey = Object.fromEntries(r.specs.map((s) => [s.key, s]));
  expect(Object.keys(byKey).sort()).toEqual(
    [
      'workflows.images.base_image',
      'workflows.images.gpu_image',
      'workflows.images.hosted',
      'workflows.images.unused_image',
      'workflows.train.IMAGES.gpu',
      'workflows.train.LISTED.0',
      'workflows.train.LISTED.1',
      'workflows.train.copies',
      'workflows.train.inline',
      'workflows.train.positional',
    ].sort(),
  );
  for (const k of Object.keys(byKey)) expect(k).toMatch(KEY_RE);
  expect(byKey['workflows.images.unused_image'].used).toBe(false);
  expect(byKey['workflows.images.base_image'].usedBy).toEqual(['workflows.train.prep']);
  expect(byKey['workflows.images.base_image'].baseOf).toEqual(['workflows.train.positional']);
  expect(byKey['workflows.train.positional'].baseKey).toBe('workflows.images.base_image');
  expect(byKey['workflows.images.base_image'].baseKey).toBeUndefined();
  expect(byKey['workflows.train.positional'].usedBy).toEqual(['ct_positional']);
  expect(byKey['workflows.images.hosted'].spec.values.builder).toEqual({ kind: 'str', value: 'union' });
  expect(byKey['workflows.images.base_image'].source).toEqual({
    file: 'workflows/images.py',
    line: 4,
    col: 14,
    module: 'workflows.images',
    name: 'workflows.images.base_image',
  });
  // `3.10` is the float 3.1, as Python reads it.
  expect(byKey['workflows.images.base_image'].spec.values.python_version).toMatchObject({ kind: 'float', value: 3.1 });
  // Fast registration gives the task's copy-all spec the project root, as flytekit does.
  expect(byKey['workflows.train.copies'].spec.values.source_root).toMatchObject({ kind: 'str', value: root });
});

test('union.ImageSpec and union.task name images as flytekit’s own classes do', async () => {
  const src = (lib: string) =>
    [
      `import ${lib}`,
      `from ${lib} import ImageSpec as IS`,
      `img = ${lib}.ImageSpec(name="u", registry="ghcr.io/u", packages=["union==0.1.157"], builder="union")`,
      'other = IS(name="v", base_image=img)',
      `@${lib}.task(container_image=other)`,
      'def t() -> None: ...',
      '',
    ].join('\n');
  const withUnion = project({ 'app/__init__.py': '', 'app/wf.py': src('union') });
  const withFlytekit = project({ 'app/__init__.py': '', 'app/wf.py': src('flytekit') });
  const r = find(withUnion);
  expect(r.errors).toEqual([]);
  expect(named(r, withUnion)).toEqual(named(find(withFlytekit), withFlytekit));
  expect(staticTasks(r, withUnion)).toEqual(await flytekitTasks(withFlytekit, ['app.wf']));
});

test('numbers keep their Python types: big ints exact, floats from their source text', () => {
  const root = project({
    'm.py':
      'from flytekit import ImageSpec\ns = ImageSpec(builder_options={"a": 12345678901234567890123, "b": 1e3, "c": 0x1F, "d": -0.0, "e": 1_000})\n',
  });
  const opts = find(root).specs[0].spec.values.builder_options;
  expect(opts.kind === 'dict' && opts.entries.map(([, v]) => v)).toEqual([
    { kind: 'int', value: 12345678901234567890123n },
    { kind: 'float', value: 1000 },
    { kind: 'int', value: 31n },
    { kind: 'float', value: -0 },
    { kind: 'int', value: 1000n },
  ]);
});

describe('located errors', () => {
  const one = (files: Record<string, string>, env: Record<string, string> = {}) => {
    const r = find(project(files), env);
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0];
    return { reason: e.reason, file: e.file, line: e.line, col: e.col, message: e.message };
  };

  test('an unsupported sub-expression, at its exact line and column, naming the exact engine', () => {
    const e = one({
      'a.py': 'from flytekit import ImageSpec\nimg = ImageSpec(\n    name="x",\n    packages=["a", *[p for p in "bc"]],\n)\n',
    });
    expect(e).toMatchObject({ reason: 'unsupported', file: 'a.py', line: 4, col: 21 });
    expect(e.message).toMatch(/list comprehension.*exact engine/);
  });

  test('columns count characters, not UTF-8 bytes', () => {
    const e = one({ 'a.py': 'from flytekit import ImageSpec\nimg = ImageSpec(name="日本", registry=f"{x if y else z}")\n' });
    expect(e).toMatchObject({ reason: 'unsupported', line: 2, col: 40 });
  });

  test('ImageSpec.from_env needs an interpreter', () => {
    expect(one({ 'a.py': 'import flytekit as fl\nimg = fl.ImageSpec.from_env(name="x")\n' })).toMatchObject({
      reason: 'unsupported',
      line: 2,
      col: 7,
    });
  });

  test('a \\N{...} escape is refused rather than hashed wrong', () => {
    expect(one({ 'a.py': 'from flytekit import ImageSpec\nimg = ImageSpec(name="a\\N{BULLET}")\n' })).toMatchObject({
      reason: 'unsupported',
      line: 2,
      col: 22,
    });
  });

  test('a name assigned under if, used by a task, points at the if statement', () => {
    const e = one({
      'a.py':
        'import os\nfrom flytekit import ImageSpec, task\nif os.getenv("GPU"):\n    img = ImageSpec(name="gpu")\nelse:\n    img = ImageSpec(name="cpu")\n@task(container_image=img)\ndef t() -> None: ...\n',
    });
    expect(e).toMatchObject({ reason: 'unsupported', line: 3, col: 1 });
  });

  test('flytekit’s own refusals are invalid, not unsupported', () => {
    expect(one({ 'a.py': 'import os\nfrom flytekit import ImageSpec\nimg = ImageSpec(name=os.environ["NOPE"])\n' })).toMatchObject({
      reason: 'invalid',
      line: 3,
      col: 22,
    });
    expect(one({ 'a.py': 'from flytekit import ImageSpec\nimg = ImageSpec(secrets=["a"])\n' })).toMatchObject({
      reason: 'invalid',
      line: 2,
      col: 17,
    });
    expect(one({ 'a.py': 'from flytekit import ImageSpec\nimg = ImageSpec(registry="ghcr.io/x:1")\n' })).toMatchObject({
      reason: 'invalid',
      line: 2,
    });
  });

  test('a pathlib.Path as a field value is refused (flytekit would hash its absolute repr)', () => {
    expect(
      one({
        'a.py': 'from pathlib import Path\nfrom flytekit import ImageSpec\nimg = ImageSpec(requirements=Path(__file__).parent / "r.txt")\n',
      }),
    ).toMatchObject({
      reason: 'unsupported',
      line: 3,
    });
  });

  test('an unknown decorator taking container_image', () => {
    expect(one({ 'a.py': 'from mylib import my_task\n@my_task(container_image="x")\ndef t(): ...\n' })).toMatchObject({
      reason: 'unsupported',
      line: 2,
      col: 2,
    });
  });

  test('invalid Python is a syntax error on its line', () => {
    expect(one({ 'a.py': 'x = 1\ndef (:\n' })).toMatchObject({ reason: 'syntax', file: 'a.py', line: 2 });
  });

  test('unrelated code the engine does not understand is ignored', () => {
    const r = find(
      project({
        'a.py': 'import pandas as pd\ndf = pd.read_csv("x")\nn = len([1, 2])\nfrom flytekit import ImageSpec\nimg = ImageSpec(name="ok")\n',
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.specs.map((s) => s.key)).toEqual(['a.img']);
  });
});

test('modules outside the root are not read, even through a symlink', () => {
  const outside = project({ 'secret.py': 'from flytekit import ImageSpec\nimg = ImageSpec(name="leak")\n' });
  const root = project({
    'pkg/__init__.py': '',
    'pkg/a.py': 'from .link import img\nfrom flytekit import task\n@task(container_image=img)\ndef t(): ...\n',
  });
  fs.symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'pkg/link.py'));
  const r = findPythonImageSpecs(['pkg/a.py'], { root, env: {} });
  expect(r.specs).toEqual([]);
  expect(r.errors.map((e) => [e.reason, e.message])).toEqual([
    ['invalid', expect.stringMatching(/cannot resolve the relative import of \.link/)],
  ]);
});

test('keys: characters outside the rule become _, long keys are cut, repeats get a suffix', () => {
  expect(sanitizeKey('pkg.mod.IMAGES.gpu/a100')).toBe('pkg.mod.IMAGES.gpu_a100');
  expect(sanitizeKey('.x')).toBe('_.x');
  expect(sanitizeKey('a'.repeat(200), '-2')).toHaveLength(128);
  const r = find(project({ 'a.py': 'from flytekit import ImageSpec\nD = {"x y": ImageSpec(name="1"), "x_y": ImageSpec(name="2")}\n' }));
  expect(r.specs.map((s) => s.key)).toEqual(['a.D.x_y', 'a.D.x_y-2']);
});

describe('hostile modules end in errors, not in a crash or a hang', () => {
  test('sixty doublings of a string stop at the size limit', () => {
    const lines = ['from flytekit import ImageSpec', 'a0 = "xx"'];
    for (let i = 1; i <= 60; i++) lines.push(`a${i} = a${i - 1} + a${i - 1}`);
    lines.push('img = ImageSpec(name=a60)', '');
    const r = find(project({ 'h.py': lines.join('\n') }));
    expect(r.specs).toEqual([]);
    expect(r.errors.map((e) => [e.reason, e.line])).toEqual([['unsupported', 21]]);
  });

  test('deep nesting is refused as a whole module', () => {
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    const r = find(project({ 'd.py': `from flytekit import ImageSpec\nimg = ImageSpec(packages=${deep})\n` }));
    expect(r.specs).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(['syntax', 'unsupported']).toContain(r.errors[0].reason);
  });

  test('an ImageSpec built under if is reported even when no task uses it', () => {
    const r = find(project({ 'c.py': 'import os\nfrom flytekit import ImageSpec\nif os.getenv("X"):\n    img = ImageSpec(name="x")\n' }));
    expect(r.errors.map((e) => [e.reason, e.line, e.col])).toEqual([['unsupported', 3, 1]]);
  });
});

test('repository text in messages is escaped: control characters never reach a log line raw', () => {
  const r = find(project({ 'e.py': 'from flytekit import ImageSpec\nfrom lib import f\nimg = ImageSpec(name=f("a\x1b[31m"))\n' }));
  expect(r.errors).toHaveLength(1);
  expect([...r.errors[0].message].filter((c) => c < ' ' || c === '\x7f')).toEqual([]);
  expect(r.errors[0].message).toContain('f("a\\x1b[31m")');
  const bad = find(project({ 'k.py': 'from flytekit import ImageSpec\nimg = ImageSpec(**{"x\x1b]8;;": 1})\n' }));
  expect(bad.errors[0].message).toContain("'x\\x1b]8;;'");
});

test('a task environment the engine does not know (union ActorEnvironment) is reported, not silently unused', () => {
  const r = find(
    project({
      'a.py':
        'import union\nimg = union.ImageSpec(name="actor")\nactor = union.actor.ActorEnvironment(name="a", container_image=img)\n@actor.task\ndef t() -> None: ...\n',
    }),
  );
  expect(r.errors.map((e) => [e.reason, e.line, e.col])).toEqual([['unsupported', 3, 9]]);
  expect(r.errors[0].message).toContain('union.actor.ActorEnvironment(container_image=...)');
});
