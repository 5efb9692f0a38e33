import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../errors';
import type { Registration } from '../plan/python';

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
  insecureRegistries: string[];
  push: boolean;
  force: boolean;
  cache: 'none' | 'gha' | 'registry';
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
}

/** `src:target` a line, e.g. `.netrc:/root/.netrc`; `src` resolves against the working directory. */
export function parseSecretMounts(value: string, cwd: string): Array<{ src: string; target: string }> {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const i = line.lastIndexOf(':');
      if (i <= 0 || !line.slice(i + 1).startsWith('/')) {
        throw new InputError(`input 'pip-secret-mounts': '${line}' is not <local file>:<absolute target>`, 'pip-secret-mounts');
      }
      return { src: path.resolve(cwd, line.slice(0, i)), target: line.slice(i + 1) };
    });
}

/** What `core.getInput` returns for an input: the trimmed value, '' when unset. */
export type GetInput = (name: string) => string;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be one of ${allowed.join(', ')}; got '${value}'`, name);
}

/** YAML 1.2 core booleans, as `core.getBooleanInput` accepts them; '' takes the default. */
export function boolInput(name: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input '${name}' must be true or false; got '${value}'`, name);
}

function intInput(name: string, value: string, fallback: number, min: number, max: number): number {
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`input '${name}' must be a whole number from ${min} to ${max}; got '${value}'`, name);
  }
  return n;
}

/** A list input: one item a line or comma-separated, blank items dropped. */
export function listInput(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readInputs(get: GetInput, env: NodeJS.ProcessEnv, cwd: string): Inputs {
  if (get('cache') === 'registry' && !get('cache-ref')) {
    throw new InputError(
      "input 'cache-ref' is required with cache: registry (a repository such as ghcr.io/acme/imagespec-cache)",
      'cache-ref',
    );
  }
  const workspace = path.resolve(env.GITHUB_WORKSPACE || cwd);
  const wd = get('working-directory');
  const specs = get('specs');
  if (!specs) throw new InputError("input 'specs' is required: one glob or path a line", 'specs');
  return {
    specs,
    workingDirectory: wd ? path.resolve(workspace, wd) : workspace,
    workspace,
    mode: oneOf('mode', get('mode'), ['plan', 'check', 'build'] as const, 'build'),
    hostMachine: get('host-machine') || os.machine(),
    onUnknown: oneOf('on-unknown', get('on-unknown'), ['fail', 'build', 'skip'] as const, 'fail'),
    failOnMissing: boolInput('fail-on-missing', get('fail-on-missing'), false),
    concurrency: intInput('concurrency', get('concurrency'), 8, 1, 64),
    insecureRegistries: listInput(get('insecure-registries')),
    push: boolInput('push', get('push'), true),
    // flytekit's own switch counts too, with flytekit's truthiness (anything but false/0/off/no).
    force:
      boolInput('force', get('force'), false) ||
      (env.FLYTE_FORCE_PUSH_IMAGE_SPEC !== undefined &&
        !['false', '0', 'off', 'no'].includes(env.FLYTE_FORCE_PUSH_IMAGE_SPEC.toLowerCase())),
    cache: oneOf('cache', get('cache'), ['none', 'gha', 'registry'] as const, 'none'),
    cacheRef: get('cache-ref'),
    builder: get('builder'),
    pythonVersion: get('python-version') || '3.12',
    flytekitVersion: get('flytekit-version') || '1.16.24',
    failFast: boolInput('fail-fast', get('fail-fast'), false),
    only: listInput(get('only')),
    cacheMounts: boolInput('cache-mounts', get('cache-mounts'), true),
    pipSecretMounts: parseSecretMounts(get('pip-secret-mounts'), wd ? path.resolve(workspace, wd) : workspace),
    python: get('python'),
    registration: oneOf('registration', get('registration'), ['fast', 'non-fast'] as const, 'fast'),
  };
}
