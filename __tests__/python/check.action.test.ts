/**
 * ImageSpecs in Python in check mode, through the bundled action against the real registry of
 * scripts/lib/registry.sh: a pushed image exists, the other is missing, an unused spec is never
 * asked about, and the pull-request gate points at the Python line that defines the missing image.
 */
import { copyFixture, FIXTURE_TAGS, Registries, startRegistries } from '../registry/support/infra';
import { imagesOf, runStep } from '../support/runner';
import { workspace } from '../support/fixtures';

let reg: Registries;
beforeAll(() => {
  reg = startRegistries();
});

test('check mode: exists, missing, unused; the gate annotates the defining line', async () => {
  const unique = `py${Date.now()}`;
  const ws = workspace(
    {
      'flows/__init__.py': '',
      'flows/images.py': [
        'import os',
        'from flytekit import ImageSpec',
        `REGISTRY = os.environ["CHECK_REGISTRY"]`,
        `present = ImageSpec(name="present-${unique}", registry=REGISTRY)`,
        `absent = ImageSpec(name="absent-${unique}", registry=REGISTRY, packages=["x"])`,
        `spare = ImageSpec(name="spare-${unique}", registry=REGISTRY)`,
        '',
      ].join('\n'),
      'flows/tasks.py': [
        'from flytekit import task',
        'from .images import present, absent',
        '@task(container_image=present)',
        'def a() -> None: ...',
        '@task(container_image=absent)',
        'def b() -> None: ...',
        '',
      ].join('\n'),
    },
    'pycheck-',
  );
  const env = { CHECK_REGISTRY: `${reg.plain}/e2e` };
  const step = (extra: Record<string, string>) => runStep({ workspace: ws, with: { specs: 'flows/*.py', ...extra }, env });

  const planned = Object.fromEntries(imagesOf(await step({ mode: 'plan' })).map((i) => [i.key, i]));
  copyFixture(reg, FIXTURE_TAGS.ociIndex, planned['flows.images.present'].image, ['--all']);

  const r = await step({ mode: 'check' });
  expect(r.exitCode).toBe(0);
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey['flows.images.present'].status).toBe('exists');
  expect(byKey['flows.images.absent'].status).toBe('missing');
  expect(byKey['flows.images.spare'].status).toBe('unused');
  expect(JSON.parse(r.outputs.missing)).toEqual([byKey['flows.images.absent'].image]);
  expect(JSON.parse(r.outputs.matrix).include.map((m: { key: string }) => m.key)).toEqual(['flows.images.absent']);

  const gate = await step({ mode: 'check', 'fail-on-missing': 'true' });
  expect(gate.exitCode).not.toBe(0);
  const missing = gate.annotations.filter((a) => a.level === 'error' && /is not in the registry/.test(a.message));
  expect(missing).toHaveLength(1);
  expect(missing[0].props).toMatchObject({ file: 'flows/images.py', line: '5' });
});
