/**
 * POSIX path rules as Python's `posixpath` and `pathlib.PurePosixPath` apply them (pyflyte runs on
 * Linux runners), for `os.path.join`, `Path(__file__).parent / "x"` and friends.
 */

/** `posixpath.join(a, *p)`. */
export function posixJoin(parts: string[]): string {
  let path = parts[0];
  for (const b of parts.slice(1)) {
    if (b.startsWith('/')) path = b;
    else if (path === '' || path.endsWith('/')) path += b;
    else path += '/' + b;
  }
  return path;
}

/** `posixpath.dirname(p)`. */
export function posixDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
}

/** `posixpath.normpath(p)`. */
export function pathNorm(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('//') && !p.startsWith('///') ? 2 : p.startsWith('/') ? 1 : 0;
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..' || (!initial && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(c);
    else if (out.length > 0) out.pop();
  }
  const s = '/'.repeat(initial) + out.join('/');
  return s || '.';
}

interface PurePath {
  root: string;
  parts: string[];
}

/** PurePosixPath parsing: `//` kept as a root only when exactly two, empty and `.` parts dropped. */
function parsePath(p: string): PurePath {
  const root = p.startsWith('//') && !p.startsWith('///') ? '//' : p.startsWith('/') ? '/' : '';
  return { root, parts: p.split('/').filter((c) => c !== '' && c !== '.') };
}

function render(p: PurePath): string {
  return p.root + p.parts.join('/') || '.';
}

/** `str(PurePosixPath(a) / b)`; `pathJoin('', x)` normalises `x` as `Path(x)` does. */
export function pathJoin(a: string, b: string): string {
  const pb = parsePath(b);
  if (pb.root) return render(pb);
  const pa = parsePath(a);
  return render({ root: pa.root, parts: [...pa.parts, ...pb.parts] });
}

export function pathParent(p: string): string {
  const pp = parsePath(p);
  return render({ root: pp.root, parts: pp.parts.slice(0, -1) });
}

export function pathName(p: string): string {
  const pp = parsePath(p);
  return pp.parts[pp.parts.length - 1] ?? '';
}
