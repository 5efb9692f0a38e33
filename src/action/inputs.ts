import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, SpecError } from '../errors';
import type { Registration } from '../plan/python';
import type { Flyte2CopyStyle } from '../flyte2/evaluate';
import { checkMountTarget, checkPythonVersion } from '../docker/sanitize';
import { KEY_GRAMMAR, KEY_RE } from '../plan/keys';
import { isRegistryHost, isRepository } from '../registry/reference';
import { quoted } from '../util/logSafe';

export type Mode = 'plan' | 'check' | 'build';

export interface Inputs {
  specs: string;
  /** Absolute. Spec globs and every relative path inside a spec resolve against it. */
  workingDirectory: string;
  /** The repository root, for annotation paths (GitHub wants them relative to it). */
  workspace: string;
  mode: Mode;
  /** `platform.machine()` of the host that runs pyflyte: decides flytekit's default platform for localhost registries. */
  hostMachine: string;
  /** What an unanswerable existence check means: fail the step, build anyway, or assume it exists. */
  onUnknown: 'fail' | 'build' | 'skip';
  failOnMissing: boolean;
  concurrency: number;
  /** gzip level of the layers a build compresses (pushed image and layer cache). */
  compressionLevel: number;
  insecureRegistries: string[];
  push: boolean;
  force: boolean;
  /** `auto`: the GitHub cache (`gha`) when the runner offers it and the builder can export to it, else none. */
  cache: 'auto' | 'none' | 'gha' | 'registry';
  cacheRef: string;
  builder: string;
  pythonVersion: string;
  flytekitVersion: string;
  failFast: boolean;
  /** Image keys to restrict the run to (plus their repository base specs); empty: every spec. */
  only: string[];
  /** Keep BuildKit cache mounts in the GitHub Actions cache across runs. */
  cacheMounts: boolean;
  /** flytekit's `pip_secret_mounts`, which a YAML spec cannot express: local file → mount target. */
  pipSecretMounts: Array<{ src: string; target: string }>;
  /** An interpreter with the project and flytekit installed: ImageSpecs in Python are named by flytekit itself. */
  python: string;
  /** How pyflyte registers: `fast` (its default) or `non-fast` (`--copy none`; needs `python`). */
  registration: Registration;
  /** Flyte 2 modules and folders (globs or paths, relative to the working directory), one an item; empty: none. */
  flyte2: string[];
  /** `flyte deploy --root-dir` as given (relative to the working directory); '' for the CLI's default, the working directory. */
  flyte2RootDir: string;
  /** `flyte deploy --copy-style`: decides the code bundle layer, and so the tag, of images that have one. */
  flyte2CopyStyle: Flyte2CopyStyle;
}

/** `src:target` a line, e.g. `.netrc:/root/.netrc`; `src` resolves against the working directory. */
export function parseSecretMounts(value: string, cwd: string): Array<{ src: string; target: string }> {
  const name = 'pip-secret-mounts';
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const i = line.lastIndexOf(':');
      if (i <= 0 || !line.slice(i + 1).startsWith('/')) {
        throw new InputError(`input '${name}': ${quoted(line)} is not <local file>:<absolute target>`, name);
      }
      const src = line.slice(0, i);
      noControls(name, src);
      try {
        checkMountTarget(line.slice(i + 1), name);
      } catch (e) {
        throw asInputError(e, name);
      }
      return { src: path.resolve(cwd, src), target: line.slice(i + 1) };
    });
}

function asInputError(e: unknown, name: string): unknown {
  return e instanceof SpecError ? new InputError(`input '${name}': ${e.message}`, name) : e;
}

/** Control characters other than line ends (which separate list items). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;

/** No input may carry control characters: they would reach argv, paths and log lines. */
function noControls(name: string, value: string): void {
  if (CONTROL.test(value)) throw new InputError(`input '${name}' must not contain control characters: ${quoted(value)}`, name);
}

/**
 * The trimmed value of an input; undefined when the input is not given at all. The runner passes
 * every input (action.yml's default when the workflow does not set it), so a given but empty value
 * is what the workflow wrote, e.g. `mode: ${{ inputs.mode }}` with no such input.
 */
export type GetInput = (name: string) => string | undefined;

/**
 * Inputs that have a choice of values: an explicit empty value is an error rather than a silent
 * default, since `push: ''` meaning "push" or `mode: ''` meaning "build" surprises.
 */
function given(name: string, value: string | undefined, what: string): string | undefined {
  if (value === '') throw new InputError(`input '${name}' is empty; leave it out to get the default, or set ${what}`, name);
  return value;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  const value = given(name, raw, `one of ${allowed.join(', ')}`);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be one of ${allowed.join(', ')}; got ${quoted(value)}`, name);
}

/** YAML 1.2 core booleans, as `core.getBooleanInput` accepts them. */
export function boolInput(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = given(name, raw, 'true or false');
  if (value === undefined) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input '${name}' must be true or false; got ${quoted(value)}`, name);
}

function intInput(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const value = given(name, raw, `a whole number from ${min} to ${max}`);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`input '${name}' must be a whole number from ${min} to ${max}; got ${quoted(value)}`, name);
  }
  return n;
}

/** A free-form word input with a grammar; '' (or not given) is unset. */
function wordInput(name: string, value: string | undefined, re: RegExp, what: string): string {
  if (!value) return '';
  if (!re.test(value)) throw new InputError(`input '${name}' must be ${what}; got ${quoted(value)}`, name);
  return value;
}

/**
 * `insecure-registries`: each entry a registry `host[:port]` (the registry grammar of image
 * references). Wildcards, CIDR ranges, URLs and anything else are refused: plain HTTP is allowed
 * per named host only.
 */
export function insecureRegistriesInput(value: string): string[] {
  const entries = listInput(value);
  const bad = entries.filter((e) => !isRegistryHost(e));
  if (bad.length > 0) {
    throw new InputError(
      `input 'insecure-registries': ${bad.map((b) => quoted(b)).join(', ')} ${bad.length > 1 ? 'are not registry hosts' : 'is not a registry host'}; ` +
        'each entry must be host or host:port (e.g. registry.internal:5000), without scheme, path, wildcard or CIDR range',
      'insecure-registries',
    );
  }
  return entries.map((e) => e.toLowerCase());
}

/** buildx builder (or docker context) names. */
const BUILDER_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/;
/** What `platform.machine()` returns: x86_64, aarch64, arm64, ppc64le, … */
const MACHINE_RE = /^[A-Za-z0-9_.-]{1,64}$/;
/** A flytekit release or pre-release version (PEP 440 characters). */
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,63}$/;

/**
 * `flyte2-root-dir` goes on into the `flyte2-deploy-args` output, which workflows word-split: a path
 * of plain characters only, so it stays one word and carries no shell syntax.
 */
const DEPLOY_PATH_RE = /^[A-Za-z0-9_./@+-]{1,1024}$/;

/** A list input: one item a line or comma-separated, blank items dropped. */
export function listInput(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readInputs(get: GetInput, env: NodeJS.ProcessEnv, cwd: string): Inputs {
  const text = (name: string): string => {
    const v = get(name) ?? '';
    // Newlines separate list items; every other control character is refused.
    noControls(name, v);
    return v;
  };
  const cache = oneOf('cache', get('cache'), ['auto', 'none', 'gha', 'registry'] as const, 'auto');
  const cacheRef = text('cache-ref');
  if (cache === 'registry' && !cacheRef) {
    throw new InputError(
      "input 'cache-ref' is required with cache: registry (a repository such as ghcr.io/acme/imagespec-cache)",
      'cache-ref',
    );
  }
  if (cacheRef && !isRepository(cacheRef)) {
    throw new InputError(
      `input 'cache-ref' must be a repository without tag or digest (e.g. ghcr.io/acme/imagespec-cache); got ${quoted(cacheRef)}`,
      'cache-ref',
    );
  }
  const workspace = path.resolve(env.GITHUB_WORKSPACE || cwd);
  const wd = text('working-directory');
  const workingDirectory = wd ? path.resolve(workspace, wd) : workspace;
  const specs = text('specs');
  const flyte2 = text('flyte2')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!specs && flyte2.length === 0) {
    throw new InputError("input 'specs' is required (one glob or path a line) unless 'flyte2' names Flyte 2 modules", 'specs');
  }
  const python = text('python');
  // Flyte 2 images exist only in Python: without the project's own SDK there is nothing to read them with.
  if (flyte2.length > 0 && !python) {
    throw new InputError(
      "input 'flyte2' needs the 'python' input: an interpreter where your project and its flyte SDK are installed (the images are named by that SDK)",
      'flyte2',
    );
  }
  const flyte2RootDir = text('flyte2-root-dir');
  if (flyte2RootDir && !DEPLOY_PATH_RE.test(flyte2RootDir)) {
    throw new InputError(
      `input 'flyte2-root-dir' must be a path of letters, digits, '_', '.', '/', '@', '+' and '-' (it is passed on to flyte deploy); got ${quoted(flyte2RootDir)}`,
      'flyte2-root-dir',
    );
  }
  if (flyte2RootDir && flyte2.length === 0) {
    throw new InputError("input 'flyte2-root-dir' has no effect without 'flyte2'", 'flyte2-root-dir');
  }
  const only = listInput(text('only'));
  const badKeys = only.filter((k) => !KEY_RE.test(k));
  if (badKeys.length > 0) {
    throw new InputError(`input 'only': ${badKeys.map((k) => quoted(k)).join(', ')} is not an image key (${KEY_GRAMMAR})`, 'only');
  }
  const pythonVersion = text('python-version') || '3.12';
  try {
    checkPythonVersion(pythonVersion, 'python-version');
  } catch (e) {
    throw asInputError(e, 'python-version');
  }
  return {
    specs,
    workingDirectory,
    workspace,
    mode: oneOf('mode', get('mode'), ['plan', 'check', 'build'] as const, 'build'),
    hostMachine: wordInput('host-machine', text('host-machine'), MACHINE_RE, 'a machine name such as x86_64 or aarch64') || os.machine(),
    onUnknown: oneOf('on-unknown', get('on-unknown'), ['fail', 'build', 'skip'] as const, 'fail'),
    failOnMissing: boolInput('fail-on-missing', get('fail-on-missing'), false),
    concurrency: intInput('concurrency', get('concurrency'), 8, 1, 64),
    compressionLevel: intInput('compression-level', get('compression-level'), 1, 0, 9),
    insecureRegistries: insecureRegistriesInput(text('insecure-registries')),
    push: boolInput('push', get('push'), true),
    // flytekit's own switch counts too, with flytekit's truthiness (anything but false/0/off/no).
    force:
      boolInput('force', get('force'), false) ||
      (env.FLYTE_FORCE_PUSH_IMAGE_SPEC !== undefined &&
        !['false', '0', 'off', 'no'].includes(env.FLYTE_FORCE_PUSH_IMAGE_SPEC.toLowerCase())),
    cache,
    cacheRef,
    builder: wordInput('builder', text('builder'), BUILDER_RE, "a buildx builder name (letters, digits, '_', '.', '+', '-')"),
    pythonVersion,
    flytekitVersion: wordInput('flytekit-version', text('flytekit-version'), VERSION_RE, 'a flytekit version such as 1.16.24') || '1.16.24',
    failFast: boolInput('fail-fast', get('fail-fast'), false),
    only,
    cacheMounts: boolInput('cache-mounts', get('cache-mounts'), false),
    pipSecretMounts: parseSecretMounts(text('pip-secret-mounts'), workingDirectory),
    python,
    registration: oneOf('registration', get('registration'), ['fast', 'non-fast'] as const, 'fast'),
    flyte2,
    flyte2RootDir,
    flyte2CopyStyle: oneOf('flyte2-copy-style', get('flyte2-copy-style'), ['loaded_modules', 'all', 'none'] as const, 'loaded_modules'),
  };
}

/** BuildKit refuses larger secrets (500 KiB); a credentials file is far smaller. */
export const SECRET_FILE_MAX = 500 * 1024;

/**
 * Each `pip-secret-mounts` source must be a readable regular file of bounded size: buildx would
 * block on a FIFO, read `/dev/zero` forever, or fail every build on a missing file or a directory.
 * Run before any registry request or build, so a wrong source stops the step at once.
 */
export function checkSecretSources(mounts: Inputs['pipSecretMounts'], workingDirectory: string): void {
  for (const m of mounts) {
    const shown = quoted(path.relative(workingDirectory, m.src) || m.src);
    let st: fs.Stats;
    try {
      st = fs.statSync(m.src);
      fs.accessSync(m.src, fs.constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code ?? 'error'})`;
      throw new InputError(`input 'pip-secret-mounts': ${shown} ${why}`, 'pip-secret-mounts');
    }
    if (!st.isFile()) {
      throw new InputError(`input 'pip-secret-mounts': ${shown} is not a regular file`, 'pip-secret-mounts');
    }
    if (st.size > SECRET_FILE_MAX) {
      throw new InputError(
        `input 'pip-secret-mounts': ${shown} is larger than ${SECRET_FILE_MAX} bytes, the most BuildKit takes as a secret`,
        'pip-secret-mounts',
      );
    }
  }
}
