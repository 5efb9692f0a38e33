/**
 * Non-fast registration (`--copy none`) through the bundled action with the exact engine, the real
 * BuildKit and registry: flytekit names the image by the modules pyflyte imported, and its builder
 * copies those modules into `/root`. The action must push that image under flytekit's name, with
 * exactly those files (pyflyte's `package --copy none` is the oracle for the name).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchBlob, fetchManifest, loadInfraEnv, workspace } from '../support/fixtures';
import { imagesOf, REPO_ROOT, runStep } from '../support/runner';
import { flytekitPython, pyflytePackage } from '../exact/projects';

const REGISTRY = '127.0.0.1:5000';

beforeAll(() => {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'start'], { stdio: 'ignore', timeout: 600_000 });
  loadInfraEnv();
}, 600_000);

/** Every file path in the image's layers (single-platform manifest on the plain registry), with its content. */
async function imageFiles(image: string): Promise<Map<string, Buffer>> {
  const manifest = await fetchManifest<{ layers: Array<{ digest: string }> }>(image);
  const files = new Map<string, Buffer>();
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'layers-'));
  try {
    for (const [i, layer] of manifest.layers.entries()) {
      const blob = await fetchBlob(image, layer.digest);
      const out = path.join(dir, String(i));
      fs.mkdirSync(out);
      const names = execFileSync('tar', ['-tzf', '-'], { input: blob, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).split('\n');
      if (!names.some((n) => n.startsWith('root/'))) continue;
      execFileSync('tar', ['-xzf', '-', '-C', out, '--wildcards', 'root/*'], { input: blob, stdio: ['pipe', 'ignore', 'pipe'] });
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) files.set(path.relative(out, p), fs.readFileSync(p));
        }
      };
      if (fs.existsSync(path.join(out, 'root'))) walk(path.join(out, 'root'));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return files;
}

test('non-fast registration: the image holds the modules pyflyte imported, under flytekit’s name', async () => {
  const ns = `nonfast${Date.now()}`;
  const tasks = [
    'from flytekit import task',
    'from app.images import img',
    'from app import helpers',
    '@task(container_image=img)',
    'def t() -> int:',
    '    return helpers.answer()',
    '',
  ].join('\n');
  const ws = workspace(
    {
      'app/__init__.py': '',
      // The seeded base image and the local package index: the build runs offline.
      'app/images.py': [
        'from flytekit import ImageSpec',
        `img = ImageSpec(name="nonfast", registry="${REGISTRY}/${ns}", python_version="3.11", base_image="python:3.11-slim-bookworm",`,
        '                python_exec="/usr/local/bin/python", pip_index="http://127.0.0.1:3141/simple")',
        '',
      ].join('\n'),
      'app/helpers.py': 'def answer() -> int:\n    return 42\n',
      'app/tasks.py': tasks,
      // Never imported: flytekit neither hashes nor copies it.
      'app/notes/draft.py': 'raise SystemExit("not imported")\n',
      'README.md': 'not a module\n',
    },
    'nonfast-',
  );
  const root = fs.realpathSync(ws);
  const step = (specs: string, mode: string) =>
    runStep({
      workspace: root,
      with: { specs, mode, python: flytekitPython(), registration: 'non-fast' },
      env: process.env as Record<string, string>,
    });
  // The name pyflyte itself gives the task's image under --copy none, for `pyflyte register app`.
  const pyflyte = pyflytePackage(root, root, 'none', ['app'])['app.tasks.t'];
  // Globs that take the package's __init__.py, or only the task module, load the same modules.
  const planned = imagesOf(await step('app/tasks.py', 'plan')).find((i) => i.key === 'app.images.img');
  expect(planned?.image).toBe(pyflyte);

  const r = await step('app/*.py', 'build');
  if (r.exitCode !== 0) throw new Error(`step failed:\n${r.stdout.split('\n').slice(-40).join('\n')}\n${r.stderr}`);
  const [image] = imagesOf(r).filter((i) => i.key === 'app.images.img');
  expect(image.status).toBe('built');
  expect(image.image).toBe(pyflyte);

  const files = await imageFiles(image.image);
  const copied = [...files.keys()].filter((f) => f.startsWith('root/app/')).sort();
  expect(copied).toEqual(['root/app/__init__.py', 'root/app/helpers.py', 'root/app/images.py', 'root/app/tasks.py']);
  expect(files.get('root/app/tasks.py')?.toString()).toBe(tasks);
}, 900_000);
