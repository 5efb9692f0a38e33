import {
  checkLockFile,
  flytekitRequirement,
  installMode,
  isFlytekitRequirement,
  lockPyprojectPath,
  pyStrip,
  requirementsFileLines,
  requirementsUvTxt,
} from '../../src/docker/requirements';
import { InputError, SpecError } from '../../src/errors';
import { view } from './fixtures';

describe('requirementsUvTxt', () => {
  test.each<[string, string[], string | undefined, string]>([
    ['packages only, flytekit appended', ['numpy', 'pandas>=2'], undefined, 'numpy\npandas>=2\nflytekit==1.16.24'],
    ['nothing at all: just flytekit', [], undefined, 'flytekit==1.16.24'],
    [
      'file lines stripped, blank and comment lines kept, then packages',
      ['pandas'],
      '  numpy==1.26  \n\n# pinned\r\n\tscipy\n',
      'numpy==1.26\n\n# pinned\nscipy\npandas\nflytekit==1.16.24',
    ],
    ['a file without final newline', [], 'a\nb', 'a\nb\nflytekit==1.16.24'],
    ['an empty file', [], '', 'flytekit==1.16.24'],
    ['old Mac line ends', [], 'a\rb\r', 'a\nb\nflytekit==1.16.24'],
    ['flytekit pinned in packages: not appended', ['flytekit==1.15.0', 'numpy'], undefined, 'flytekit==1.15.0\nnumpy'],
    ['flytekit with extras counts', ['flytekit[pandas]'], undefined, 'flytekit[pandas]'],
    ['flytekit in the file counts', ['numpy'], 'flytekit>=1.10\n', 'flytekit>=1.10\nnumpy'],
    ['a flytekit plugin does not count', ['flytekitplugins-pandera'], undefined, 'flytekitplugins-pandera\nflytekit==1.16.24'],
    ['a commented flytekit does not count', [], '# flytekit\n', '# flytekit\nflytekit==1.16.24'],
    [
      'uv options in the file are the user’s and kept',
      [],
      '--index-url https://x/simple\n-r base.txt',
      '--index-url https://x/simple\n-r base.txt\nflytekit==1.16.24',
    ],
  ])('%s', (_name, packages, file, expected) => {
    expect(requirementsUvTxt(packages, '1.16.24', file)).toBe(expected);
  });

  test('packages are kept verbatim (flytekit does not strip them)', () => {
    expect(requirementsUvTxt(['  flytekit'], '1.16.24')).toBe('  flytekit\nflytekit==1.16.24');
  });

  test('dev or empty flytekit versions give an unpinned flytekit', () => {
    expect(requirementsUvTxt([], '1.17.0.dev3')).toBe('flytekit');
    expect(requirementsUvTxt([], '')).toBe('flytekit');
  });

  test('packages are validated, naming the index', () => {
    expect(() => requirementsUvTxt(['numpy', 'x\n--index-url https://evil'], '1.16.24')).toThrow(
      expect.objectContaining({ field: 'packages[1]' }),
    );
  });

  test('a bad flytekit version is an InputError', () => {
    expect(() => requirementsUvTxt([], '1.0\nevil')).toThrow(InputError);
  });
});

describe('helpers', () => {
  test('requirementsFileLines splits on universal newlines only', () => {
    expect(requirementsFileLines('a\u2028b\x85c\n')).toEqual(['a\u2028b\x85c']);
    expect(requirementsFileLines('\n')).toEqual(['']);
    expect(requirementsFileLines('a\n\n')).toEqual(['a', '']);
  });

  test('pyStrip strips what Python str.strip() strips', () => {
    expect(pyStrip('\x1c\x1f \x85\xa0\u3000x y\u2029\t\x0b\x0c')).toBe('x y');
    expect(pyStrip('\ufeffx')).toBe('\ufeffx');
    expect(pyStrip('\u200bx')).toBe('\u200bx');
  });

  test.each<[string, boolean]>([
    ['flytekit', true],
    ['flytekit==1.2', true],
    ['flytekit~=1.2', true],
    ['flytekit [pandas]', true],
    ['flytekit @ git+https://github.com/flyteorg/flytekit', true],
    ['flytekit\u0301', true],
    ['flytekitplugins-spark', false],
    ['flytekit-extra', false],
    ['flytekit_x', false],
    ['flytekité', false],
    ['Flytekit', false],
    [' flytekit', false],
    ['', false],
  ])('isFlytekitRequirement(%j) = %s', (entry, expected) => {
    expect(isFlytekitRequirement(entry)).toBe(expected);
  });

  test('flytekitRequirement', () => {
    expect(flytekitRequirement('1.16.24')).toBe('flytekit==1.16.24');
    expect(flytekitRequirement('1.16.0b1')).toBe('flytekit==1.16.0b1');
    expect(flytekitRequirement('0.0.0+dev')).toBe('flytekit');
  });

  test('installMode uses the POSIX basename', () => {
    expect(installMode(undefined)).toBe('requirements');
    expect(installMode('')).toBe('requirements');
    expect(installMode('requirements.txt')).toBe('requirements');
    expect(installMode('a/b/uv.lock')).toBe('uv.lock');
    expect(installMode('poetry.lock')).toBe('poetry.lock');
    expect(installMode('my-uv.lock')).toBe('requirements');
    expect(installMode('uv.lock/')).toBe('requirements');
  });

  test('lockPyprojectPath is the sibling pyproject.toml', () => {
    expect(lockPyprojectPath('uv.lock')).toBe('pyproject.toml');
    expect(lockPyprojectPath('proj/sub/poetry.lock')).toBe('proj/sub/pyproject.toml');
  });

  test('checkLockFile', () => {
    expect(checkLockFile(view({ requirements: 'r.txt', packages: ['x'] }), false)).toBe('requirements');
    expect(checkLockFile(view({ requirements: 'uv.lock' }), true)).toBe('uv.lock');
    expect(() => checkLockFile(view({ requirements: 'uv.lock', packages: ['x'] }), true)).toThrow(SpecError);
    expect(() => checkLockFile(view({ requirements: 'poetry.lock' }), false)).toThrow(expect.objectContaining({ field: 'requirements' }));
  });
});
