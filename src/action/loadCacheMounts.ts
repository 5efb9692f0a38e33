import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as CacheMounts from './cacheMounts';

/** The action state through which the main step tells the post step what to save. */
export const MOUNT_STATE = 'cache-mounts';

/** dist/index.js (main) and dist/post/index.js (post) both load dist/cache/index.js. */
const BUNDLES = [path.join('cache', 'index.js'), path.join('..', 'cache', 'index.js')];

/**
 * `@actions/cache` and the Azure SDK it brings are most of the action's code, and only builds
 * with cache mounts need them; plan and check runs (most runs) should not pay for loading them,
 * nor should the post step of a job that restored nothing. So the main and post bundles leave them
 * out and load their own bundle on first use. `eval('require')` is the module's own require, which
 * the bundler does not follow. Unbundled (tests), the TypeScript module next to this one is loaded.
 */
export function loadCacheMounts(): typeof CacheMounts {
  const load = eval('require') as NodeJS.Require;
  const bundle = BUNDLES.map((b) => path.join(__dirname, b)).find((b) => fs.existsSync(b));
  return load(bundle ?? './cacheMounts') as typeof CacheMounts;
}
