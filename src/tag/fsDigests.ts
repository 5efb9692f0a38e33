import type { Digests } from './compute';
import { copyDigest } from './copyDigest';
import { requirementsDigest } from './requirements';
import { sourceRootDigest } from './sourceRoot';
import * as path from 'node:path';

/** The digests against real files: spec paths resolve against `cwd`; nothing outside `repoRoot` is read. */
export function fsDigests(cwd: string, repoRoot: string): Digests {
  return {
    requirements: (p) => requirementsDigest(path.resolve(cwd, p), repoRoot, p),
    sourceRoot: (p, mode) => sourceRootDigest(p, cwd, mode, repoRoot),
    copy: (entries) => copyDigest(entries, cwd, repoRoot),
  };
}
