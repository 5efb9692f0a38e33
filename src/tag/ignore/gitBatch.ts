import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * flytekit runs `git ls-files -io --exclude-standard` once in every source root. Starting a process
 * costs more than git's work in a small root (bench/plan-scale.mjs: 250 roots, a third of planning),
 * so the planner asks one git, run in the repository, about many roots at once (as pathspecs) and
 * cuts its answer into what git prints in each root. That is the same answer only where git would
 * find the same repository from the root as from the repository's directory, and print the same
 * bytes; wherever that is not certain, `pathOf` says no and the root gets its own git, as before.
 */

/** Path components whose spelling is the same as a pathspec (no magic), quoted or not by git, and in any locale. */
const PLAIN_COMPONENT = /^[A-Za-z0-9._+@=,~ -]+$/;

/**
 * git variables that leave the search for the repository and the meaning of pathspecs alone:
 * where configuration comes from (the same for every root of one repository), the network
 * (`GIT_SSL_CAINFO` is common on runners), credentials and identity. Any other `GIT_*` (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_CEILING_DIRECTORIES`,
 * `GIT_ICASE_PATHSPECS`, ...) turns batching off.
 */
const NEUTRAL_GIT_VARS =
  /^GIT_(CONFIG_GLOBAL|CONFIG_SYSTEM|CONFIG_NOSYSTEM|SSL_[A-Z_]+|HTTP_[A-Z_]+|CURL_VERBOSE|PROXY_COMMAND|TERMINAL_PROMPT|ASKPASS|SSH|SSH_COMMAND|SSH_VARIANT|(AUTHOR|COMMITTER)_(NAME|EMAIL|DATE))$/;

/**
 * Where git finds a repository, or stops looking, is decided by what lies between the root and the
 * repository: a `.git` (a nested work tree or gitfile), a directory that is itself a git directory
 * (`HEAD` is what every one needs), or a mount point (discovery stops there). With none of them, the
 * search from the root reaches the repository's directory and goes on from there exactly as the
 * search from that directory does; variables that could change the search turn batching off altogether.
 */
export class GitBatchScope {
  private readonly top: string | undefined;
  private readonly dev: number | undefined;
  private readonly plain = new Map<string, boolean>();

  constructor(repoRoot: string, env: NodeJS.ProcessEnv) {
    if (Object.keys(env).some((k) => k.startsWith('GIT_') && !NEUTRAL_GIT_VARS.test(k))) return;
    try {
      this.top = fs.realpathSync.native(repoRoot);
      this.dev = fs.statSync(this.top).dev;
    } catch {
      this.top = undefined;
    }
  }

  /** The directory the batched git runs in. */
  get cwd(): string | undefined {
    return this.top;
  }

  /** The pathspec (relative to `cwd`, `.` for it) that stands for `dir`, when one run in `cwd` may answer for it. */
  pathOf(dir: string): string | undefined {
    const top = this.top;
    if (top === undefined) return undefined;
    let real: string;
    try {
      real = fs.realpathSync.native(dir);
      // A root git could not enter or list would fail in its own run in a way the batch cannot show.
      fs.accessSync(real, fs.constants.R_OK | fs.constants.X_OK);
    } catch {
      return undefined;
    }
    const rel = path.relative(top, real);
    if (rel === '') return '.';
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return undefined;
    if (!rel.split('/').every((c) => PLAIN_COMPONENT.test(c))) return undefined;
    for (let d = real; d !== top; d = path.dirname(d)) {
      if (!this.isPlain(d)) return undefined;
    }
    return rel;
  }

  private isPlain(dir: string): boolean {
    let ok = this.plain.get(dir);
    if (ok === undefined) {
      try {
        ok =
          fs.lstatSync(path.join(dir, '.git'), { throwIfNoEntry: false }) === undefined &&
          fs.lstatSync(path.join(dir, 'HEAD'), { throwIfNoEntry: false }) === undefined &&
          fs.statSync(dir).dev === this.dev;
      } catch {
        ok = false;
      }
      this.plain.set(dir, ok);
    }
    return ok;
  }
}

/**
 * What git prints in each of `paths` (pathspecs from `GitBatchScope.pathOf`), cut from what it printed
 * for all of them in the scope's directory: the lines under the path, without the path. A quoted
 * line keeps its quotes: a plain path needs no escaping, so the rest is escaped exactly as git would
 * escape it on its own. `undefined` when the output is not whole lines.
 */
export function splitBatch(stdout: Uint8Array, paths: readonly string[]): Buffer[] | undefined {
  const buf = Buffer.from(stdout.buffer, stdout.byteOffset, stdout.byteLength);
  if (buf.length > 0 && buf[buf.length - 1] !== 0x0a) return undefined;
  const parts: Buffer[][] = paths.map(() => []);
  const byPrefix = new Map<string, number[]>();
  const everything: number[] = [];
  paths.forEach((p, i) => {
    if (p === '.') everything.push(i);
    else byPrefix.set(`${p}/`, [...(byPrefix.get(`${p}/`) ?? []), i]);
  });
  const QUOTE = Buffer.of(0x22);
  for (let start = 0; start < buf.length;) {
    const end = buf.indexOf(0x0a, start) + 1;
    const line = buf.subarray(start, end);
    start = end;
    for (const i of everything) parts[i].push(line);
    const quoted = line[0] === 0x22;
    // latin1 keeps one character per byte, so indexes into the text are indexes into the bytes.
    const text = line.toString('latin1');
    for (let slash = text.indexOf('/'); slash >= 0; slash = text.indexOf('/', slash + 1)) {
      const hit = byPrefix.get(text.slice(quoted ? 1 : 0, slash + 1));
      if (hit === undefined) continue;
      const rest = line.subarray(slash + 1);
      for (const i of hit) parts[i].push(...(quoted ? [QUOTE, rest] : [rest]));
    }
  }
  return parts.map((p) => Buffer.concat(p));
}
