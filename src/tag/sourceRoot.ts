import { createHash } from 'node:crypto';
import { SpecError } from '../errors';
import { ignoreGroup, IgnoreGroupOptions } from './ignore/group';
import { checkEncodableName, codePointCompare, fsPathOf, osPath, pyJoin, pyWalk, WalkLevel } from './pyWalk';
import { fileKind, hashFileContent, hashPathJoined, isSocket, realPathInsideRepo, specialFileError, walkedRealPaths } from '../repo/files';

/**
 * flytekit's `ls_files(source_root, mode, deref_symlinks=False, ignore_group=...)` for ImageSpec
 * (reference §4.4): which files of `source_root` go into the image, and the md5 replacing the path in
 * the tag hash.
 */

/** `loaded-modules` is flytekit's default; `all` is the enum ALL or any YAML string. */
export type SourceCopyMode = 'loaded-modules' | 'all';

export interface SourceFile {
  /** The path as flytekit lists it: `os.path.join` of the spec's `source_root` and the sub-path. */
  path: string;
  /** Relative to `source_root`, `/`-separated: where the file lands under `/root` in the image. */
  rel: string;
  /** The real (link-resolved) absolute path that was hashed; always inside the repository. */
  realPath: string;
}

export interface SourceListing {
  /** In hashing order (whole path strings by code point). */
  files: SourceFile[];
  /** 32 lowercase hex characters. */
  digest: string;
}

const FIELD = 'source_root';

/**
 * flytekit builds the ignore group (running git with the root as its working directory) before it
 * looks at the mode, so a root that is not a directory fails in either mode where git is installed.
 */
function checkRoot(sourceRoot: string, cwd: string, repoRoot: string): void {
  const fsRoot = fsPathOf(sourceRoot, cwd);
  if (sourceRoot === '' || fileKind(fsRoot) !== 'dir') {
    throw new SpecError(`source_root '${sourceRoot}' is not a directory`, { field: FIELD });
  }
  realPathInsideRepo(fsRoot, repoRoot, FIELD, sourceRoot);
}

/**
 * `sourceRoot` exactly as the spec wrote it (relative to `cwd`, or absolute): its spelling reaches
 * the ignore rules. Nothing outside `repoRoot` is read; a link leading there is a SpecError.
 */
export function listSourceFiles(
  sourceRoot: string,
  cwd: string,
  mode: SourceCopyMode,
  repoRoot: string,
  options: IgnoreGroupOptions = {},
): SourceListing {
  checkRoot(sourceRoot, cwd, repoRoot);
  const ignored = ignoreGroup(sourceRoot, cwd, repoRoot, options);
  // In the `--image file.yaml` flow no user module has been imported yet, so LOADED_MODULES finds nothing.
  if (mode === 'loaded-modules') return { files: [], digest: createHash('md5').digest('hex') };

  const found: Array<{ path: string; rel: string; level: WalkLevel; name: string }> = [];
  for (const level of pyWalk(sourceRoot, { cwd, field: FIELD, prune: (d) => d === '.git' })) {
    for (const name of level.files) {
      const p = pyJoin(level.root, name);
      const kind = level.plain.has(name) ? 'regular' : fileKind(osPath(p, cwd));
      if (kind === 'missing') continue;
      if (ignored(p)) continue;
      checkEncodableName(p, FIELD);
      if (kind === 'special') {
        // Sockets are skipped as flytekit skips them; FIFOs and devices are refused (hostile-input tests).
        if (isSocket(osPath(p, cwd))) continue;
        throw specialFileError(p, FIELD);
      }
      found.push({ path: p, rel: level.rel === '' ? name : `${level.rel}/${name}`, level, name });
    }
  }
  found.sort((a, b) => codePointCompare(a.path, b.path));

  const hash = createHash('md5');
  const realPathOf = walkedRealPaths(cwd, repoRoot, FIELD);
  const files = found.map(({ path, rel, level, name }) => {
    const realPath = realPathOf(level, name);
    hashFileContent(hash, realPath, FIELD, path);
    hashPathJoined(hash, rel);
    return { path, rel, realPath };
  });
  return { files, digest: hash.digest('hex') };
}

/** The md5 hex that replaces `source_root` in the tag hash. */
export function sourceRootDigest(
  sourceRoot: string,
  cwd: string,
  mode: SourceCopyMode,
  repoRoot: string,
  options: IgnoreGroupOptions = {},
): string {
  return listSourceFiles(sourceRoot, cwd, mode, repoRoot, options).digest;
}
