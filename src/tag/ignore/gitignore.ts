import type * as ChildProcess from 'node:child_process';
import { SpecError } from '../../errors';
import { fsPathOf, isDirectory, pyJoin } from '../pyWalk';
import type { IgnoreRule } from './group';

/**
 * flytekit's GitIgnore: asks git which untracked paths are ignored under the root and compares path
 * strings. git prints paths relative to its working directory (the root), while flytekit compares
 * whatever path it was given, so under a relative root such as `proj` the comparison is between
 * `debug.log` and `proj/debug.log` and never matches (vector `source-root-rel-gitignore-subdir`).
 */

export interface GitOutput {
  /** Exit status; `null` when git was killed by a signal. */
  status: number | null;
  stdout: Uint8Array;
}

/** Runs git in `cwd`; `undefined` when there is no git executable (flytekit's `which("git") is None`). */
export type GitRunner = (args: readonly string[], cwd: string) => GitOutput | undefined;

export const LS_IGNORED = ['ls-files', '-io', '--exclude-standard'] as const;

let loaded: typeof ChildProcess | undefined;

/** node:child_process on first use: loading it is a few ms of every start, and most plans run no git. */
export function childProcess(): typeof ChildProcess {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, which import() cannot do synchronously
  return (loaded ??= require('node:child_process') as typeof ChildProcess);
}

/** The real git, with the given environment (the process's by default, as flytekit would run it). */
export function systemGit(env: NodeJS.ProcessEnv = process.env): GitRunner {
  return (args, cwd) => {
    const r = childProcess().spawnSync('git', [...args], { cwd, env, maxBuffer: 256 * 1024 * 1024 });
    if (r.error) {
      // ENOENT also means a missing `cwd`; callers make sure the root is a directory first.
      if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw r.error;
    }
    return { status: r.status, stdout: r.stdout };
  };
}

// ignoreBOM keeps a leading U+FEFF, as Python's utf-8 codec does (a file may be named "\ufeff.txt").
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `set(out.stdout.decode("utf-8").split("\n")[:-1])`, or nothing when git fails (e.g. not a repository). */
function listIgnored(run: GitRunner, cwd: string, extra: readonly string[]): Set<string> {
  const out = run([...LS_IGNORED, ...extra], cwd);
  if (out === undefined || out.status !== 0) return new Set();
  let text: string;
  try {
    text = utf8.decode(out.stdout);
  } catch {
    throw new SpecError('git ls-files printed a path that is not valid UTF-8 (flytekit fails on it too)', {
      field: 'source_root',
    });
  }
  return new Set(text.split('\n').slice(0, -1));
}

/** `pathlib.PurePosixPath(p).as_posix()`: repeated slashes and `.` components go, `..` stays. */
export function posixPathOf(p: string): string {
  // Already in that form (what the walk mostly asks about): nothing to take out.
  if (isPlainRelative(p)) return p;
  let root = '';
  let rest = p;
  if (p.startsWith('/')) {
    const stripped = p.replace(/^\/+/, '');
    root = p.length - stripped.length === 2 ? '//' : '/';
    rest = stripped;
  }
  const parts = rest.split('/').filter((x) => x !== '' && x !== '.');
  const joined = root + parts.join('/');
  return joined === '' ? '.' : joined;
}

/** A relative path without empty or `.` components, which `posixPathOf` returns unchanged. */
function isPlainRelative(p: string): boolean {
  return (
    p !== '' &&
    p !== '.' &&
    !p.startsWith('/') &&
    !p.endsWith('/') &&
    !p.includes('//') &&
    !p.startsWith('./') &&
    !p.endsWith('/.') &&
    !p.includes('/./')
  );
}

/**
 * The path asked about is the root joined to a path that already contains it (`proj/proj/a.py`),
 * which seldom exists: once its parent is known not to be a directory, none of its siblings are.
 */
function skipMissingParents(isDir: (fsPath: string) => boolean): (fsPath: string) => boolean {
  const parents = new Map<string, boolean>();
  return (p) => {
    const slash = p.lastIndexOf('/');
    const base = p.slice(slash + 1);
    if (slash <= 0 || base === '' || base === '.' || base === '..') return isDir(p);
    const parent = p.slice(0, slash);
    let ok = parents.get(parent);
    if (ok === undefined) {
      ok = isDir(parent);
      parents.set(parent, ok);
    }
    return ok && isDir(p);
  };
}

/**
 * flytekit's GitIgnore for `root` (the spec's string), with git run in `root` resolved against `cwd`.
 * Like flytekit it lists ignored files and ignored directories once, up front.
 */
export function gitIgnore(
  root: string,
  cwd: string,
  run: GitRunner = systemGit(),
  isDir: (fsPath: string) => boolean = skipMissingParents(isDirectory),
): IgnoreRule {
  const gitCwd = fsPathOf(root, cwd);
  const files = listIgnored(run, gitCwd, []);
  // flytekit consults the directory list only when some file is ignored, so without ignored
  // files (most roots) the second git process is never needed. git's answer cannot change within
  // a run, so asking it later gives what flytekit's up-front call would.
  let dirs: Set<string> | undefined;
  return (path) => {
    if (files.size === 0) return false;
    const posix = posixPathOf(path);
    if (files.has(posix)) return true;
    if (!isDir(fsPathOf(pyJoin(root, path), cwd))) return false;
    dirs ??= listIgnored(run, gitCwd, ['--directory']);
    return dirs.size > 0 && dirs.has(`${posix}/`);
  };
}
