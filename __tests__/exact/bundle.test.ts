/**
 * The bundled path: an entry using the exact engine, bundled by ncc the way scripts/build.mjs
 * bundles the action (same flags) with the helpers copied by the same function, run by plain node
 * from a folder that has no src/: the helpers must come from <bundle>/exact/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flytekitPython, writeProject } from './projects';

const root = path.resolve(__dirname, '..', '..');

test('a bundle finds the Python helpers it ships and names the images', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'exact-bundle-'));
  const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
  execFileSync(process.execPath, [ncc, 'build', path.join(__dirname, 'fixtures', 'bundle-entry.ts'), '-o', out, '-t', '-m', '-q'], {
    cwd: root,
  });
  const helpers = path.join(root, 'scripts', 'lib', 'python-helpers.mjs');
  execFileSync(process.execPath, [
    '--input-type=module',
    '-e',
    `import { copyPythonHelpers } from ${JSON.stringify(helpers)}; copyPythonHelpers(${JSON.stringify(root)}, ${JSON.stringify(out)});`,
  ]);
  expect(fs.readdirSync(path.join(out, 'exact')).sort()).toEqual(['exact_protocol.py', 'flyte2_images.py', 'flytekit_images.py']);
  // Only the bundle and its helpers: nothing of the source tree travels along.
  expect(fs.readdirSync(out).filter((n) => n.endsWith('.py'))).toEqual([]);

  const cwd = writeProject({
    'pkg/__init__.py': '',
    'pkg/m.py':
      'from flytekit import ImageSpec, task\nimg = ImageSpec(name="b", registry="localhost:30000")\n@task(container_image=img)\ndef t() -> None: ...\n',
  });
  const bundled = path.join(os.tmpdir(), `exact-bundle-run-${process.pid}`);
  fs.cpSync(out, bundled, { recursive: true });
  const answer = JSON.parse(
    execFileSync(process.execPath, [path.join(bundled, 'index.js'), flytekitPython(), cwd, 'pkg'], { encoding: 'utf8' }),
  ) as {
    keys: string[];
    names: string[];
    errors: string[];
  };
  expect(answer.errors).toEqual([]);
  expect(answer.keys).toEqual(['pkg.m.img']);
  expect(answer.names[0]).toMatch(/^localhost:30000\/b:[A-Za-z0-9_]{22}$/);
  fs.rmSync(bundled, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
}, 180000);
