import { parseSecretMounts, readInputs } from '../../src/action/inputs';
import { flyte2DeployArgs } from '../../src/action/outputs';
import { decide } from '../../src/action/decide';
import { buildOrder } from '../../src/action/buildMode';
import type { PlannedImage } from '../../src/plan/plan';

const reader =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name];

describe('inputs', () => {
  test('defaults', () => {
    const i = readInputs(reader({ specs: '*.yaml' }), { GITHUB_WORKSPACE: '/ws' }, '/elsewhere');
    expect(i).toMatchObject({
      workingDirectory: '/ws',
      mode: 'build',
      onUnknown: 'fail',
      push: true,
      force: false,
      cache: 'auto',
      concurrency: 8,
    });
  });

  test.each([
    ['yes', true],
    ['', true],
    ['TRUE', true],
    ['No', false],
    ['0', false],
    ['off', false],
  ])('FLYTE_FORCE_PUSH_IMAGE_SPEC=%j forces: %s (flytekit str2bool)', (value, forced) => {
    expect(readInputs(reader({ specs: 'x' }), { FLYTE_FORCE_PUSH_IMAGE_SPEC: value }, '/').force).toBe(forced);
  });

  test.each([
    [{ mode: 'deploy' }, "input 'mode' must be one of plan, check, build"],
    [{ push: 'yes' }, "input 'push' must be true or false"],
    [{ concurrency: '0' }, "input 'concurrency' must be a whole number from 1 to 64"],
    [{ cache: 'registry' }, "input 'cache-ref' is required with cache: registry"],
    [{ 'on-unknown': 'ignore' }, "input 'on-unknown' must be one of fail, build, skip"],
    [{ 'pip-secret-mounts': '.netrc' }, 'is not <local file>:<absolute target>'],
  ])('%j is refused', (values, message) => {
    expect(() => readInputs(reader({ specs: 'x', ...values }), {}, '/')).toThrow(message);
  });

  test('flyte2: module lines, root dir and copy style; specs may then be left out', () => {
    const i = readInputs(
      reader({ flyte2: 'flows/*.py\n# a comment\n\n envs ', python: '/venv/bin/python', 'flyte2-root-dir': 'src/pkg' }),
      {},
      '/',
    );
    expect(i).toMatchObject({ specs: '', flyte2: ['flows/*.py', 'envs'], flyte2RootDir: 'src/pkg', flyte2CopyStyle: 'loaded_modules' });
    expect(readInputs(reader({ specs: 'x' }), {}, '/')).toMatchObject({ flyte2: [], flyte2RootDir: '' });
  });

  test('flyte2-deploy-args: the naming options as given, nothing without flyte2', () => {
    const read = (values: Record<string, string>) => flyte2DeployArgs(readInputs(reader({ python: 'py', ...values }), {}, '/'));
    expect(read({ flyte2: 'envs.py' })).toBe('--copy-style loaded_modules');
    expect(read({ flyte2: 'envs.py', 'flyte2-copy-style': 'all', 'flyte2-root-dir': 'src/pkg' })).toBe(
      '--copy-style all --root-dir src/pkg',
    );
    expect(read({ specs: 'x' })).toBe('');
  });

  test.each([
    [{ specs: '' }, "input 'specs' is required (one glob or path a line) unless 'flyte2' names Flyte 2 modules"],
    [{ specs: '', flyte2: '# only a comment' }, "input 'specs' is required"],
    [{ flyte2: 'envs.py' }, "input 'flyte2' needs the 'python' input"],
    [
      { flyte2: 'envs.py', python: 'py', 'flyte2-copy-style': 'custom' },
      "input 'flyte2-copy-style' must be one of loaded_modules, all, none",
    ],
    [{ flyte2: 'envs.py', python: 'py', 'flyte2-copy-style': '' }, "input 'flyte2-copy-style' is empty"],
    [{ flyte2: 'envs.py', python: 'py', 'flyte2-root-dir': 'a dir' }, "input 'flyte2-root-dir' must be a path of letters"],
    [{ flyte2: 'envs.py', python: 'py', 'flyte2-root-dir': '$(id)' }, "input 'flyte2-root-dir' must be a path of letters"],
    [{ 'flyte2-root-dir': 'src' }, "input 'flyte2-root-dir' has no effect without 'flyte2'"],
  ])('flyte2 %j is refused', (values, message) => {
    expect(() => readInputs(reader({ specs: 'x', ...values }), {}, '/')).toThrow(message);
  });

  test('secret mounts resolve against the working directory', () => {
    expect(parseSecretMounts('.netrc:/root/.netrc\n\n creds/pip.conf:/etc/pip.conf ', '/repo')).toEqual([
      { src: '/repo/.netrc', target: '/root/.netrc' },
      { src: '/repo/creds/pip.conf', target: '/etc/pip.conf' },
    ]);
  });
});

describe('what a registry answer means', () => {
  test.each([
    [{ status: 'exists', digest: 'sha256:x' } as const, 'fail', { status: 'exists', needsBuild: false, fatal: false }],
    [{ status: 'missing', reason: 'not found' } as const, 'fail', { status: 'missing', needsBuild: true, fatal: false }],
    [{ status: 'unknown', reason: '401' } as const, 'fail', { status: 'unknown', needsBuild: false, fatal: true }],
    [{ status: 'unknown', reason: '401' } as const, 'build', { status: 'unknown', needsBuild: true, fatal: false }],
    [{ status: 'unknown', reason: '401' } as const, 'skip', { status: 'unknown', needsBuild: false, fatal: false }],
  ])('%j with on-unknown %s', (status, onUnknown, expected) => {
    expect(decide(status, onUnknown as 'fail' | 'build' | 'skip')).toMatchObject(expected);
  });

  test('absent platforms are named', () => {
    expect(decide({ status: 'missing', reason: 'partial', absentPlatforms: ['linux/arm64'] }, 'fail').reason).toContain('linux/arm64');
  });
});

test('base specs are built before the specs that use them', () => {
  const img = (key: string, baseKey?: string) => ({ key, baseKey }) as unknown as PlannedImage;
  const order = buildOrder([img('a', 'c'), img('b'), img('c', 'd'), img('d')]).map((p) => p.key);
  expect(order).toEqual(['d', 'c', 'a', 'b']);
});
