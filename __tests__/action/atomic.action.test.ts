/**
 * Atomic outcomes through the bundled action, with the real buildx, BuildKit and registry of
 * scripts/infra.sh: an invalid spec anywhere means nothing is built or pushed; a build that fails
 * midway pushes no tag for its image (nor for images built on it), and the `images` output says
 * exactly what happened to each image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInfraEnv, tagExists, workspace as makeWorkspace } from '../support/fixtures';
import { imagesOf, runStep, StepResult } from '../support/runner';

const workspace = (files: Record<string, string>): string => makeWorkspace(files, 'atomic-');

const REGISTRY = '127.0.0.1:5000';
beforeAll(() => {
  loadInfraEnv();
});

const build = (ws: string, extra: Record<string, string> = {}): Promise<StepResult> =>
  runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'build', ...extra }, env: process.env as Record<string, string> });

/** A spec that builds offline against the local mirror and package index. */
function buildable(name: string, ns: string, extra = ''): string {
  return (
    `name: ${name}\nregistry: ${REGISTRY}/${ns}\nbase_image: python:3.11-slim-bookworm\n` +
    `python_exec: /usr/local/bin/python\npip_index: http://127.0.0.1:3141/simple\n${extra}`
  );
}

describe('an invalid spec anywhere: nothing is built or pushed', () => {
  test.each([
    ['YAML syntax', 'name: bad\npackages: [numpy\n', 'b-bad.yaml'],
    ['a missing requirements file', 'name: bad\nrequirements: gone.txt\n', 'b-bad.yaml'],
    ['a requirements link out of the repository', 'name: bad\nrequirements: leak.txt\n', 'b-bad.yaml'],
    ['an unsafe value found only while rendering', 'name: bad\npip_index: "https://x.io/$(id)"\n', 'b-bad.yaml'],
    ['an unsafe value in a spec sorted after the valid ones', 'name: bad\ncommands: ["echo \\u0000"]\n', 'z-bad.yaml'],
  ])(
    '%s',
    async (_n, badYaml, badFile) => {
      const ns = `atomic-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      const ws = workspace({
        'a-fine.yaml': buildable('fine', ns),
        [badFile]: badYaml.replace('name: bad\n', `name: bad\nregistry: ${REGISTRY}/${ns}\n`),
      });
      fs.symlinkSync('/etc/hostname', path.join(ws, 'leak.txt'));
      const r = await build(ws);
      expect(r.exitCode).toBe(1);
      expect(r.groups).toEqual([]); // no build started
      expect(r.stdout).not.toContain('docker buildx build');
      const err = r.annotations.find((a) => a.level === 'error' && a.props.file === badFile);
      expect(err?.props.line).toMatch(/^\d+$/);
      expect(r.stdout).toMatch(/nothing was (checked, )?built or pushed/);
      expect(r.outputs.built ?? '[]').toBe('[]');
      // The valid spec's image was not pushed either.
      const planned = imagesOf(await runStep({ workspace: ws, with: { specs: 'a-fine.yaml', mode: 'plan' } }));
      expect(await tagExists(planned[0].image)).toBe(false);
    },
    300_000,
  );
});

test('a failing build pushes nothing for itself or for images built on it; outputs say what happened to each', async () => {
  const ns = `atomic-fail-${Date.now()}`;
  const ws = workspace({
    'base.yaml': buildable('base', ns, 'commands:\n  - "echo building base && exit 3"\n'),
    'app.yaml': `name: app\nregistry: ${REGISTRY}/${ns}\nbase_image: ./base.yaml\npython_exec: /usr/local/bin/python\npip_index: http://127.0.0.1:3141/simple\n`,
    'fine.yaml': buildable('fine', ns),
  });
  const r = await build(ws);
  expect(r.exitCode).toBe(1);
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey.base).toMatchObject({ status: 'failed' });
  expect(byKey.base.reason).toEqual(expect.any(String));
  expect(byKey.app).toMatchObject({ status: 'cancelled', reason: 'its base image base was not built' });
  expect(byKey.fine).toMatchObject({ status: 'built' });
  expect(byKey.fine.digest).toMatch(/^sha256:/);
  expect(JSON.parse(r.outputs.built)).toEqual([byKey.fine.image]);
  expect(await tagExists(byKey.base.image)).toBe(false);
  expect(await tagExists(byKey.app.image)).toBe(false);
  expect(await tagExists(byKey.fine.image)).toBe(true);
  // Only base and fine were attempted; the app's build never started.
  expect(r.groups.map((g) => g.split(':')[0]).sort()).toEqual(['Building base', 'Building fine']);
  expect(r.annotations.some((a) => a.level === 'error' && a.props.file === 'base.yaml')).toBe(true);
  for (const s of ['failed', 'cancelled', 'built']) expect(r.summary).toContain(s);
}, 900_000);

test('fail-fast: after the first failure the rest are cancelled and nothing more is pushed', async () => {
  const ns = `atomic-ff-${Date.now()}`;
  const ws = workspace({
    'a-broken.yaml': buildable('broken', ns, 'commands:\n  - "exit 7"\n'),
    'b-fine.yaml': buildable('fine', ns),
  });
  const r = await build(ws, { 'fail-fast': 'true' });
  expect(r.exitCode).toBe(1);
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey['a-broken'].status).toBe('failed');
  expect(byKey['b-fine']).toMatchObject({ status: 'cancelled', reason: 'an earlier build failed and fail-fast is set' });
  expect(JSON.parse(r.outputs.built)).toEqual([]);
  expect(await tagExists(byKey['a-broken'].image)).toBe(false);
  expect(await tagExists(byKey['b-fine'].image)).toBe(false);
  expect(r.groups).toHaveLength(1);
}, 900_000);
