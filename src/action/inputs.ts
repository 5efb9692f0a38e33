import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../errors';

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
}

/** What `core.getInput` returns for an input: the trimmed value, '' when unset. */
export type GetInput = (name: string) => string;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be one of ${allowed.join(', ')}; got '${value}'`, name);
}

export function readInputs(get: GetInput, env: NodeJS.ProcessEnv, cwd: string): Inputs {
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
  };
}
