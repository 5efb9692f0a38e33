import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { codePointCompare } from '../../discover/specFiles';
import { ignoreGroup } from './ignore';
import { joinedPath, pyJoin, readForDigest, walk } from './walk';

export interface HashedFile {
  /** Path relative to the walked directory, `/`-separated: where the file lands in the image. */
  rel: string;
  abs: string;
}

const md5 = () => createHash('md5');
export const EMPTY_MD5 = md5().digest('hex');

/**
 * flytekit's `ls_files(source_root, ALL)`: every file under the root except `.git` directories and
 * what the ignore rules drop, sorted by code point as whole path strings.
 */
export function listSourceFiles(sourceRoot: string, cwd: string): HashedFile[] {
  const ignored = ignoreGroup(sourceRoot, cwd);
  const paths: string[] = [];
  for (const level of walk(sourceRoot, cwd, (d) => d === '.git')) {
    for (const f of level.files) {
      const p = pyJoin(level.root, f);
      if (existsNotSocket(path.resolve(cwd, p)) && !ignored(p)) paths.push(p);
    }
  }
  paths.sort(codePointCompare);
  return paths.map((p) => ({ rel: path.relative(sourceRoot, p).split(path.sep).join('/'), abs: path.resolve(cwd, p) }));
}

/** flytekit skips broken links and sockets before the ignore rules see them. */
function existsNotSocket(abs: string): boolean {
  try {
    return !statSync(abs).isSocket();
  } catch {
    return false;
  }
}

/** md5 over each file's bytes then its separator-less relative path; no delimiters, as flytekit. */
export function sourceRootDigest(sourceRoot: string, cwd: string, repoRoot: string, mode: 'loaded-modules' | 'all'): string {
  // In the `--image spec.yaml` flow no user module is imported yet, so LOADED_MODULES selects nothing.
  if (mode === 'loaded-modules') return EMPTY_MD5;
  const h = md5();
  for (const f of listSourceFiles(sourceRoot, cwd)) {
    const bytes = readForDigest(f.abs, repoRoot, 'source_root');
    if (!bytes) continue;
    h.update(bytes);
    h.update(joinedPath(f.rel), 'utf8');
  }
  return h.digest('hex');
}

export type CopyEntry = { path: string; kind: 'file' | 'dir' | 'missing'; files: HashedFile[] };

/** What each `copy` entry is, with the files of directories in flytekit's hashing order. */
export function copyEntries(entries: string[], cwd: string): CopyEntry[] {
  return entries.map((entry) => {
    const abs = path.resolve(cwd, entry);
    const files: HashedFile[] = [];
    let kind: CopyEntry['kind'] = 'missing';
    for (const level of walk(entry, cwd)) {
      kind = 'dir';
      for (const f of level.files) {
        const p = pyJoin(level.root, f);
        files.push({ rel: path.relative(entry, p).split(path.sep).join('/'), abs: path.resolve(cwd, p) });
      }
    }
    if (kind === 'missing') {
      try {
        statSync(abs);
        kind = 'file';
        files.push({ rel: path.basename(entry), abs });
      } catch {
        kind = 'missing';
      }
    }
    return { path: entry, kind, files };
  });
}

/** flytekit's `compute_digest(copy)`: directories walked, files hashed with their basename, missing skipped. */
export function copyDigest(entries: string[], cwd: string, repoRoot: string): string {
  const h = md5();
  for (const e of copyEntries(entries, cwd)) {
    for (const f of e.files) {
      const bytes = readForDigest(f.abs, repoRoot, 'copy');
      if (!bytes) continue;
      h.update(bytes);
      h.update(joinedPath(f.rel), 'utf8');
    }
  }
  return h.digest('hex');
}
