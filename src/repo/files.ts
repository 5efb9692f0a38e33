import type { Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError } from '../errors';
import { fsPathOf, pyJoin, WalkLevel } from '../tag/pyWalk';

/**
 * Reading files for the digests without ever leaving the repository. flytekit follows a link wherever
 * it points and hashes (and copies into the image) what it finds; in CI that could leak runner files
 * into an image, so a path whose real location is outside `repoRoot` is an error here instead.
 */

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}

const realRepos = new Map<string, string>();

function realRepo(repoRoot: string): string {
  let real = realRepos.get(repoRoot);
  if (real === undefined) {
    real = fs.realpathSync.native(repoRoot);
    realRepos.set(repoRoot, real);
  }
  return real;
}

/** The real path of `fsPath`, or a SpecError on `field` naming `shown` when it resolves outside the repository. */
export function realPathInsideRepo(fsPath: string, repoRoot: string, field: string, shown: string): string {
  let real: string;
  try {
    // One realpath(3) call; the JavaScript version lstat()s every component of every file's path.
    real = fs.realpathSync.native(fsPath);
  } catch (e) {
    throw new SpecError(`cannot resolve '${shown}': ${(e as Error).message}`, { field });
  }
  if (!isInside(real, realRepo(repoRoot))) {
    throw new SpecError(`'${shown}' resolves to '${real}', outside the repository; refusing to read it (flytekit would follow the link)`, {
      field,
    });
  }
  return real;
}

/**
 * Real paths for the files pyWalk finds, with one realpath(3) per directory instead of one per file:
 * a plain file (not a link) is where its directory really is. Links, and every file of a directory
 * that does not resolve inside the repository, go through `realPathInsideRepo` one by one, so the
 * errors are the same.
 */
export function walkedRealPaths(cwd: string, repoRoot: string, field: string): (level: WalkLevel, name: string) => string {
  const dirs = new Map<string, string | null>();
  return (level, name) => {
    if (level.plain.has(name)) {
      let dir = dirs.get(level.root);
      if (dir === undefined) {
        dir = realDirInsideRepo(fsPathOf(level.root, cwd), repoRoot);
        dirs.set(level.root, dir);
      }
      if (dir !== null) return dir === '/' ? `/${name}` : `${dir}/${name}`;
    }
    const shown = pyJoin(level.root, name);
    return realPathInsideRepo(fsPathOf(shown, cwd), repoRoot, field, shown);
  };
}

function realDirInsideRepo(fsDir: string, repoRoot: string): string | null {
  try {
    const real = fs.realpathSync.native(fsDir);
    return isInside(real, realRepo(repoRoot)) ? real : null;
  } catch {
    return null;
  }
}

/**
 * What flytekit's checks make of a path: `os.path.exists` (false for broken links) then
 * `S_ISSOCK`. FIFOs and devices are `special` too: flytekit would block on a FIFO or read a device.
 */
export type FileKind = 'regular' | 'dir' | 'missing' | 'special';

/**
 * A socket is the one special file flytekit skips on its own (`S_ISSOCK`), so skipping it keeps the
 * tag. A FIFO or device in a directory flytekit reads would block it or read the device: there is no
 * tag to agree with, and the action refuses the spec instead.
 */
export function isSocket(fsPath: fs.PathLike): boolean {
  try {
    return fs.statSync(fsPath, { throwIfNoEntry: false })?.isSocket() ?? false;
  } catch {
    return false;
  }
}

/** A SpecError on `field` for a FIFO or device found at `shown`. */
export function specialFileError(shown: string, field: string): SpecError {
  return new SpecError(
    `'${shown}' is a FIFO or device, not a regular file; refusing to read it (flytekit would block or read the device)`,
    { field },
  );
}

export function fileKind(fsPath: fs.PathLike): FileKind {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(fsPath, { throwIfNoEntry: false });
  } catch {
    return 'missing';
  }
  if (st === undefined) return 'missing';
  if (st.isFile()) return 'regular';
  if (st.isDirectory()) return 'dir';
  return 'special';
}

const CHUNK = 1 << 16;
// One read buffer for every file: hashing is synchronous, so it is never shared by two reads.
const chunk = Buffer.allocUnsafe(CHUNK);

/** flytekit's `_filehash_update`, streaming so large files are not held in memory. */
export function hashFileContent(hash: Hash, realPath: string, field: string, shown: string): void {
  let fd: number;
  try {
    fd = fs.openSync(realPath, 'r');
  } catch (e) {
    throw new SpecError(`cannot read '${shown}': ${(e as Error).message}`, { field });
  }
  try {
    const buf = chunk;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** flytekit's `_pathhash_update`: the relative path with its separators removed, UTF-8. */
export function hashPathJoined(hash: Hash, rel: string): void {
  hash.update(rel.replaceAll('/', ''), 'utf8');
}
