// Benchmark 3, cold start: `node dist/index.js` with one spec in `mode: plan`, spawn to exit, median
// of several runs, next to `node -e 0` (the interpreter's own start-up, which no action can avoid)
// measured alternately in the same run; plus the size of the bundle the runner loads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionDir, fmtBytes, fmtMs, imagesOf, median, runAction, runNode, runStandalone, tempDir } from './lib/common.mjs';

export const TARGET_MS = 150;

function dirBytes(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

export async function run({ tiny = false } = {}) {
  const runs = tiny ? 1 : 15;
  const work = tempDir('cold');
  try {
    fs.writeFileSync(path.join(work, 'app.yaml'), 'name: app\nregistry: ghcr.io/acme\npython_version: "3.11"\npackages: [pandas]\n');
    const empty = path.join(work, 'empty.js');
    fs.writeFileSync(empty, '');
    const inputs = { specs: 'app.yaml', mode: 'plan' };
    // One warm-up of each (page cache), then alternate.
    const first = await runAction({ workspace: work, inputs });
    const images = imagesOf(first);
    if (first.exitCode !== 0 || images.length !== 1) throw new Error(`plan of one spec failed (exit ${first.exitCode})\n${first.stdout}`);
    await runNode(empty, { env: { PATH: process.env.PATH } });
    const actionMs = [];
    const nodeMs = [];
    for (let i = 0; i < runs; i++) {
      nodeMs.push((await runNode(empty, { env: { PATH: process.env.PATH } })).ms);
      const r = await runAction({ workspace: work, inputs });
      if (r.exitCode !== 0) throw new Error(`plan failed (exit ${r.exitCode})`);
      actionMs.push(r.ms);
    }
    const a = median(actionMs);
    const b = median(nodeMs);
    const distBytes = dirBytes(path.join(actionDir(), 'dist'));
    const mainBytes = fs.statSync(path.join(actionDir(), 'dist/index.js')).size;
    return [
      {
        bench: 'cold start (1 spec, plan)',
        measure: `node dist/index.js, spawn to exit (median of ${runs})`,
        value: fmtMs(a),
        baseline: `${fmtMs(b)} empty node script`,
        ratio: `+${fmtMs(a - b)}`,
        target: `< ${TARGET_MS} ms`,
        met: a < TARGET_MS,
        data: { actionMs, nodeMs, image: images[0].image },
      },
      {
        bench: 'cold start (1 spec, plan)',
        measure: 'bundle size',
        value: `${fmtBytes(mainBytes)} dist/index.js`,
        baseline: `${fmtBytes(distBytes)} all of dist/`,
        data: { mainBytes, distBytes },
      },
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
