import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../../errors';
import { codePointCompare } from '../../discover/specFiles';

/** One directory level of `os.walk(topdown=True, followlinks=False)`. */
export interface WalkLevel {
  /** The directory as os.walk names it: the start string joined with sub-directory names. */
  root: string;
  dirs: string[];
  files: string[];
}

/**
 * `os.walk` over `start` (as the spec wrote it), reading through `base` for relative starts. Like
 * Python, `scandir().is_dir()` follows links, so a link to a directory is listed as a directory but
 * not entered. Directory order is code-point sorted: flytekit keeps the file system's order, which
 * no one can reproduce; sorted is what it gives on file systems that list sorted.
 */
export function* walk(start: string, base: string, prune: (dir: string) => boolean = () => false): Generator<WalkLevel> {
  const stack = [start];
  while (stack.length > 0) {
    const root = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.resolve(base, root), { withFileTypes: true });
    } catch {
      continue;
    }
    const dirs: string[] = [];
    const files: string[] = [];
    for (const e of entries) {
      const isDir = e.isDirectory() || (e.isSymbolicLink() && isDirThroughLink(path.resolve(base, root, e.name)));
      (isDir ? dirs : files).push(e.name);
    }
    dirs.sort(codePointCompare);
    files.sort(codePointCompare);
    const kept = dirs.filter((d) => !prune(d));
    yield { root, dirs: kept, files };
    for (const d of [...kept].reverse()) {
      if (!fs.lstatSync(path.resolve(base, root, d)).isSymbolicLink()) stack.push(pyJoin(root, d));
    }
  }
}

function isDirThroughLink(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Read a file for hashing the way flytekit does (missing files and sockets are skipped: undefined),
 * but refuse a symlink that leads outside the repository: flytekit would hash, and then copy into
 * the image, whatever the link points at.
 */
export function readForDigest(abs: string, repoRoot: string, field: string): Buffer | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return undefined;
  }
  if (!st.isFile()) {
    if (st.isSocket()) return undefined;
    throw new SpecError(`${abs} is not a regular file (FIFO or device); refusing to read it`, { field });
  }
  const real = fs.realpathSync(abs);
  const rel = path.relative(fs.realpathSync(repoRoot), real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new SpecError(`${abs} resolves to ${real}, outside the repository; refusing to read it`, { field });
  }
  return fs.readFileSync(abs);
}

/** Python's `os.path.join` for two parts: no normalisation, so `.` + `x` is `./x` (the ignore rules see that). */
export const pyJoin = (a: string, b: string): string => (a === '' || a.endsWith('/') ? a + b : `${a}/${b}`);

/** `"".join(relpath.split(os.sep))`: flytekit hashes paths with their separators removed. */
export const joinedPath = (rel: string): string => rel.split('/').join('');
