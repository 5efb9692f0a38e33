/**
 * ImageSpecs written in Python through the bundled action (plan mode), with both engines: a
 * flytesnacks-style project beside a YAML spec, and the repository's own example project. Every
 * image a task uses must carry flytekit's name and id, computed here by flytekit importing the
 * modules as pyflyte does.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, runStep, StepResult } from '../support/runner';
import { flytekitPython } from '../differential/oracle';
import { oracleAndProjects } from './pyOracle';

interface Rec {
  key: string;
  file: string;
  line?: number;
  origin: string;
  image: string;
  id: string;
  status: string;
}

const { ask, project } = oracleAndProjects('python-action-');

const PROJECT: Record<string, string> = {
  'workflows/__init__.py': '',
  'workflows/constants.py': 'REGISTRY = "ghcr.io/acme"\nPY = "3.11"\n',
  'workflows/images.py': [
    'import os',
    'import flytekit as fl',
    'from .constants import REGISTRY, PY',
    'base_image = fl.ImageSpec(name="base", registry=os.getenv("IMG_REGISTRY", REGISTRY), python_version=PY, packages=["pandas==2.2.0"])',
    'gpu_image = base_image.with_packages(["torch"]).with_apt_packages("curl")',
    'unused_image = fl.ImageSpec(name="never-built", registry=REGISTRY, packages=["x"])',
    'hosted = fl.ImageSpec(name="hosted", builder="union", registry=REGISTRY, packages=["y"])',
    '',
  ].join('\n'),
  'workflows/train.py': [
    'from flytekit import task, workflow, ImageSpec',
    'from .images import base_image, gpu_image, hosted',
    '@task(container_image=base_image)',
    'def prep(n: int) -> int:',
    '    return n',
    '@task(container_image=gpu_image)',
    'def train(n: int) -> int:',
    '    return n',
    '@task(container_image=gpu_image)',
    'def evaluate(n: int) -> int:',
    '    return n',
    '@task(container_image=hosted)',
    'def remote(n: int) -> int:',
    '    return n',
    '@task(container_image=ImageSpec(name="inline", registry="ghcr.io/acme", packages=["requests"]))',
    'def fetch(n: int) -> int:',
    '    return n',
    '@workflow',
    'def wf(n: int = 1) -> int:',
    '    return evaluate(n=train(n=prep(n=fetch(n=n))))',
    '',
  ].join('\n'),
  // A notebook and a YAML spec beside the package: the glob below takes the modules only, the YAML line the spec.
  'workflows/explore.ipynb': '{"cells": []}\n',
  'images/tools.yaml': 'name: tools\nregistry: ghcr.io/acme\npackages: [httpie]\n',
};

async function plan(root: string, specs: string, python: string, env: Record<string, string> = {}): Promise<StepResult> {
  const r = await runStep({
    workspace: root,
    with: { specs, mode: 'plan', python },
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (r.exitCode !== 0) throw new Error(`the step failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** flytekit's image name and id of each task, as `image id`. */
async function flytekitTasks(root: string, modules: string[], env: Record<string, string | null>): Promise<Record<string, string>> {
  const a = await ask({ root, modules, env });
  if (!a.ok) throw new Error(`flytekit refused: ${a.type}: ${a.message}\n${a.tb}`);
  return Object.fromEntries(Object.entries(a.tasks).map(([t, v]) => [t, `${v.image_name} ${v.id}`]));
}

const ENGINES: Array<[string, () => string]> = [
  ['static', () => ''],
  ['exact', () => flytekitPython()],
];

describe.each(ENGINES)('%s engine', (_name, python) => {
  test.each([
    ['the registry variable unset', {}],
    ['the registry variable set', { IMG_REGISTRY: 'registry.example.com/team' }],
  ])('a flytesnacks-style project with %s: flytekit’s names, unused and hosted specs reported, never registered', async (_w, env) => {
    const root = project(PROJECT);
    const r = await plan(root, 'workflows/**/*.py\nimages/*.yaml', python(), env);
    const images = JSON.parse(r.outputs.images) as Rec[];
    const byKey = Object.fromEntries(images.map((i) => [i.key, i]));

    // The oracle is one long-lived process: unset the variable explicitly when the step has none.
    const expected = await flytekitTasks(root, ['workflows.constants', 'workflows.images', 'workflows.train'], {
      IMG_REGISTRY: (env as Record<string, string>).IMG_REGISTRY ?? null,
    });
    const taskImages = new Set(Object.values(expected));
    const used = images.filter((i) => i.origin === 'python' && i.status === 'planned');
    // Every task's image is planned, with flytekit's name and id; a spec two tasks use is one image.
    expect(new Set(used.map((i) => `${i.image} ${i.id}`))).toEqual(new Set([...taskImages].filter((t) => !t.includes('/hosted:'))));
    expect(used).toHaveLength(3);

    expect(byKey['workflows.images.unused_image'].status).toBe('unused');
    expect(byKey['workflows.images.hosted'].status).toBe('external');
    expect(byKey['workflows.images.base_image']).toMatchObject({ file: 'workflows/images.py', line: 4 });
    expect(byKey['workflows.train.fetch']).toMatchObject({ file: 'workflows/train.py', line: 15, status: 'planned' });
    expect(byKey.tools).toMatchObject({ origin: 'yaml', file: 'images/tools.yaml', status: 'planned' });

    // pyflyte is told the used images by id, the YAML spec by key, and nothing about the others.
    const args = r.outputs['image-args'].split(' ');
    const wanted = [...used.map((i) => `${i.id}=${i.image}`), `tools=${byKey.tools.image}`];
    expect(args.filter((a) => a !== '--image').sort()).toEqual(wanted.sort());
    const config = parseYaml(fs.readFileSync(r.outputs['flytekit-config'], 'utf8')) as { images: Record<string, string> };
    expect(config.images).toEqual(Object.fromEntries(wanted.map((w) => w.split('='))));
    expect(r.summary).toContain('workflows/train.py:15');
  });

  test('the repository’s example project', async () => {
    const root = path.join(REPO_ROOT, 'examples', 'python');
    const r = await runStep({
      workspace: root,
      with: { specs: 'workflows/*.py', mode: 'plan', python: python() },
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.exitCode).toBe(0);
    const images = JSON.parse(r.outputs.images) as Rec[];
    const expected = await flytekitTasks(root, ['workflows.images', 'workflows.hello'], {});
    expect(
      images
        .filter((i) => i.status === 'planned')
        .map((i) => `${i.image} ${i.id}`)
        .sort(),
    ).toEqual([...new Set(Object.values(expected))].sort());
    expect(images.find((i) => i.key === 'workflows.images.experimental_image')?.status).toBe('unused');
  });
});

test('a construct the static engine cannot read is an error on its line, naming the exact engine; nothing is planned', async () => {
  const root = project({
    'app/__init__.py': '',
    'app/images.py':
      'import sys\nfrom flytekit import ImageSpec\nimg = ImageSpec(name="x", python_version=f"{sys.version_info.major}.{sys.version_info.minor}")\n',
    'app/tasks.py': 'from flytekit import task\nfrom .images import img\n@task(container_image=img)\ndef t() -> None: ...\n',
  });
  const r = await runStep({ workspace: root, with: { specs: 'app/*.py', mode: 'plan' }, env: { PATH: process.env.PATH ?? '' } });
  expect(r.exitCode).not.toBe(0);
  const err = r.annotations.find((a) => a.level === 'error' && a.props.file === 'app/images.py');
  expect(err).toBeDefined();
  expect(err!.props.line).toBe('3');
  expect(err!.message).toMatch(/exact engine|python/i);
  expect(r.outputs.images).toBeUndefined();
});

test('registration: non-fast without an interpreter is refused', async () => {
  const root = project(PROJECT);
  const r = await runStep({
    workspace: root,
    with: { specs: 'workflows/*.py', mode: 'plan', registration: 'non-fast' },
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(r.exitCode).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/non-fast .*only the exact engine/);
});

test('an id that starts with "-" (one in 32) is in image-args, and pyflyte takes it from there', async () => {
  // packages=["a6"] gives flytekit 1.16 the id "-d_ezKFEt0mCVSiyQr6rxQ"; flytekit itself says so below.
  const files = {
    'app/__init__.py': '',
    'app/tasks.py': [
      'from flytekit import task, ImageSpec',
      'img = ImageSpec(name="x", registry="localhost:30000", packages=["a6"])',
      '@task(container_image=img)',
      'def t() -> None: ...',
      '',
    ].join('\n'),
  };
  const root = project(files);
  const want = await ask({ root, modules: ['app.tasks'], env: {} });
  if (!want.ok) throw new Error(want.message);
  const { id, image_name } = want.tasks['app.tasks.t'];
  expect(id.startsWith('-')).toBe(true);
  for (const [, python] of ENGINES) {
    const r = await plan(root, 'app/*.py', python());
    expect(r.outputs['image-args']).toBe(`--image ${id}=${image_name}`);
    expect(r.annotations.filter((a) => a.level === 'warning')).toEqual([]);
  }
  // pyflyte, registering fast (`--copy all`, as `register` does by default), writes the image named
  // in image-args into the task: a stand-in reference, to tell it apart from one it computed.
  const out = path.join(root, 'out.tgz');
  execFileSync(
    path.join(path.dirname(flytekitPython()), 'pyflyte'),
    ['--pkgs', 'app', 'package', '--copy', 'all', '--image', `${id}=ghcr.io/given/by-args:1`, '-f', '-o', out],
    { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: root, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, stdio: 'pipe' },
  );
  const listing = execFileSync('tar', ['-xzOf', out], { encoding: 'latin1', maxBuffer: 16 * 1024 * 1024 });
  expect(listing).toContain('ghcr.io/given/by-args:1');
});
