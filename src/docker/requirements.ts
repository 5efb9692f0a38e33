/**
 * What flytekit's default builder installs with uv: the `requirements_uv.txt` it writes into the
 * build context, and which of its three install modes (requirements file, `uv.lock`,
 * `poetry.lock`) a spec selects.
 */
import { InputError, SpecError } from '../errors';
import type { SpecView } from '../imagespec/types';
import { checkPipRequirement } from './sanitize';

/** The name of the generated requirements file in the build context (and in the Dockerfile). */
export const REQUIREMENTS_UV = 'requirements_uv.txt';

export type InstallMode = 'requirements' | 'uv.lock' | 'poetry.lock';

/**
 * flytekit picks the mode from `os.path.basename(requirements)` (POSIX: split on `/` only):
 * exactly `uv.lock` or `poetry.lock` selects `uv sync` / `poetry install`; any other file is read
 * as a requirements file; no `requirements` means only `packages`.
 */
export function installMode(requirements: string | undefined): InstallMode {
  if (!requirements) return 'requirements';
  const base = requirements.slice(requirements.lastIndexOf('/') + 1);
  return base === 'uv.lock' || base === 'poetry.lock' ? base : 'requirements';
}

/**
 * The `pyproject.toml` flytekit requires next to a lock file (`os.path.join(dirname(lock),
 * "pyproject.toml")`), relative to the same directory the `requirements` path is relative to.
 * The context builder copies it into the context root, where the Dockerfile bind-mounts it.
 */
export function lockPyprojectPath(requirements: string): string {
  const i = requirements.lastIndexOf('/');
  return i < 0 ? 'pyproject.toml' : requirements.slice(0, i + 1) + 'pyproject.toml';
}

/**
 * The lock-file errors flytekit raises while preparing the context (§7.2), as SpecErrors. flytekit
 * checks `packages is not None`, so even `packages: []` conflicts with a lock file there; the
 * SpecView cannot tell `[]` from unset, so only a non-empty list is rejected here.
 * `pyprojectPresent` says whether `lockPyprojectPath(requirements)` exists.
 */
export function checkLockFile(view: SpecView, pyprojectPresent: boolean): InstallMode {
  const mode = installMode(view.requirements);
  if (mode === 'requirements') return mode;
  if (view.packages.length > 0) {
    throw new SpecError(`Support for ${mode} files and packages is mutually exclusive`, { field: 'packages' });
  }
  if (!pyprojectPresent) {
    throw new SpecError(`To use ${mode}, a pyproject.toml file must be in the same directory as the lock file`, { field: 'requirements' });
  }
  return mode;
}

/**
 * Python's `str.strip()` with no argument: it strips the characters for which `str.isspace()` is
 * true. JavaScript's `trim()` differs (it strips U+FEFF, which Python keeps, and keeps U+001C–
 * U+001F and U+0085, which Python strips), and the stripped lines end up in the image.
 */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/**
 * The lines of a text file as flytekit reads them: `open(path).readlines()` in text mode uses
 * universal newlines (`\r\n`, `\r` and `\n` all end a line, and nothing else does), and each line
 * is then `strip()`ped. A final line terminator does not produce an extra empty line.
 */
export function requirementsFileLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map(pyStrip);
}

/**
 * flytekit's `_is_flytekit`: the entry's leading `[\w-]+` (Python's Unicode `\w`: letters, numbers
 * and `_`; not combining marks) is exactly `flytekit`. So `flytekit`, `flytekit==1.2` and
 * `flytekit[extra]` count; `flytekitplugins-x`, ` flytekit` (leading blank) and `# flytekit` do not.
 */
export function isFlytekitRequirement(entry: string): boolean {
  const m = /^[\p{L}\p{N}_-]+/u.exec(entry);
  return m !== null && m[0] === 'flytekit';
}

/**
 * The flytekit pin flytekit appends (`get_flytekit_for_pypi`): `flytekit==<version>`, or a bare
 * `flytekit` when the version is empty or a dev version (contains `dev`).
 */
export function flytekitRequirement(flytekitVersion: string): string {
  if (!flytekitVersion || flytekitVersion.includes('dev')) return 'flytekit';
  return `flytekit==${flytekitVersion}`;
}

/**
 * Content of `requirements_uv.txt` for the `requirements` install mode: every stripped line of the
 * requirements file (blank and comment lines kept, as flytekit keeps them), then `packages`
 * verbatim, then the flytekit pin unless some entry already names flytekit; joined with `\n`,
 * without a trailing newline.
 *
 * `packages` entries are checked with `checkPipRequirement` (field `packages[i]`). The requirements
 * file's own lines are not: that file is the user's, may legitimately hold uv options (`-r`,
 * `--index-url`), and is installed by flytekit exactly as written.
 */
export function requirementsUvTxt(packages: readonly string[], flytekitVersion: string, requirementsText?: string): string {
  packages.forEach((p, i) => checkPipRequirement(p, `packages[${i}]`));
  if (!/^[A-Za-z0-9.+!_-]*$/.test(flytekitVersion)) {
    throw new InputError(`not a valid flytekit version ${JSON.stringify(flytekitVersion)}`, 'flytekit-version');
  }
  const entries = [...(requirementsText === undefined ? [] : requirementsFileLines(requirementsText)), ...packages];
  if (!entries.some(isFlytekitRequirement)) entries.push(flytekitRequirement(flytekitVersion));
  return entries.join('\n');
}
