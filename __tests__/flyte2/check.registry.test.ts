/**
 * The Flyte 2 check (src/flyte2/check.ts) composed with the action's registry client against the
 * real loopback registry and its fixture images: an image exists only if it covers every platform
 * it asks for; a registry that cannot answer gives `unknown`, never `exists` (unlike the SDK).
 */
import { checkImages } from '../../src/registry';
import { flyte2Checks, flyte2Queries } from '../../src/flyte2/check';
import { Flyte2Image } from '../../src/flyte2/evaluate';
import { FIXTURE_TAGS as T, Registries, startRegistries, tempDir } from '../registry/support/infra';

let R: Registries;
beforeAll(() => {
  R = startRegistries();
});

const BOTH = ['linux/amd64', 'linux/arm64'];

function image(key: string, uri: string, platforms: string[], use: Flyte2Image['use'] = 'build'): Flyte2Image {
  const slash = uri.indexOf('/');
  return {
    key,
    environmentType: 'TaskEnvironment',
    use,
    uri,
    platforms,
    baseImage: 'ghcr.io/flyteorg/flyte:py3.12-v2.12.1',
    registry: use === 'build' ? uri.slice(0, slash) : null,
    name: null,
    tag: null,
    pythonVersion: '3.12',
    dockerfile: null,
    layers: [],
    source: null,
  };
}

test('index covering both platforms, index lacking one, single manifest, absent tag, dead registry, used-as-is', async () => {
  const repo = `${R.plain}/${R.repo}`;
  const images = [
    image('full', `${repo}:${T.ociIndex}`, BOTH),
    image('full-list', `${repo}:${T.dockerList}`, BOTH),
    image('partial', `${repo}:${T.partialIndex}`, BOTH),
    image('single', `${repo}:${T.dockerV2}`, BOTH),
    image('single-one', `${repo}:${T.dockerV2}`, ['linux/amd64']),
    image('absent', `${repo}:no-such-tag`, BOTH),
    image('dead', `127.0.0.1:9/${R.repo}:${T.ociIndex}`, BOTH),
    image('plain', 'docker.io/library/python:3.12', [], 'uri'),
    image('base', 'ghcr.io/flyteorg/flyte:py3.12-v2.12.1', BOTH, 'base'),
  ];
  const queries = flyte2Queries(images);
  expect(queries.map((q) => q.ref)).toHaveLength(7);
  const results = await checkImages(queries, {
    timeoutMs: 3000,
    retry: { maxAttempts: 1 },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('home') },
  });
  const checks = Object.fromEntries(flyte2Checks(images, results).map((c) => [c.key, c.check === 'checked' ? c.result.status : c.check]));
  expect(checks).toEqual({
    full: 'exists',
    'full-list': 'exists',
    partial: 'missing',
    single: 'missing',
    'single-one': 'exists',
    absent: 'missing',
    dead: 'unknown',
    plain: 'used-as-is',
    base: 'used-as-is',
  });
});
