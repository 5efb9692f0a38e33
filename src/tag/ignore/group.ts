import * as path from 'node:path';
import { dockerIgnore } from './dockerignore';
import { gitIgnore, GitRunner, systemGit } from './gitignore';
import { standardIgnore } from './standard';

/** True when the path must be left out of the source digest. */
export type IgnoreRule = (path: string) => boolean;

export interface IgnoreGroupOptions {
  runGit?: GitRunner;
}

/**
 * flytekit's `IgnoreGroup(root, [GitIgnore, DockerIgnore, StandardIgnore])`: ignored if any rule says
 * so, asked in that order. A path is made relative to the root only when it is absolute; relative
 * roots pass `src/x` or `./x` to the rules unchanged, which is what decides several tags.
 */
export function ignoreGroup(root: string, cwd: string, repoRoot: string, options: IgnoreGroupOptions = {}): IgnoreRule {
  const rules = [gitIgnore(root, cwd, options.runGit ?? systemGit()), dockerIgnore(root, cwd, repoRoot), standardIgnore];
  return (p) => {
    const checked = p.startsWith('/') ? pyRelpath(p, root) : p;
    return rules.some((rule) => rule(checked));
  };
}

/** `os.path.relpath` for two absolute POSIX paths (lexical, like Python). */
export function pyRelpath(p: string, start: string): string {
  return path.posix.relative(start, p) || '.';
}
