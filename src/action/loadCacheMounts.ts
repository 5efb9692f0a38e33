import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as CacheMounts from './cacheMounts';

/**
 * `@actions/cache` and the Azure SDK it brings are half of the action's code, and only builds
 * need them; plan and check runs (most runs) should not pay for loading them. So the main step's
 * bundle leaves them out and loads their own bundle (dist/cache/index.js, next to it) on first
 * use. `eval('require')` is the module's own require, which the bundler does not follow.
 * Unbundled (tests), the TypeScript module next to this one is loaded instead.
 */
export function loadCacheMounts(): typeof CacheMounts {
  const load = eval('require') as NodeJS.Require;
  const bundle = path.join(__dirname, 'cache', 'index.js');
  return load(fs.existsSync(bundle) ? bundle : './cacheMounts') as typeof CacheMounts;
}
