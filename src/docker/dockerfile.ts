/**
 * The Dockerfile of flytekit's default ImageSpec builder (flytekit 1.16.24, reference §7.2),
 * written from its described behaviour: the same stages, instructions and order, so the image has
 * the same layout (micromamba env or venv, `flytekit` user, PATH/UV_* env, files under /root,
 * `_F_IMG_ID` last). It is not byte-identical: instructions are wrapped with line continuations for
 * readability, and the deviations below are deliberate.
 *
 * Deliberate deviations from flytekit's output (same image for every spec flytekit builds
 * correctly):
 *  - Every user value is validated or rendered inertly (see sanitize.ts): env values are quoted
 *    (flytekit writes `A=b c`, which breaks), conda packages, python versions and pip arguments are
 *    shell-quoted (flytekit's unquoted `numpy>=1.2` is a shell redirect), and anything that would
 *    add Dockerfile instructions is rejected. A consequence: `$VAR` in an env value is literal.
 *  - No `#syntax=docker/dockerfile:1.5` line by default. That directive makes BuildKit pull the
 *    frontend image from Docker Hub before every build, which fails on offline or rate-limited
 *    runners; BuildKit's built-in Dockerfile frontend has supported `RUN --mount` (cache, bind,
 *    secret, from=stage) for years. `syntaxDirective` turns it back on.
 *  - When `commands` is empty, the commands RUN is omitted (flytekit emits a RUN with mounts and
 *    no command, an empty layer).
 *  - The ca-certificates fallback copies micromamba's bundle only if the base image has none.
 *    flytekit's `[ -f X ] || mkdir … && cp …` parses as `([ -f X ] || mkdir …) && cp …` and so
 *    always overwrites the base image's bundle (dropping e.g. corporate CAs); the intent, stated
 *    by the instruction's shape, is a fallback.
 *  - A `copy` entry that does not exist is an error here (flytekit fails too, in shutil).
 */
import { InputError, SpecError } from '../errors';
import type { SpecView } from '../imagespec/types';
import { cacheMountFlag } from '../cachemounts/table';
import { checkLockFile, REQUIREMENTS_UV, type InstallMode } from './requirements';
import {
  checkImageRef,
  checkMountTarget,
  checkPythonVersion,
  checkSecretId,
  checkSpecView,
  copyParent,
  dockerQuote,
  jsonArray,
  normalizeCopyPath,
  shellQuote,
} from './sanitize';

export const DEFAULT_UV_IMAGE = 'ghcr.io/astral-sh/uv:0.5.1';
export const DEFAULT_MICROMAMBA_IMAGE = 'mambaorg/micromamba:2.0.3-debian12-slim';
export const DEFAULT_BASE_IMAGE = 'debian:bookworm-slim';

/** Where micromamba puts the `runtime` env, and the venv used with `python_exec` or a lock file. */
const MAMBA_ROOT = '/opt/micromamba';
const MAMBA_BIN = `${MAMBA_ROOT}/envs/runtime/bin`;
const VENV = '/root/.venv';

export interface CopyEntry {
  /** The `copy` entry as written in the spec (normalised here like pathlib does). */
  path: string;
  /** What the path is on disk, relative to the working directory; `missing` is an error. */
  kind: 'file' | 'dir' | 'missing';
}

export interface SecretMount {
  /** BuildKit secret id, as passed to `docker buildx build --secret id=<id>,...`. */
  id: string;
  /** Where the secret file appears during the Python install step (e.g. `/root/.netrc`). */
  target: string;
}

export interface DockerfileOptions {
  /** `spec.id`, written last as `ENV _F_IMG_ID=<id>` (flytekit's runtime check compares it). */
  imageId: string;
  /** micromamba's `python=` when the spec has no python_version (flytekit uses its host's). */
  defaultPythonVersion: string;
  /** The flytekit version pinned in requirements_uv.txt; recorded in the header comment. */
  flytekitVersion: string;
  /**
   * A `# syntax=` frontend image (e.g. `docker/dockerfile:1.5`), or false/undefined for none
   * (the default; see the module comment for why).
   */
  syntaxDirective?: string | false;
  /** Whether the context has `./src` with the source_root files (then `COPY ./src /root`). */
  sourceFiles: boolean;
  /** One entry per `view.copy` entry, in order. The context holds each at its normalised path. */
  copyEntries: CopyEntry[];
  /** pip secret mounts for the Python install RUN (flytekit's `pip_secret_mounts`). */
  secretMounts?: SecretMount[];
  /**
   * Whether `pyproject.toml` exists next to a `uv.lock`/`poetry.lock` requirements file
   * (`lockPyprojectPath`). Only read in those modes; unset counts as missing, which is an error.
   */
  pyprojectPresent?: boolean;
}

/**
 * One instruction over several lines: the first part follows the keyword, each further part goes
 * on its own continuation line. Callers guarantee no part starts with `#` or is blank (Docker
 * drops such lines inside a continuation) and no part but the last ends with a backslash.
 */
function instruction(keyword: string, parts: readonly string[]): string {
  return `${keyword} ` + parts.join(' \\\n    ');
}

const UV_CACHE_MOUNT = cacheMountFlag('uv');
const UV_BIN_MOUNT = '--mount=from=uv,source=/uv,target=/usr/bin/uv';
const bindMount = (file: string): string => `--mount=type=bind,target=${file},src=${file}`;

/** `ENV PATH=… UV_PYTHON=…` pointing at the venv that `uv sync` / `poetry install` created. */
const VENV_ENV = instruction('ENV', [`PATH="${VENV}/bin:$PATH"`, `UV_PYTHON=${VENV}/bin/python`]);

function checkOptions(opts: DockerfileOptions): void {
  try {
    checkPythonVersion(opts.defaultPythonVersion, 'default-python-version');
  } catch (e) {
    throw new InputError((e as Error).message, 'default-python-version');
  }
  if (opts.syntaxDirective) {
    try {
      checkImageRef(syntaxImage(opts.syntaxDirective), 'syntax');
    } catch (e) {
      throw new InputError((e as Error).message, 'dockerfile-syntax');
    }
  }
  (opts.secretMounts ?? []).forEach((m, i) => {
    checkSecretId(m.id, `secretMounts[${i}].id`);
    checkMountTarget(m.target, `secretMounts[${i}].target`);
  });
}

/** Accepts `docker/dockerfile:1.5` as well as a whole `#syntax=docker/dockerfile:1.5` line. */
function syntaxImage(directive: string): string {
  return directive.replace(/^#\s*syntax\s*=\s*/i, '').trim();
}

/** `_F_IMG_ID` is a base64url hash; render it bare like flytekit, quoted if it ever is not. */
function envWord(value: string): string {
  return /^[A-Za-z0-9_.:/+=-]+$/.test(value) ? value : dockerQuote(value);
}

/**
 * The user's env after `PYTHONPATH=/root`, with Python dict semantics: flytekit does
 * `{"PYTHONPATH": "/root", **env}`, so a user PYTHONPATH replaces the value in first position and
 * a repeated key keeps its first position with the last value.
 */
function mergedEnv(env: ReadonlyArray<[string, string]>): Array<[string, string]> {
  const merged = new Map<string, string>([['PYTHONPATH', '/root']]);
  for (const [k, v] of env) merged.set(k, v);
  return [...merged];
}

function condaArgs(view: SpecView, pythonVersion: string): string {
  return [
    '-c conda-forge',
    ...view.condaChannels.map((c) => `-c ${shellQuote(c)}`),
    shellQuote(`python=${pythonVersion}`),
    ...view.condaPackages.map(shellQuote),
  ].join(' ');
}

function micromambaBlock(view: SpecView, pythonVersion: string): string {
  const args = condaArgs(view, pythonVersion);
  const prefix = `-n runtime --root-prefix ${MAMBA_ROOT}`;
  // `create` fails when the base image (e.g. another ImageSpec image) already has the env; then
  // install into it. The env must belong to the flytekit user, who runs the tasks.
  return instruction('RUN', [
    cacheMountFlag('micromamba'),
    '--mount=from=micromamba,source=/usr/bin/micromamba,target=/usr/bin/micromamba',
    'micromamba config set use_lockfiles False &&',
    `( micromamba create ${prefix} ${args}`,
    `|| micromamba install ${prefix} ${args} ) &&`,
    `chown -R flytekit ${MAMBA_ROOT}`,
  ]);
}

/** flytekit's Python install step for each mode (reference §7.2, "python install block"). */
function installBlock(view: SpecView, mode: InstallMode, pipArgs: readonly string[], secretMounts: readonly SecretMount[]): string[] {
  const secrets = secretMounts.map((m) => `--mount=type=secret,id=${m.id},target=${m.target}`);
  const args = (extra: readonly string[]): string => [...pipArgs, ...extra].join(' ');
  switch (mode) {
    case 'uv.lock':
      // `uv sync` creates the project venv in the working directory, hence WORKDIR /root.
      return [
        'WORKDIR /root',
        instruction('RUN', [
          UV_CACHE_MOUNT,
          UV_BIN_MOUNT,
          bindMount('uv.lock'),
          bindMount('pyproject.toml'),
          ...secrets,
          `uv sync ${args(['--locked', '--no-dev', '--no-install-project'])} &&`,
          `chown -R flytekit ${VENV}`,
        ]),
        'WORKDIR /',
        VENV_ENV,
      ];
    case 'poetry.lock':
      // Poetry is installed with uv into the current interpreter, then creates its venv in the
      // project directory (POETRY_VIRTUALENVS_IN_PROJECT), which is /root.
      return [
        instruction('RUN', [UV_CACHE_MOUNT, UV_BIN_MOUNT, 'uv pip install poetry']),
        instruction('ENV', ['POETRY_CACHE_DIR=/tmp/poetry_cache', 'POETRY_VIRTUALENVS_IN_PROJECT=true']),
        'WORKDIR /root',
        instruction('RUN', [
          cacheMountFlag('poetry'),
          bindMount('poetry.lock'),
          bindMount('pyproject.toml'),
          ...secrets,
          `poetry install ${args(['--no-root'])} &&`,
          `chown -R flytekit ${VENV}`,
        ]),
        'WORKDIR /',
        VENV_ENV,
      ];
    case 'requirements': {
      const mounts = [UV_CACHE_MOUNT, UV_BIN_MOUNT, bindMount(REQUIREMENTS_UV), ...secrets];
      const install = args(['--requirement', REQUIREMENTS_UV]);
      if (view.pythonExec === undefined) {
        return [instruction('RUN', [...mounts, `uv pip install ${install}`])];
      }
      // The base image's Python may be "externally managed" (PEP 668), so flytekit installs into
      // a venv that still sees the base image's packages.
      return [
        'WORKDIR /root',
        instruction('RUN', [
          ...mounts,
          `uv venv --python ${shellQuote(view.pythonExec)} --system-site-packages ${VENV} &&`,
          `uv pip install --python ${VENV}/bin/python ${install} &&`,
          `chown -R flytekit ${VENV}`,
        ]),
        'WORKDIR /',
      ];
    }
  }
}

function copyLine(src: string, dest: string): string {
  const plain = /^[A-Za-z0-9_./@%+=:,~-]+$/;
  if (plain.test(src) && plain.test(dest)) return `COPY --chown=flytekit ${src} ${dest}`;
  // Blanks split words in the plain form; the JSON form keeps each path one word.
  return `COPY --chown=flytekit ${jsonArray([src, dest])}`;
}

/**
 * `copy` entries as flytekit writes them: a directory `p` goes to `/root/p/`, a file to
 * `/root/<parent>/` (so a top-level file gives `/root/./`).
 */
function copyLines(view: SpecView, entries: readonly CopyEntry[]): string[] {
  if (entries.length !== view.copy.length) {
    throw new Error(`copyEntries has ${entries.length} entries but the spec's copy has ${view.copy.length}`);
  }
  return entries.map((e, i) => {
    const field = `copy[${i}]`;
    const p = normalizeCopyPath(e.path, field);
    if (e.kind === 'missing') {
      throw new SpecError(`${JSON.stringify(e.path)} does not exist (copy paths are relative to the working directory)`, {
        field,
      });
    }
    return copyLine(p, e.kind === 'dir' ? `/root/${p}/` : `/root/${copyParent(p)}/`);
  });
}

/**
 * Renders the Dockerfile for `view`. Throws a SpecError (field set, file/line left to the caller)
 * for what flytekit rejects (cuda/cudnn, conda fields with python_exec, lock-file conflicts, bad
 * copy paths) and for values that fail validation; an InputError for bad options.
 */
export function renderDockerfile(view: SpecView, opts: DockerfileOptions): string {
  checkOptions(opts);
  // flytekit's own checks first, in its order.
  if (view.cuda !== undefined || view.cudnn !== undefined) {
    throw new SpecError(
      'cuda and cudnn do not need to be specified: GPU libraries from PyPI bring their own CUDA; ' +
        'with conda, add the `nvidia` channel to conda_channels and its packages to ' +
        'conda_packages; for non-Python CUDA needs, use a base_image with CUDA preinstalled',
      { field: view.cuda !== undefined ? 'cuda' : 'cudnn' },
    );
  }
  const mode = checkLockFile(view, opts.pyprojectPresent === true);
  if (view.pythonExec !== undefined) {
    if (view.condaChannels.length > 0) {
      throw new SpecError('conda_channels is not supported with python_exec', { field: 'conda_channels' });
    }
    if (view.condaPackages.length > 0) {
      throw new SpecError('conda_packages is not supported with python_exec', { field: 'conda_packages' });
    }
  }
  const { pipExtraArgs, commands } = checkSpecView(view);
  const copies = copyLines(view, opts.copyEntries);

  // flytekit tests `if image_spec.python_version:`, so an empty string also means the default.
  const pythonVersion = view.pythonVersion || opts.defaultPythonVersion;
  const extraPath = view.pythonExec === undefined ? MAMBA_BIN : `${VENV}/bin`;
  const pythonExec = `${extraPath}/python`;
  const pipArgs = [
    ...(view.pipIndex !== undefined ? ['--index-url', shellQuote(view.pipIndex)] : []),
    ...view.pipExtraIndexUrl.flatMap((u) => ['--extra-index-url', shellQuote(u)]),
    ...pipExtraArgs.map(shellQuote),
  ];

  // Sections are separated by blank lines; lines within a section are consecutive instructions.
  const sections: string[][] = [];
  const header: string[] = [];
  if (opts.syntaxDirective) header.push(`# syntax=${syntaxImage(opts.syntaxDirective)}`);
  header.push(
    `# Generated by imagespec-action: the image layout of flytekit's default ImageSpec builder`,
    `# (flytekit ${opts.flytekitVersion.replace(/[^A-Za-z0-9.+!_-]/g, '?')}).`,
  );
  sections.push(header);
  sections.push([
    `FROM ${view.uvImage ?? DEFAULT_UV_IMAGE} AS uv`,
    `FROM ${view.micromambaImage ?? DEFAULT_MICROMAMBA_IMAGE} AS micromamba`,
  ]);
  sections.push([`FROM ${view.baseImage ?? DEFAULT_BASE_IMAGE}`, 'WORKDIR /', 'USER root']);
  if (view.aptPackages.length > 0) {
    sections.push([
      instruction('RUN', [
        cacheMountFlag('apt'),
        `apt-get update && apt-get install -y --no-install-recommends ${view.aptPackages.join(' ')}`,
      ]),
    ]);
  }
  sections.push([
    instruction('RUN', [
      '--mount=from=micromamba,source=/etc/ssl/certs/ca-certificates.crt,target=/tmp/ca-certificates.crt',
      '[ -f /etc/ssl/certs/ca-certificates.crt ] ||',
      '{ mkdir -p /etc/ssl/certs/ && cp /tmp/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt; }',
    ]),
    'RUN id -u flytekit || useradd --create-home --shell /bin/bash flytekit',
    'RUN chown -R flytekit /root && chown -R flytekit /home',
  ]);
  if (view.pythonExec === undefined) sections.push([micromambaBlock(view, pythonVersion)]);
  sections.push([
    instruction('ENV', [
      `PATH="${extraPath}:$PATH"`,
      `UV_PYTHON=${pythonExec}`,
      'UV_COMPILE_BYTECODE=1',
      'UV_LINK_MODE=copy',
      'FLYTE_SDK_RICH_TRACEBACKS=0',
      'SSL_CERT_DIR=/etc/ssl/certs',
      ...mergedEnv(view.env).map(([k, v]) => `${k}=${dockerQuote(v)}`),
    ]),
  ]);
  sections.push(installBlock(view, mode, pipArgs, opts.secretMounts ?? []));

  const tail: string[] = [
    instruction('ENV', [
      'PATH="$PATH:/usr/local/nvidia/bin:/usr/local/cuda/bin"',
      'LD_LIBRARY_PATH="/usr/local/nvidia/lib64:$LD_LIBRARY_PATH"',
    ]),
  ];
  if (view.entrypoint !== undefined) tail.push(`ENTRYPOINT ${jsonArray(view.entrypoint)}`);
  if (opts.sourceFiles) tail.push('COPY --chown=flytekit ./src /root');
  tail.push(...copies);
  sections.push(tail);
  if (commands.length > 0) {
    // Commands run as root in /, with uv and its cache available, before the user switch.
    sections.push([
      instruction('RUN', [UV_CACHE_MOUNT, UV_BIN_MOUNT, ...commands.map((c, i) => (i < commands.length - 1 ? `${c} &&` : c))]),
    ]);
  }
  sections.push([
    'WORKDIR /root',
    'SHELL ["/bin/bash", "-c"]',
    'USER flytekit',
    'RUN mkdir -p $HOME && echo "export PATH=$PATH" >> $HOME/.profile',
  ]);
  // Last, so a change of the spec id only invalidates this one layer.
  sections.push([`ENV _F_IMG_ID=${envWord(opts.imageId)}`]);
  return sections.map((s) => s.join('\n')).join('\n\n') + '\n';
}
