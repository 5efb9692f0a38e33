/**
 * The parser is plain JavaScript (py-ast, no WebAssembly), so ncc inlines it; this bundles the
 * static engine as scripts/build.mjs bundles the action, runs it from a directory with no
 * node_modules, and expects the answer the unbundled code gives.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findPythonImageSpecs } from '../../src/python';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';

const repo = path.resolve(__dirname, '../..');

test('the ncc bundle of the static engine carries its parser and gives the same names', () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pystatic-bundle-')));
  try {
    const out = path.join(tmp, 'dist');
    const ncc = path.join(repo, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
    execFileSync(process.execPath, [ncc, 'build', path.join(__dirname, 'bundleEntry.ts'), '-o', out, '-t', '-m', '-q'], { cwd: repo });
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.wasm'))).toEqual([]);
    const proj = path.join(tmp, 'proj');
    fs.mkdirSync(path.join(proj, 'wf'), { recursive: true });
    fs.writeFileSync(path.join(proj, 'wf/__init__.py'), '');
    fs.writeFileSync(
      path.join(proj, 'wf/images.py'),
      'import flytekit as fl\nbase = fl.ImageSpec(name="b", python_version=3.10, packages=[f"x=={1_0}"])\n@fl.task(container_image=base.with_apt_packages("git"))\ndef t(): ...\n',
    );
    const files = ['wf/images.py'];
    const got = JSON.parse(execFileSync(process.execPath, [path.join(out, 'index.js'), proj, ...files], { cwd: tmp, encoding: 'utf8' }));
    const r = findPythonImageSpecs(files, { root: proj, env: {}, hostMachine: 'x86_64' });
    const d = fsDigests(proj, proj);
    expect(got).toEqual({ specs: r.specs.map((s) => [s.key, computeTag(s.spec, d).imageName, specId(s.spec)]), errors: [] });
    expect(got.specs.map((s: string[]) => s[0])).toEqual(['wf.images.base', 'wf.images.t']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, 120_000);
