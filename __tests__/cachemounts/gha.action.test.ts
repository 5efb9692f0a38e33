/**
 * GitHub Actions caches through the bundled action (main and post, as the runner runs them),
 * against the cache-service stand-in, a real BuildKit of the test's own and the local registry:
 * the layer cache (`cache: gha`) and the cache mounts (`@actions/cache`) each survive a builder
 * that starts empty, as on a new GitHub-hosted runner, and a broken cache service costs a warning.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSteps, startTestBuilder, TestBuilder } from '../support/builder';
import { CacheService, startCacheService } from '../support/cacheService';
import { imagesOf, runStep, StepResult } from '../support/runner';
import { workspace as makeWorkspace } from '../support/fixtures';

const workspace = (files: Record<string, string>): string => makeWorkspace(files, 'gha-ws-');

jest.setTimeout(20 * 60 * 1000);

const REGISTRY = process.env.REGISTRY_PLAIN ?? '127.0.0.1:5000';
const INDEX = process.env.IMAGESPEC_PIP_INDEX ?? 'http://127.0.0.1:3141/simple';

let svc: CacheService;
let builder: TestBuilder;
beforeAll(async () => {
  svc = await startCacheService();
  builder = startTestBuilder('gha-cache-test');
});
afterAll(async () => {
  builder?.stop();
  await svc?.stop();
});

const spec = (name: string, extra: string): string =>
  [
    `name: ${name}`,
    `registry: ${REGISTRY}/gha`,
    'python_version: "3.11"',
    'base_image: python:3.11-slim-bookworm',
    'python_exec: /usr/local/bin/python',
    `pip_index: ${INDEX}`,
    extra,
  ].join('\n');

const warnings = (r: StepResult): string[] => r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
const errors = (r: StepResult): string[] => r.annotations.filter((a) => a.level === 'error').map((a) => a.message);

test('type=gha: a second run on an emptied builder takes every layer from the cache service', async () => {
  const u = `l${Date.now()}`;
  const ws = workspace({
    'layers.yaml': spec(
      `gha-layers-${u}`,
      `packages: [pyyaml]\ncommands:\n  - python -c "import uuid; print(uuid.uuid4())" > /root/marker\n`,
    ),
  });
  const step = (extra: Record<string, string>) =>
    runStep({
      workspace: ws,
      with: { specs: '*.yaml', cache: 'gha', 'cache-mounts': 'false', ...extra },
      env: { ...builder.env, ...svc.env() },
    });

  const first = await step({});
  expect(first.exitCode).toBe(0);
  expect(imagesOf(first)[0].status).toBe('built');
  // The scope is the image key: buildx stores one cache index per scope.
  expect((await svc.entries()).some((e) => e.key.startsWith('index-layers-') && e.done)).toBe(true);

  builder.empty();
  const second = await step({ force: 'true' });
  expect(second.exitCode).toBe(0);
  expect(imagesOf(second)[0].status).toBe('built');
  expect(second.stdout).toMatch(/importing cache manifest from gha/);
  const runs = runSteps(second.stdout);
  expect(runs.length).toBeGreaterThan(3);
  expect(runs.filter((s) => !s.cached)).toEqual([]);
});

test('cache mounts: after a one-line requirements change, the second run downloads only the new package', async () => {
  const u = `m${Date.now()}`;
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'));
  const ws = workspace({ 'mounts.yaml': spec(`gha-mounts-${u}`, 'requirements: requirements.txt\n'), 'requirements.txt': 'pyyaml\n' });
  const env = { ...builder.env, ...svc.env(), RUNNER_TEMP: runnerTemp };
  const main = () => runStep({ workspace: ws, with: { specs: '*.yaml', cache: 'none', push: 'false', 'cache-mounts': 'true' }, env });
  const post = (state: Record<string, string>) =>
    runStep({ workspace: ws, step: 'post', with: { specs: '*.yaml', cache: 'none', push: 'false', 'cache-mounts': 'true' }, env, state });
  const prepared = (r: StepResult) => Number(/Prepared (\d+) packages? in/.exec(r.stdout)?.[1] ?? NaN);

  builder.empty();
  const first = await main();
  expect(first.exitCode).toBe(0);
  expect(first.state['cache-mounts']).toBeDefined();
  expect(first.stdout).toMatch(/cache mounts: no saved contents/);
  expect(prepared(first)).toBeGreaterThan(20); // flytekit and its dependencies
  const saved = await post(first.state);
  expect(saved.exitCode).toBe(0);
  expect(saved.stdout).toMatch(/cache mounts: saved uv as imagespec-mounts-v2-/);
  expect(saved.groups).toContain('Saving cache mounts (uv)');

  // A new runner: empty builder, empty temp directory; one line more in the requirements.
  builder.empty();
  fs.rmSync(runnerTemp, { recursive: true, force: true });
  fs.mkdirSync(runnerTemp);
  fs.appendFileSync(path.join(ws, 'requirements.txt'), 'numpy\n');
  const second = await main();
  expect(second.exitCode).toBe(0);
  expect(second.stdout).toMatch(/cache mounts: restored uv from imagespec-mounts-v2-/);
  expect(prepared(second)).toBe(1); // numpy; everything else came out of the restored uv cache
  expect(second.stdout).toMatch(/\+ numpy==/);
  const resaved = await post(second.state);
  expect(resaved.exitCode).toBe(0);
  const keys = (await svc.entries()).filter((e) => e.key.startsWith('imagespec-mounts-v2-')).map((e) => e.key);
  expect(new Set(keys).size).toBe(2);
});

test('a cache service that is down or full costs a warning, never a failed build', async () => {
  const u = `f${Date.now()}`;
  const ws = workspace({ 'faults.yaml': spec(`gha-faults-${u}`, 'packages: [pyyaml]\n') });
  const run = async (env: Record<string, string>) => {
    const main = await runStep({
      workspace: ws,
      with: { specs: '*.yaml', cache: 'gha', force: 'true', 'cache-mounts': 'true' },
      env: { ...builder.env, ...env },
    });
    const post = await runStep({
      workspace: ws,
      step: 'post',
      with: { specs: '*.yaml', cache: 'gha', force: 'true', 'cache-mounts': 'true' },
      env: { ...builder.env, ...env },
      state: main.state,
    });
    return { main, post };
  };

  const down = await run({ ...svc.env(), ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/' });
  expect(down.main.exitCode).toBe(0);
  expect(imagesOf(down.main)[0].status).toBe('built');
  expect(warnings(down.main).join('\n')).toMatch(/Failed to restore/);
  expect(down.post.exitCode).toBe(0);
  expect(warnings(down.post).join('\n')).toMatch(/Failed to save|not saved/);

  await svc.control({ quotaBytes: 0 });
  try {
    const full = await run(svc.env());
    expect(full.main.exitCode).toBe(0);
    expect(imagesOf(full.main)[0].status).toBe('built');
    expect(full.post.exitCode).toBe(0);
    expect(warnings(full.post).join('\n')).toMatch(/quota exceeded/);
    expect(errors(full.main).concat(errors(full.post))).toEqual([]);
  } finally {
    await svc.control({ quotaBytes: null });
  }
});
