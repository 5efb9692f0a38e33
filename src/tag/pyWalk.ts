import * as fs from 'node:fs';
import { SpecError } from '../errors';
import { reprStr } from '../py/repr';

/**
 * Python's `os.walk(top, topdown=True, followlinks=False)` with the paths spelled as Python spells
 * them. flytekit hands those strings (not normalised, relative or absolute as the spec wrote them) to
 * its ignore rules, so they must be reproduced exactly; file access goes through `fsPathOf`.
 */

/** `os.path.join(a, b)` on POSIX. */
export function pyJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return `${a}/${b}`;
}

/**
 * Where the process would find a Python path when run in `cwd`. Concatenated, not normalised:
 * `a/link/..` must go through the link as the kernel does, not be folded away as `path.resolve` would.
 */
export function fsPathOf(pyPath: string, cwd: string): string {
  if (pyPath.startsWith('/')) return pyPath;
  return cwd.endsWith('/') ? cwd + pyPath : `${cwd}/${pyPath}`;
}

/**
 * `fsPathOf` as the bytes Python's `os.fsencode` makes of it: a name that was not valid UTF-8 comes
 * back from the walk with lone surrogates (U+DC80-U+DCFF, `surrogateescape`), which stand for the
 * original bytes. Node would encode those as U+FFFD, so such a path is handed to fs as a Buffer.
 */
export function osPath(pyPath: string, cwd: string): string | Buffer {
  const p = fsPathOf(pyPath, cwd);
  if (p.isWellFormed()) return p;
  const parts: Buffer[] = [];
  for (const ch of p) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xdc80 && cp <= 0xdcff) parts.push(Buffer.of(cp - 0xdc00));
    else parts.push(Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/**
 * Python's `bytes.decode('utf-8', 'surrogateescape')`, as `os.walk` decodes names: each byte that is
 * not part of a valid UTF-8 sequence becomes the lone surrogate U+DC00 + byte.
 */
export function decodeSurrogateEscape(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch {
    let out = '';
    for (let i = 0; i < raw.length;) {
      const n = validSequence(raw, i);
      if (n === 0) {
        out += String.fromCharCode(0xdc00 + raw[i]);
        i++;
      } else {
        out += utf8.decode(raw.subarray(i, i + n));
        i += n;
      }
    }
    return out;
  }
}

/** The length of the well-formed UTF-8 sequence at `i` (shortest form, no surrogates, <= U+10FFFF), or 0. */
function validSequence(b: Uint8Array, i: number): number {
  const x = b[i];
  if (x < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (x >= 0xc2 && x <= 0xdf) return cont(1) ? 2 : 0;
  if (x >= 0xe0 && x <= 0xef) {
    const lo = x === 0xe0 ? 0xa0 : 0x80;
    const hi = x === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (x >= 0xf0 && x <= 0xf4) {
    const lo = x === 0xf0 ? 0x90 : 0x80;
    const hi = x === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * flytekit fails (UnicodeEncodeError) when it UTF-8 encodes the relative path of a file whose name
 * was not valid UTF-8, but only for files its ignore rules keep; callers check after the ignore rules.
 */
export function checkEncodableName(pyPath: string, field: string): void {
  if (!pyPath.isWellFormed()) {
    throw new SpecError(
      `the file name ${reprStr(pyPath)} is not valid UTF-8; flytekit cannot hash it either (ignored files may have such names)`,
      {
        field,
      },
    );
  }
}

/** Python's `str` ordering (code points); JS `<` compares UTF-16 units and puts astral characters before U+E000-U+FFFF. */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) rank above every BMP unit; U+E000-U+FFFF move down to make room. */
function unitRank(u: number): number {
  if (u >= 0xe000) return u - 0x800;
  if (u >= 0xd800) return u + 0x2000;
  return u;
}

export interface WalkLevel {
  /** The directory as `os.walk` yields it: `top` joined with sub-directory names. */
  root: string;
  /** The directory relative to `top`, `/`-separated; `''` for `top` itself. */
  rel: string;
  /** Sub-directory names (including links to directories, which are not entered), code-point sorted. */
  dirs: string[];
  /** Every other name (files, links to files, broken links, sockets...), code-point sorted. */
  files: string[];
  /** The names in `files` that are regular files and not links: no further system call needed to know it. */
  plain: ReadonlySet<string>;
}

export interface WalkOptions {
  cwd: string;
  /** The spec field blamed in errors. */
  field: string;
  /** Sub-directory names not to enter (flytekit's `dirnames[:] = ...` pruning). */
  prune?: (name: string) => boolean;
}

// ignoreBOM keeps a leading U+FEFF, as Python's utf-8 codec does (a file may be named "\ufeff.txt").
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readLevel(root: string, rel: string, opts: WalkOptions): { level: WalkLevel; enter: string[] } | undefined {
  let entries: fs.Dirent<Buffer>[];
  try {
    // The entries' types come with the listing (d_type), which saves an lstat per entry.
    entries = fs.readdirSync(osPath(root, opts.cwd), { encoding: 'buffer', withFileTypes: true });
  } catch {
    // os.walk without onerror silently skips directories it cannot list.
    return undefined;
  }
  const dirs: string[] = [];
  const files: string[] = [];
  const plain = new Set<string>();
  const enter: string[] = [];
  for (const entry of entries) {
    // Undecodable names are kept the way Python keeps them: the ignore rules decide before any encoding.
    const name = decodeSurrogateEscape(entry.name);
    // The path is needed only where the listing does not say enough (most entries: it does).
    const full = (): string | Buffer => osPath(pyJoin(root, name), opts.cwd);
    const type = knownType(entry) ?? lstatType(full());
    if (type === 'dir') {
      dirs.push(name);
      enter.push(name);
    } else if (type === 'link' && isDirectory(full())) {
      dirs.push(name);
    } else {
      files.push(name);
      if (type === 'file') plain.add(name);
    }
  }
  const keep = (d: string) => !opts.prune?.(d);
  files.sort(codePointCompare);
  return {
    level: { root, rel, dirs: dirs.filter(keep).sort(codePointCompare), files, plain },
    enter: enter.filter(keep).sort(codePointCompare),
  };
}

type EntryType = 'dir' | 'link' | 'file' | 'other' | 'gone';

/** The type the directory listing gave, or undefined where the file system does not say (DT_UNKNOWN). */
function knownType(e: fs.Dirent<Buffer>): EntryType | undefined {
  if (e.isDirectory()) return 'dir';
  if (e.isSymbolicLink()) return 'link';
  if (e.isFile()) return 'file';
  if (e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice()) return 'other';
  return undefined;
}

function lstatType(full: fs.PathLike): EntryType {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    return 'gone';
  }
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'link';
  return st.isFile() ? 'file' : 'other';
}

/** `os.path.isdir`: false for anything missing or unreadable, no exception for a path that does not exist. */
export function isDirectory(p: fs.PathLike): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/**
 * Top-down, depth-first, sub-directories in code-point order. flytekit gets the file system's
 * order instead, which only matters where the caller does not sort (the `copy` digest).
 */
export function* pyWalk(top: string, opts: WalkOptions): Generator<WalkLevel> {
  const stack: Array<{ root: string; rel: string }> = [{ root: top, rel: '' }];
  while (stack.length > 0) {
    const { root, rel } = stack.pop()!;
    const read = readLevel(root, rel, opts);
    if (read === undefined) continue;
    yield read.level;
    for (let i = read.enter.length - 1; i >= 0; i--) {
      const name = read.enter[i];
      stack.push({ root: pyJoin(root, name), rel: rel === '' ? name : `${rel}/${name}` });
    }
  }
}
