import type { Digests } from './compute';
import { requirementsDigest } from './digest/requirements';
import { copyDigest, sourceRootDigest } from './digest/sourceFiles';

/** The digests against real files: spec paths resolve against `cwd`; nothing outside `repoRoot` is read. */
export function fsDigests(cwd: string, repoRoot: string): Digests {
  return {
    requirements: (p) => requirementsDigest(p, cwd),
    sourceRoot: (p, mode) => sourceRootDigest(p, cwd, repoRoot, mode),
    copy: (entries) => copyDigest(entries, cwd, repoRoot),
  };
}
