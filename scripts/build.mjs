// `npm run build`: the four bundles of dist/, made by ncc side by side. `tsc --noEmit` has
// type-checked everything before this runs, so ncc only transpiles (-t), and it minifies (-m): a
// smaller bundle starts faster, which every run of the action pays (bench/cold-start.mjs).
// Function and class names survive minification, so stack traces still name them.
// While it rewrites dist/ it holds the checkout's build lock (scripts/lib/build-lock.cjs): readers
// of dist/ in this checkout, such as the benchmarks, wait for it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import buildLock from './lib/build-lock.cjs';
import { copyPythonHelpers } from './lib/python-helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const BUNDLES = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post'],
  ['src/action/cacheMounts.ts', 'dist/cache'],
  // The worker thread that hashes source roots while the main bundle reads specs (src/tag/digestPool.ts).
  ['src/tag/digestWorker.ts', 'dist/digest'],
];

function bundle([entry, out]) {
  return new Promise((resolve, reject) => {
    const args = [ncc, 'build', entry, '-o', out, '-t', '-m', '-q', '--license', 'licenses.txt'];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ncc ${entry} exited with ${code}`))));
  });
}

const release = await buildLock.acquireBuildLock(root, {
  onWait: (holder) => console.log(`waiting for the build of this checkout running as pid ${holder.pid}`),
});
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const started = Date.now();
await Promise.all(BUNDLES.map(bundle));
copyPythonHelpers(root, path.join(root, 'dist'));
release();
console.log(`dist/: ${BUNDLES.length} bundles in ${((Date.now() - started) / 1000).toFixed(1)} s`);
