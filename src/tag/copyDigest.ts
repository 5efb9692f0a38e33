import { createHash, Hash } from 'node:crypto';
import { checkEncodableName, fsPathOf, osPath, pyJoin, pyWalk } from './pyWalk';
import { fileKind, hashFileContent, hashPathJoined, isSocket, realPathInsideRepo, specialFileError, walkedRealPaths } from '../repo/files';

/**
 * flytekit's `compute_digest(copy, None)` for the ImageSpec `copy` list (reference §4.5): one md5 over
 * the entries in list order, no ignore rules, `.git` included.
 */

/**
 * `dir`: walked. `file`: hashed with its base name. `missing`: absent or a broken link, silently
 * skipped as flytekit does. `special`: a socket (flytekit skips it), FIFO or device (refused when the build
 * context is prepared; inside a copied directory, refused by the digest).
 */
export type CopyEntryKind = 'file' | 'dir' | 'missing' | 'special';

export interface CopiedFile {
  /** The path hashed after the content, before separators are removed: base name for a file entry, path inside the directory for a dir entry. */
  rel: string;
  /** The real (link-resolved) absolute path that was hashed; always inside the repository. */
  realPath: string;
}

export interface CopyEntry {
  /** As written in the spec, relative to the working directory. */
  entry: string;
  kind: CopyEntryKind;
  /** In hashing order; empty unless `kind` is `file` or `dir`. */
  files: CopiedFile[];
}

export interface CopyListing {
  entries: CopyEntry[];
  /** 32 lowercase hex characters. */
  digest: string;
}

const FIELD = 'copy';

/** Python `os.path.basename`: everything after the last `/` (empty for a trailing slash). */
function pyBasename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function hashAt(hash: Hash, realPath: string, shown: string, rel: string): CopiedFile {
  hashFileContent(hash, realPath, FIELD, shown);
  hashPathJoined(hash, rel);
  return { rel, realPath };
}

/**
 * Sub-directories are visited in code-point order. flytekit visits them in the order the file system
 * lists them, which it does not sort: the two agree only where the file system lists sorted, and
 * nothing else is reproducible, so a directory with sibling sub-directories may tag differently.
 */
function hashDir(hash: Hash, entry: string, cwd: string, repoRoot: string): CopiedFile[] {
  realPathInsideRepo(fsPathOf(entry, cwd), repoRoot, FIELD, entry);
  const files: CopiedFile[] = [];
  const realPathOf = walkedRealPaths(cwd, repoRoot, FIELD);
  for (const level of pyWalk(entry, { cwd, field: FIELD })) {
    for (const name of level.files) {
      const p = pyJoin(level.root, name);
      const fsPath = osPath(p, cwd);
      const kind = level.plain.has(name) ? 'regular' : fileKind(fsPath);
      // flytekit would block on a FIFO (or read a device) inside a copied directory: refused. Sockets it skips.
      if (kind === 'special' && !isSocket(fsPath)) throw specialFileError(p, FIELD);
      if (kind !== 'regular') continue;
      // No ignore rules apply to `copy`: every file's relative path is encoded for the digest.
      checkEncodableName(p, FIELD);
      files.push(hashAt(hash, realPathOf(level, name), p, level.rel === '' ? name : `${level.rel}/${name}`));
    }
  }
  return files;
}

/** `copy` entries as written in the spec, resolved against `cwd`; nothing outside `repoRoot` is read. */
export function listCopyFiles(entries: readonly string[], cwd: string, repoRoot: string): CopyListing {
  const hash = createHash('md5');
  const listed = entries.map((entry): CopyEntry => {
    // Python's os.stat('') fails, whereas '' joined to the working directory would name it.
    if (entry === '') return { entry, kind: 'missing', files: [] };
    const fsPath = fsPathOf(entry, cwd);
    const kind = fileKind(fsPath);
    if (kind === 'dir') return { entry, kind, files: hashDir(hash, entry, cwd, repoRoot) };
    if (kind === 'regular') {
      return { entry, kind: 'file', files: [hashAt(hash, realPathInsideRepo(fsPath, repoRoot, FIELD, entry), entry, pyBasename(entry))] };
    }
    return { entry, kind, files: [] };
  });
  return { entries: listed, digest: hash.digest('hex') };
}

/** The md5 hex that replaces a non-empty `copy` list in the tag hash. */
export function copyDigest(entries: readonly string[], cwd: string, repoRoot: string): string {
  return listCopyFiles(entries, cwd, repoRoot).digest;
}
