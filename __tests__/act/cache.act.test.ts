/**
 * The GitHub Actions caches through act's own cache server, across two act runs on a builder
 * emptied in between (a new runner): the layer cache (`cache: gha`, BuildKit's client) comes back;
 * the cache mounts (`@actions/cache` 5 in the bundle) are saved by the post step, and why act
 * cannot give them back to the next run is asserted below.
 *
 * act 0.2.89 serves the cache service's v1 protocol (`<ACTIONS_CACHE_URL>_apis/artifactcache/…`)
 * and exports only ACTIONS_CACHE_URL. @actions/cache 5 speaks v1 unless ACTIONS_CACHE_SERVICE_V2 is
 * set, and buildx then gives BuildKit `url` (v1) too, so both clients run against it unchanged.
 * GitHub's hosted service is v2 (twirp + blob storage): that protocol is covered by the stand-in
 * scripts/gha-cache/server.mjs in __tests__/cachemounts/gha.action.test.ts, which stays.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAct, stepResults } from '../support/act';
import { runSteps, startTestBuilder, TestBuilder } from '../support/builder';

jest.setTimeout(30 * 60 * 1000);

let builder: TestBuilder;
let machine: string;
beforeAll(() => {
  builder = startTestBuilder('act-cache');
  machine = fs.mkdtempSync(path.join(os.tmpdir(), 'act-machine-'));
}, 600_000);
afterAll(() => {
  builder?.stop();
  fs.rmSync(machine, { recursive: true, force: true });
});

test("act's cache server: the layer cache survives an emptied builder; the mounts are saved, and act misses them by design", async () => {
  const unique = `c${Date.now()}`;
  const run = (force: boolean) =>
    runAct({
      workflow: 'cache.yml',
      node: 24,
      machineDir: machine,
      vars: {
        REGISTRY: process.env.REGISTRY_PLAIN ?? '127.0.0.1:5000',
        PIP_INDEX: process.env.IMAGESPEC_PIP_INDEX ?? 'http://127.0.0.1:3141/simple',
        BUILDER: builder.env.BUILDX_BUILDER,
        UNIQUE: unique,
        FORCE: String(force),
      },
      hostEnv: { BUILDX_CONFIG: builder.env.BUILDX_CONFIG },
    });

  builder.empty();
  const first = await run(false);
  expect({ exit: first.exitCode, log: first.exitCode === 0 ? '' : first.log }).toEqual({ exit: 0, log: '' });
  expect(stepResults(first, 'build')).toMatchObject({
    'Main 1': 'success',
    'Main build': 'success',
    'Main 3': 'success',
    'Post build': 'success',
  });
  const main1 = first.printed('build', 'build', 'Main');
  expect(main1).toMatch(/cache mounts: no saved contents/);
  expect(main1).toContain('--cache-to type=gha,scope=cached');
  const post1 = first.printed('build', 'build', 'Post');
  expect(post1).toMatch(/cache mounts: saved uv(, apt)? as imagespec-mounts-v2-/);
  expect(post1).not.toMatch(/::warning::/);

  // A new runner: an empty builder; what the cache server holds is all that is left.
  builder.empty();
  const second = await run(true);
  expect({ exit: second.exitCode, log: second.exitCode === 0 ? '' : second.log }).toEqual({ exit: 0, log: '' });
  const main2 = second.printed('build', 'build', 'Main');
  expect(main2).toMatch(/importing cache manifest from gha/);
  const runs = runSteps(main2);
  expect(runs.length).toBeGreaterThan(2);
  expect(runs.filter((s) => !s.cached)).toEqual([]);

  // The cache mounts do not come back under act, for a reason of act's: it runs every job in a new
  // random directory (pkg/runner/run_context.go, 8 random bytes), so RUNNER_TEMP, where the mounts
  // are archived from, differs between runs, and @actions/cache's version, a hash of the archived
  // paths, differs with it: a miss by design. GitHub's RUNNER_TEMP is the same path every run; the
  // restore across runs is tested against the cache-service stand-in (__tests__/cachemounts/gha.action.test.ts).
  const runnerTemp = (log: string) => /--metadata-file (\S+)\/imagespec-/.exec(log)?.[1];
  expect(runnerTemp(main1)).toBeDefined();
  expect(runnerTemp(main2)).toBeDefined();
  expect(runnerTemp(main2)).not.toBe(runnerTemp(main1));
  expect(main2).toMatch(/cache mounts: no saved contents for imagespec-mounts-v2-/);
});
