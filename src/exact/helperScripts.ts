import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Python files the exact engine runs in the user's interpreter. */
export type HelperScriptName = 'exact_protocol.py' | 'flytekit_images.py' | 'flyte2_images.py';

/**
 * Where the Python helpers are: `scripts/build.mjs` copies `src/exact/python/` to `dist/exact/`
 * (next to dist/index.js, one level up from dist/post and dist/cache); unbundled (tests), they are
 * in `python/` next to this module. The folder names are joined at run time from a list so the
 * bundler's asset tracing does not rewrite them into copies of its own.
 */
const CANDIDATE_DIRS = [['exact'], ['..', 'exact'], ['python']];

export function helperScriptDir(): string {
  for (const parts of CANDIDATE_DIRS) {
    const dir = path.join(__dirname, ...parts);
    if (fs.existsSync(path.join(dir, 'exact_protocol.py'))) return dir;
  }
  throw new Error(`the exact engine's Python helpers are missing next to ${__dirname} (dist/exact/ is made by scripts/build.mjs)`);
}

export function readHelperScript(name: HelperScriptName): string {
  return fs.readFileSync(path.join(helperScriptDir(), name), 'utf8');
}
