import {
  asciiJson,
  checkAptPackage,
  checkCommand,
  checkCondaChannel,
  checkCondaPackage,
  checkEnvKey,
  checkEnvValue,
  checkImageRef,
  checkIndexUrl,
  checkPipRequirement,
  checkPythonExec,
  checkPythonVersion,
  copyParent,
  dockerQuote,
  isRepository,
  jsonArray,
  normalizeCopyPath,
  shellQuote,
  splitPipExtraArgs,
} from '../../src/docker/sanitize';
import { SpecError } from '../../src/errors';
import { parseEnv, shellWords } from './dockerfileParse';

/** Runs `check(value, field)` and returns the SpecError's field, or undefined if it passed. */
function rejectedField(check: (v: string, f: string) => unknown, value: string, field = 'f[3]'): string | undefined {
  try {
    check(value, field);
    return undefined;
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return e.field;
  }
}

function table(name: string, check: (v: string, f: string) => unknown, accept: string[], reject: string[]): void {
  describe(name, () => {
    test.each(accept)('accepts %j', (v) => expect(rejectedField(check, v)).toBeUndefined());
    test.each(reject)('rejects %j, naming the field', (v) => expect(rejectedField(check, v)).toBe('f[3]'));
  });
}

table(
  'apt packages',
  checkAptPackage,
  [
    'git',
    'g++',
    'libstdc++6',
    'python3.11-venv',
    'curl=7.88.1-10+deb12u5',
    'libc6:amd64',
    'libc6:i386=2.36-9',
    'vim=2:9.0.1378-2',
    'nginx/bookworm-backports',
    'a',
  ],
  [
    '',
    'Git',
    '-y',
    '--allow-unauthenticated',
    'git curl',
    'git;id',
    'git&&id',
    'git|sh',
    'git$(id)',
    'git`id`',
    'git\n',
    'git\0',
    'curl>=7',
    '.hidden',
    'git=',
    'ca-certificates=$(x)',
  ],
);

table(
  'pip requirements (PEP 508 and direct URLs)',
  checkPipRequirement,
  [
    'numpy',
    'numpy==1.26.4',
    'numpy>=1.26,<2',
    'numpy >= 1.26 , < 2',
    'torch==2.3.0+cpu',
    'pandas~=2.2',
    'requests[security,socks]>=2.31',
    'requests [security] (>=2.8.1, ==2.8.*)',
    'flytekit===1.16.24',
    'foo.bar_baz-qux',
    'numpy; python_version < "3.12"',
    "numpy>=1.0 ; python_version >= '3.10' and (sys_platform == 'linux' or platform_machine != 'x86_64')",
    'pywin32 ; sys_platform == "win32"',
    'foo ; extra == "bar|baz"',
    "foo; 'linux' in sys_platform",
    'foo; os_name not in "nt"',
    'pkg @ https://example.com/pkg-1.0-py3-none-any.whl',
    'pkg @ https://example.com/pkg.whl#sha256=' + 'a'.repeat(64),
    'pkg@git+https://github.com/org/pkg.git@v1.0',
    'pkg @ git+ssh://git@github.com/org/pkg.git ; python_version >= "3.9"',
    'pkg[extra] @ file:///opt/wheels/pkg.whl',
    'git+https://github.com/flyteorg/flytekit.git@master#subdirectory=plugins/flytekit-pandera',
    'https://example.com/pkg.tar.gz',
    'numpy==1.26.4 --hash=sha256:' + 'b'.repeat(64),
    'numpy  # the good one',
    '  numpy  ',
    'numpy==2.*',
  ],
  [
    '',
    '   ',
    '-e .',
    '--index-url https://evil/simple',
    ' -r /etc/passwd',
    'numpy\n--extra-index-url https://evil',
    'numpy\r',
    'numpy\0',
    'numpy`id`',
    'numpy==$(id)',
    'numpy && curl evil',
    'numpy; rm -rf /',
    'numpy | sh',
    'numpy > /tmp/x',
    'numpy ==',
    'numpy[extra',
    'numpy; python_version <',
    'numpy; python_version < "3.12" extra',
    'numpy; python_version < "3.12',
    'pkg @ https://x/a;python_version<"3"',
    "pkg @ https://x/a'b",
    'pkg @ not-a-url',
    './local/path',
    '/abs/path.whl',
    'numpy something',
    '${INDEX}/numpy',
  ],
);

table(
  'conda packages',
  checkCondaPackage,
  [
    'numpy',
    'numpy=1.26',
    'numpy>=1.26,<2',
    'conda-forge::numpy',
    'conda-forge/linux-64::numpy=1.26=py311_0',
    'numpy 1.26.*',
    "numpy[version='>=1.26']",
    'a|b',
    'pytorch-cuda=12.1',
    '_libgcc_mutex',
  ],
  ['', '-c', '--override-channels', 'numpy;id', 'numpy$(id)', 'numpy`id`', 'numpy&', 'numpy\n', 'numpy (>=1)', '$HOME'],
);

table(
  'conda channels',
  checkCondaChannel,
  ['conda-forge', 'bioconda', 'nvidia/label/cuda-12.1.0', 'https://conda.example.com/channel', 'file:///opt/channel'],
  ['', '-c', 'a b', 'x;id', 'https://x/$(id)', 'https://x/a b', 'ftp://x'],
);

table(
  'index URLs',
  checkIndexUrl,
  [
    'https://pypi.org/simple',
    'http://localhost:8080/simple/',
    'https://user:tok%40en@pkgs.example.com/simple?x=1&y=2',
    'file:///opt/index',
  ],
  [
    '',
    'pypi.org/simple',
    '-i',
    '--index-url=https://x',
    'https://x/simple --trusted-host y',
    'https://x/$(id)',
    "https://x/'",
    'https://x/;id',
    'https://',
    'https://x/\n',
    'ftp://x',
  ],
);

table(
  'python_exec',
  checkPythonExec,
  ['/usr/bin/python3', 'python3.11', '/opt/conda/bin/python', '/usr/local/bin/python3.12'],
  ['', '-c', '/usr/bin/python3 -c x', 'python3;id', 'python$(x)', "py'thon"],
);

table(
  'python versions',
  checkPythonVersion,
  ['3.11', '3.10.14', '3', '3.12.*', '>=3.10,<3.13'],
  ['', '-3', '3.11 ', '3.11;id', '3.11$(x)', '3.11\n'],
);

table(
  'image references',
  checkImageRef,
  [
    'debian',
    'debian:bookworm-slim',
    'ghcr.io/astral-sh/uv:0.5.1',
    'mambaorg/micromamba:2.0.3-debian12-slim',
    'localhost:5000/a/b:c',
    '[::1]:5000/a',
    'registry.example.com/team/img@sha256:' + 'c'.repeat(64),
    'img:tag@sha256:' + 'c'.repeat(64),
    'a__b/c--d/e.f_g',
  ],
  [
    '',
    'Debian',
    'debian:',
    ':tag',
    '-x',
    '--platform=linux/arm64',
    'debian bookworm',
    'debian\nRUN x',
    'debian:$TAG',
    'a//b',
    'a/b/',
    'debian:' + 'x'.repeat(129),
    'a@sha256:abc',
  ],
);

test('isRepository: no tag or digest', () => {
  expect(isRepository('ghcr.io/org/cache')).toBe(true);
  expect(isRepository('localhost:5000/cache')).toBe(true);
  expect(isRepository('ghcr.io/org/cache:tag')).toBe(false);
  expect(isRepository('ghcr.io/Org/cache')).toBe(false);
});

describe('env keys and values', () => {
  test.each(['A', '_', 'PATH', 'a1_b', '_X9'])('key %j accepted', (k) => expect(rejectedField(checkEnvKey, k)).toBeUndefined());
  test.each(['', '1A', 'A-B', 'A B', 'A=B', 'Ä', 'A\n'])('key %j rejected', (k) => expect(rejectedField(checkEnvKey, k)).toBe('f[3]'));
  test.each(['', 'a b', '"', '$(id)', '\\', '\t', 'é☃', "'"])('value %j accepted', (v) =>
    expect(rejectedField(checkEnvValue, v)).toBeUndefined(),
  );
  test.each(['a\nb', 'a\rb', 'a\0b', '\n'])('value %j rejected', (v) => expect(rejectedField(checkEnvValue, v)).toBe('f[3]'));
});

describe('quoting', () => {
  test.each(['', 'a', 'a b', `it's`, '$(id)', '`x`', '\\', '"', "''", 'a\tb', 'é', '--flag=x y', '*', '~'])(
    'shellQuote(%j) reads back as one literal word',
    (v) => {
      const words = shellWords(shellQuote(v));
      expect(words).toHaveLength(1);
      expect(words[0].text).toBe(v);
      expect(words[0].unquotedSpecial).toBe(false);
    },
  );
  test('shellQuote leaves safe words bare', () => {
    expect(shellQuote('python=3.11')).toBe('python=3.11');
    expect(shellQuote('https://pypi.org/simple')).toBe('https://pypi.org/simple');
    expect(shellQuote('numpy>=1')).toBe("'numpy>=1'");
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
  test.each(['', 'a b', '"', '\\', '$HOME', '${X}', '\\"', 'a\\', '\\$', "'"])('dockerQuote(%j) is literal', (v) => {
    const { pairs, expands } = parseEnv(`K=${dockerQuote(v)}`);
    expect(pairs).toEqual([['K', v]]);
    expect(expands).toEqual([]);
  });
  test('asciiJson escapes non-ASCII and line separators like json.dumps', () => {
    expect(asciiJson('é\u2028☃')).toBe('"\\u00e9\\u2028\\u2603"');
    expect(asciiJson('a\nb')).toBe('"a\\nb"');
    expect(JSON.parse(asciiJson('😀'))).toBe('😀');
    expect(jsonArray([])).toBe('[]');
    expect(jsonArray(['a', 'b'])).toBe('["a", "b"]');
  });
});

describe('pip_extra_args splitting', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['--pre', ['--pre']],
    ['--prerelease=allow  --no-build-isolation', ['--prerelease=allow', '--no-build-isolation']],
    [`--config-settings "a=b c" 'd e'`, ['--config-settings', 'a=b c', 'd e']],
    [`a"b"'c'd`, ['abcd']],
    [`"a\\"b\\\\c\\$d\\\`e"`, ['a"b\\c$d`e']],
    [`"x\\y"`, ['x\\y']],
    ['a\\ b', ['a b']],
    ["''", ['']],
    ['--only-binary=:all:', ['--only-binary=:all:']],
    ['a#b', ['a#b']],
    ['"#x"', ['#x']],
    ['*.whl ~/x', ['*.whl', '~/x']],
    ['\t--pre\t', ['--pre']],
  ])('%j → %j', (input, argv) => expect(splitPipExtraArgs(input)).toEqual(argv));

  test.each([
    'a;b',
    'a && b',
    'a | b',
    'a > f',
    'a < f',
    '$(id)',
    '`id`',
    '$HOME',
    '"$HOME"',
    '"`id`"',
    '(a)',
    '#comment',
    'a #comment',
    "'unterminated",
    '"unterminated',
    'trailing\\',
    'a\nb',
    'a\rb',
    'a\0',
  ])('rejects %j', (input) => expect(rejectedField(splitPipExtraArgs, input)).toBe('f[3]'));
});

describe('commands', () => {
  test.each<[string, string]>([
    ['echo hi', 'echo hi'],
    ['echo "a  b" | tr a b > /tmp/x; ls $HOME', 'echo "a  b" | tr a b > /tmp/x; ls $HOME'],
    ['echo hi\n', 'echo hi'],
    ['\n\necho hi\n\n', 'echo hi'],
    ['apt-get install \\\n  curl \\\n  git', 'apt-get install   curl   git'],
    ['a \\  \r\n  b', 'a   b'],
    ['a \\\n\n  # note\n  b', 'a   b'],
    ['cat <<<"here string"', 'cat <<<"here string"'],
    ['echo $((1<<2))', 'echo $((1<<2))'],
  ])('%j → %j', (input, out) => expect(checkCommand(input, 'f[3]')).toBe(out));

  test.each([
    'echo a\necho b',
    'echo a\rWORKDIR /',
    'echo a \\',
    'echo a \\\n',
    'echo a \\\n# only a comment',
    'cat <<EOF',
    'cat <<-EOF',
    'cat 0<<EOF',
    'x << EOF',
    '--mount=type=bind,source=/,target=/x echo',
    '-x',
    '# comment',
    'echo \0',
    'echo \x1b[31m',
  ])('rejects %j', (input) => expect(rejectedField(checkCommand, input)).toBe('f[3]'));
});

describe('copy paths', () => {
  test.each<[string, string, string]>([
    ['a.txt', 'a.txt', '.'],
    ['dir/', 'dir', '.'],
    ['./a//b/./c/', 'a/b/c', 'a/b'],
    ['', '.', '.'],
    ['.', '.', '.'],
    ['my dir/f.txt', 'my dir/f.txt', 'my dir'],
    ['unicodé/ñ', 'unicodé/ñ', 'unicodé'],
    ['a-b/-c', 'a-b/-c', 'a-b'],
  ])('%j → %j (parent %j)', (input, norm, parent) => {
    expect(normalizeCopyPath(input, 'f[3]')).toBe(norm);
    expect(copyParent(norm)).toBe(parent);
  });
  test.each(['/etc', '..', 'a/../b', '../x', 'a\\b', 'a$b', 'a*', 'a?', 'a[1]', '<<EOF', '-x', './--from=y', 'a\nb', 'a"b', "a'b"])(
    'rejects %j',
    (input) => expect(rejectedField(normalizeCopyPath, input)).toBe('f[3]'),
  );
});

test('lone surrogates are refused where free text is rendered', () => {
  expect(rejectedField(checkEnvValue, 'a\ud800b')).toBe('f[3]');
  expect(rejectedField(checkEnvValue, '😀')).toBeUndefined();
  expect(rejectedField(checkCommand, 'echo \udc00')).toBe('f[3]');
  expect(rejectedField(normalizeCopyPath, 'a\ud800')).toBe('f[3]');
});
