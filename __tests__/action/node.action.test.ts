/**
 * The runner contract on both Node majors the runner may use for this action (node24 in
 * action.yml; runners can also run actions on Node 20): the bundled main and post steps, with the
 * state main leaves for post, log groups, annotations and masking, against a real registry, the
 * shared BuildKit and the cache-service stand-in.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CacheService, startCacheService } from '../support/cacheService';
import { imagesOf, runStep } from '../support/runner';

jest.setTimeout(10 * 60 * 1000);

const REGISTRY = process.env.REGISTRY_PLAIN ?? '127.0.0.1:5000';
const INDEX = process.env.IMAGESPEC_PIP_INDEX ?? 'http://127.0.0.1:3141/simple';

let svc: CacheService;
beforeAll(async () => {
  svc = await startCacheService();
});
afterAll(async () => {
  await svc?.stop();
});

// scripts/lib/node.sh installs Node 24 from the npm registry; without it this test must fail, not skip.
const NODES: Array<[string, string]> = [
  ['20', process.execPath],
  ['24', process.env.IMAGESPEC_NODE24 ?? ''],
];

test.each(NODES)('Node %s: main builds and leaves state, post saves the cache mounts', async (major, node) => {
  expect(node).not.toBe('');
  expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(new RegExp(`^v${major}\\.`));

  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `node${major}-`));
  // An unquoted python_version is valid but earns a warning annotation on its line.
  fs.writeFileSync(
    path.join(ws, 'img.yaml'),
    [
      `name: node-contract-${major}-${Date.now()}`,
      `registry: ${REGISTRY}/node`,
      'python_version: 3.11',
      'base_image: python:3.11-slim-bookworm',
      'python_exec: /usr/local/bin/python',
      `pip_index: ${INDEX}`,
      'packages: [pyyaml]',
      '',
    ].join('\n'),
  );
  // The shared builder of scripts/infra.sh (BUILDX_BUILDER, BUILDX_CONFIG) from the test's environment.
  const env: Record<string, string> = {
    BUILDX_BUILDER: process.env.BUILDX_BUILDER ?? '',
    BUILDX_CONFIG: process.env.BUILDX_CONFIG ?? '',
    ...svc.env([`refs/heads/node${major}`]),
    RUNNER_TEMP: fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')),
  };
  const inputs = { specs: '*.yaml', cache: 'gha', 'cache-mounts': 'true' };

  const main = await runStep({ node, workspace: ws, with: inputs, env });
  expect(main.exitCode).toBe(0);
  const [img] = imagesOf(main);
  expect(img.status).toBe('built');
  expect(JSON.parse(main.outputs.built)).toEqual([img.image]);
  expect(main.groups).toEqual(['Restoring cache mounts (uv)', `Building img: ${img.image}`]);
  expect(main.annotations).toContainEqual(
    expect.objectContaining({ level: 'warning', props: expect.objectContaining({ file: 'img.yaml', line: '3' }) }),
  );
  const state = JSON.parse(main.state['cache-mounts']) as { key: string; ids: string[] };
  expect(state.ids).toEqual(['uv']);

  const post = await runStep({ node, workspace: ws, step: 'post', with: inputs, env, state: main.state });
  expect(post.exitCode).toBe(0);
  expect(post.groups).toEqual(['Saving cache mounts (uv)']);
  expect(post.stdout).toContain(`cache mounts: saved uv as ${state.key}`);
  // The signed upload URL's signature is registered as a secret before it could be printed.
  expect(post.masks).toContain('upload');
  expect(post.annotations.filter((a) => a.level !== 'notice')).toEqual([]);
  for (const r of [main, post]) expect(r.stdout + r.stderr + r.summary).not.toContain(env.ACTIONS_RUNTIME_TOKEN);

  // Post without main's state (main never got to the builds) does nothing and succeeds.
  const idle = await runStep({ node, workspace: ws, step: 'post', with: inputs, env });
  expect(idle.exitCode).toBe(0);
  expect(idle.groups).toEqual([]);
});
