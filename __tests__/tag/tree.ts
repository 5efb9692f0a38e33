import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The git set-up the vectors were computed under: no user or system configuration. */
export const GIT_ENV: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

export interface Tree {
  /** Relative path → UTF-8 text, written without newline translation. */
  files?: Record<string, string>;
  /** Relative path → symlink target (as written into the link). */
  links?: Record<string, string>;
  /** `git init`, then `git add -f` of these paths. */
  git?: { add: string[] };
}

/** A fresh directory (real path, outside any repository) holding exactly the tree. */
export function makeTree(tree: Tree): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tag-tree-')));
  for (const [rel, text] of Object.entries(tree.files ?? {})) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, 'utf8');
  }
  for (const [rel, target] of Object.entries(tree.links ?? {})) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.symlinkSync(target, p);
  }
  if (tree.git) {
    execFileSync('git', ['init', '-q'], { cwd: dir, env: GIT_ENV });
    if (tree.git.add.length > 0) execFileSync('git', ['add', '-f', ...tree.git.add], { cwd: dir, env: GIT_ENV });
  }
  return dir;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
