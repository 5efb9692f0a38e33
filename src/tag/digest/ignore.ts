import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * flytekit's IgnoreGroup(root, [GitIgnore, DockerIgnore, StandardIgnore]) for ImageSpec source
 * files. Its quirk is kept on purpose, because it decides the tag: a path is made relative to the
 * root only when it is absolute, so with a relative `source_root` the rules see `src/x` or `./x`.
 */
export type IgnoreCheck = (path: string) => boolean;

/** Python's `fnmatch.translate` for the fixed standard patterns: `*` matches `/` too. */
function pyFnmatch(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+^${}()|[\]\\?]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

const STANDARD = ['*.pyc', '.cache', '.cache/*', '__pycache__/*', '**/__pycache__/*'].map(pyFnmatch);

export const standardIgnore: IgnoreCheck = (p) => STANDARD.some((re) => re.test(p));

/** docker-py's fnmatch translation: `*` and `?` stop at `/`, `**` spans directories; names lower-cased. */
function dockerRegex(pattern: string): RegExp {
  let re = '^';
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i++];
    if (c === '*') {
      if (pattern[i] === '*') {
        i++;
        if (pattern[i] === '/') i++;
        re += i >= n ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        re += '\\[';
      } else {
        let set = pattern.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (set[0] === '!') set = '^' + set.slice(1);
        else if (set[0] === '^') set = '\\' + set;
        re += `[${set}]`;
      }
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(re + '$', 's');
}

/** Path components without empty and `.` parts, as docker-py's `split_path`. */
const splitPath = (p: string) => p.split('/').filter((x) => x && x !== '.');

interface DockerPattern {
  exclusion: boolean;
  dirs: string[];
  re: RegExp;
}

function dockerPattern(line: string): DockerPattern {
  let s = line;
  const exclusion = s.startsWith('!');
  if (exclusion) s = s.slice(1);
  const dirs = splitPath(s.trim());
  for (let i = 0; i < dirs.length; ) {
    if (dirs[i] === '..') {
      dirs.splice(i, 1);
      if (i > 0) dirs.splice(--i, 1);
    } else {
      i++;
    }
  }
  return { exclusion, dirs, re: dockerRegex(dirs.join('/').toLowerCase()) };
}

/** docker-py's PatternMatcher over `<root>/.dockerignore`: last match wins, parents match too. */
export function dockerIgnore(root: string, cwd: string): IgnoreCheck {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, root, '.dockerignore'), 'utf8');
  } catch {
    return () => false;
  }
  const patterns = text
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('#'))
    .map((l) => dockerPattern(l.trim()))
    .filter((p) => p.dirs.length > 0);
  patterns.push(dockerPattern('!.dockerignore'));
  return (file) => {
    const parentDirs = splitPath(path.posix.dirname(file));
    const parent = path.posix.dirname(file);
    let matched = false;
    for (const p of patterns) {
      let hit = p.re.test(file.toLowerCase());
      if (!hit && parent !== '.' && parent !== '' && p.dirs.length <= parentDirs.length) {
        hit = p.re.test(parentDirs.slice(0, p.dirs.length).join('/').toLowerCase());
      }
      if (hit) matched = !p.exclusion;
    }
    return matched;
  };
}

/**
 * Untracked files git ignores, listed by `git ls-files -io --exclude-standard` run in the root (and
 * again with `--directory`, whose entries count as prefixes). Lines are compared as git prints them
 * (unusual names come quoted and so never match), as flytekit does; outside a repository, or without git, nothing is ignored.
 */
export function gitIgnore(root: string, cwd: string): IgnoreCheck {
  const dir = path.resolve(cwd, root);
  const list = (extra: string[]) => {
    try {
      return execFileSync('git', ['ls-files', '-io', '--exclude-standard', ...extra], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 256 * 1024 * 1024,
      }).split('\n');
    } catch {
      return [];
    }
  };
  const files = new Set(list([]).filter(Boolean));
  // `--directory` names wholly ignored directories ("build/"); flytekit tests them as prefixes.
  const dirs = list(['--directory']).filter(Boolean);
  return (p) => files.has(p) || dirs.some((d) => p.startsWith(d));
}

/** The three rules together, with flytekit's "relative to the root only if absolute" conversion. */
export function ignoreGroup(root: string, cwd: string): IgnoreCheck {
  const checks = [gitIgnore(root, cwd), dockerIgnore(root, cwd), standardIgnore];
  return (p) => {
    const q = path.isAbsolute(p) ? path.relative(root, p) : p;
    return checks.some((c) => c(q));
  };
}
