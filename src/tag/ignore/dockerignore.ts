import { pyLower } from '../../py/case';
import * as fs from 'node:fs';
import { SpecError } from '../../errors';
import { fsPathOf, pyJoin } from '../pyWalk';
import { realPathInsideRepo } from '../../repo/files';
import { jsLiteral, PyRegexError, pySetToJs, setEnd } from './pyCharClass';
import type { IgnoreRule } from './group';

/**
 * docker-py 7.1's `.dockerignore` matching (`docker.utils.build.PatternMatcher`), which is what
 * flytekit's DockerIgnore uses. It is not Docker's own (Go) matcher: names are lower-cased, `.` in its
 * regex stops at `\n` and `$` accepts one trailing `\n`, and a leading `./` in the path is never
 * stripped, so with `source_root: "."` no root-level pattern matches (vector `source-root-dot-all`).
 */

/** Python `str.isspace()` characters, which `str.strip()` removes; JS `trim()` differs (U+FEFF, U+001C-1F, U+0085). */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** docker-py's `split_path` on POSIX: empty and `.` components vanish. */
function splitPath(p: string): string[] {
  return p.split('/').filter((part) => part !== '' && part !== '.');
}

/** Python `posixpath.dirname`. */
function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return /^\/*$/.test(head) ? head : head.replace(/\/+$/, '');
}

/** docker-py's own `fnmatch.translate` (Go-like: `*`/`?` stop at `/`, `**` spans directories). */
export function dockerPatternRegExp(pattern: string): RegExp {
  const cps = Array.from(pattern);
  const n = cps.length;
  let re = '';
  let i = 0;
  while (i < n) {
    const c = cps[i++];
    if (c === '*') {
      if (i < n && cps[i] === '*') {
        i++;
        if (i < n && cps[i] === '/') i++;
        // Python's `.` does not match `\n`, so neither do these.
        re += i >= n ? '[^\\n]*' : '(?:[^\\n]*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const j = setEnd(cps, i);
      if (j === undefined) {
        re += jsLiteral('[');
        continue;
      }
      let stuff = cps.slice(i, j).join('').replaceAll('\\', '\\\\');
      i = j + 1;
      if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
      else if (stuff[0] === '^') stuff = '\\' + stuff;
      re += pySetToJs(stuff);
    } else {
      re += jsLiteral(c);
    }
  }
  // Python's `$` also matches just before a final newline.
  return new RegExp(`^(?:${re})\\n?$`, 'u');
}

/**
 * docker-py's `utils.fnmatch.fnmatch`: both sides lower-cased first, by Python's `str.lower()` (its
 * Unicode tables, not Node's). Throws PyRegexError where Python's `re` would.
 */
export function dockerFnmatch(name: string, pattern: string): boolean {
  return dockerPatternRegExp(pyLower(pattern)).test(pyLower(name));
}

/** One `.dockerignore` line as docker-py's `Pattern` reads it. */
export class DockerPattern {
  readonly exclusion: boolean;
  readonly dirs: string[];
  readonly cleaned: string;
  private regex?: RegExp;

  constructor(line: string) {
    this.exclusion = line.startsWith('!');
    const split = splitPath(pyStrip(this.exclusion ? line.slice(1) : line));
    // `..` removes itself and the component before it, whether or not that exists on disk.
    let i = 0;
    while (i < split.length) {
      if (split[i] === '..') {
        split.splice(i, 1);
        if (i > 0) {
          split.splice(i - 1, 1);
          i--;
        }
      } else {
        i++;
      }
    }
    this.dirs = split;
    this.cleaned = split.join('/');
  }

  /** Compiled on first use, as Python's fnmatch cache does, so a bad pattern only fails when a path is checked. */
  match(filepath: string): boolean {
    this.regex ??= dockerPatternRegExp(pyLower(this.cleaned));
    return this.regex.test(pyLower(filepath));
  }
}

/** docker-py's `PatternMatcher.matches`: the last matching pattern wins, and a pattern matching a parent directory counts. */
export class PatternMatcher {
  readonly patterns: DockerPattern[];

  constructor(lines: readonly string[]) {
    // Patterns that normalise to nothing (blank lines, `.`, `/`) are dropped; `.dockerignore` itself is always kept.
    this.patterns = lines.map((l) => new DockerPattern(l)).filter((p) => p.dirs.length > 0);
    this.patterns.push(new DockerPattern('!.dockerignore'));
  }

  matches(filepath: string): boolean {
    // Without a pattern of the file's own, only `!.dockerignore` is left, which can only un-ignore:
    // nothing is ignored (most roots have no .dockerignore, and this is asked of every file).
    if (this.patterns.length === 1) return false;
    let matched = false;
    const parent = pyDirname(filepath);
    const parentDirs = splitPath(parent);
    for (const pattern of this.patterns) {
      let match = pattern.match(filepath);
      if (!match && parent !== '' && pattern.dirs.length <= parentDirs.length) {
        match = pattern.match(parentDirs.slice(0, pattern.dirs.length).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}

/**
 * flytekit reads the file in text mode (universal newlines, UTF-8 with the BOM kept), drops lines
 * starting with `#` before stripping (so an indented `# x` is a pattern), then strips each line.
 */
export function dockerignoreLines(bytes: Uint8Array): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new SpecError('.dockerignore is not valid UTF-8 (flytekit fails reading it)', { field: 'source_root' });
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.filter((l) => !l.startsWith('#')).map(pyStrip);
}

/**
 * flytekit's DockerIgnore for `root` (the spec's string; relative ones resolve against `cwd`). A
 * `.dockerignore` that is a link leading out of the repository is refused rather than read.
 */
export function dockerIgnore(root: string, cwd: string, repoRoot: string): IgnoreRule {
  const file = fsPathOf(pyJoin(root, '.dockerignore'), cwd);
  let lines: string[] = [];
  if (isFile(file)) {
    const real = realPathInsideRepo(file, repoRoot, 'source_root', pyJoin(root, '.dockerignore'));
    lines = dockerignoreLines(fs.readFileSync(real));
  }
  const matcher = new PatternMatcher(lines);
  return (path) => {
    try {
      return matcher.matches(path);
    } catch (e) {
      if (e instanceof PyRegexError) {
        throw new SpecError(`.dockerignore has a pattern Python cannot compile (${e.message})`, { field: 'source_root' });
      }
      throw e;
    }
  };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}
