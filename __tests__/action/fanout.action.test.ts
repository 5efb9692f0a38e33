/**
 * Fan-out across jobs through the bundled action: `matrix` lists exactly what a build job would
 * build, and `only` restricts a run to some keys plus the repository base specs they need.
 */
import { copyFixture, FIXTURE_TAGS, Registries, startRegistries } from '../registry/support/infra';
import { imagesOf, runStep, StepResult } from '../support/runner';
import { workspace as makeWorkspace } from '../support/fixtures';

const workspace = (files: Record<string, string>): string => makeWorkspace(files, 'fanout-');

let reg: Registries;
beforeAll(() => {
  reg = startRegistries();
});

const step = (ws: string, extra: Record<string, string>): Promise<StepResult> =>
  runStep({ workspace: ws, with: { specs: '*.yaml', ...extra } });
const matrixOf = (r: StepResult) => JSON.parse(r.outputs.matrix) as { include: Array<{ key: string; file: string; image: string }> };

test('matrix: every buildable image in plan mode, the missing ones in check mode, all with force', async () => {
  const u = `m${Date.now()}`;
  const ws = workspace({
    'base.yaml': `name: fan-base-${u}\nregistry: ${reg.plain}/e2e\n`,
    'app.yaml': `name: fan-app-${u}\nregistry: ${reg.plain}/e2e\nbase_image: ./base.yaml\n`,
    'other.yaml': `name: fan-other-${u}\nregistry: ${reg.plain}/e2e\n`,
    'noop.yaml': `name: x\nbuilder: noop\nbase_image: ${reg.plain}/e2e/whatever:1\n`,
  });
  const planned = await step(ws, { mode: 'plan' });
  expect(planned.exitCode).toBe(0);
  const byKey = Object.fromEntries(imagesOf(planned).map((i) => [i.key, i]));
  expect(matrixOf(planned).include).toEqual(['app', 'base', 'other'].map((key) => ({ key, file: `${key}.yaml`, image: byKey[key].image })));

  copyFixture(reg, FIXTURE_TAGS.dockerV2, byKey.base.image);
  const checked = await step(ws, { mode: 'check' });
  expect(checked.exitCode).toBe(0);
  expect(matrixOf(checked).include.map((e) => e.key)).toEqual(['app', 'other']);

  const forced = await step(ws, { mode: 'check', force: 'true' });
  expect(matrixOf(forced).include.map((e) => e.key)).toEqual(['app', 'base', 'other']);
});

test('only: the named keys and their repository base specs; an unknown key fails the step', async () => {
  const u = `o${Date.now()}`;
  const ws = workspace({
    'base.yaml': `name: only-base-${u}\nregistry: ${reg.plain}/e2e\n`,
    'app.yaml': `name: only-app-${u}\nregistry: ${reg.plain}/e2e\nbase_image: ./base.yaml\n`,
    'other.yaml': `name: only-other-${u}\nregistry: ${reg.plain}/e2e\n`,
  });
  const r = await step(ws, { mode: 'check', only: 'app' });
  expect(r.exitCode).toBe(0);
  expect(imagesOf(r).map((i) => [i.key, i.status])).toEqual([
    ['app', 'missing'],
    ['base', 'missing'],
  ]);
  expect(JSON.parse(r.outputs['image-map'])).not.toHaveProperty('other');

  const typo = await step(ws, { mode: 'check', only: 'app\napp-typo' });
  expect(typo.exitCode).toBe(1);
  expect(typo.stdout).toMatch(/input 'only': no spec has the key 'app-typo'; keys are 'app', 'base', 'other'/);
});
