import type { Where } from '../errors';
import type { PyValue } from '../py/value';
import { unsupported } from './errors';
import type { Val } from './values';

/** Python `==` for the hashable scalars a dict key can be here (1 == 1.0 == True). */
export function sameKey(a: Val, b: Val): boolean {
  if (a.t !== 'py' || b.t !== 'py') return false;
  const x = a.v;
  const y = b.v;
  if (x.kind === 'str' || y.kind === 'str') return x.kind === 'str' && y.kind === 'str' && x.value === y.value;
  if (x.kind === 'none' || y.kind === 'none') return x.kind === y.kind;
  const num = (v: PyValue): number | bigint | undefined =>
    v.kind === 'int' ? v.value : v.kind === 'bool' ? (v.value ? 1n : 0n) : v.kind === 'float' ? v.value : undefined;
  const p = num(x);
  const q = num(y);
  if (p === undefined || q === undefined) return false;
  // bigint == number compares mathematically in JS, as Python compares int and float.
  return p == q;
}

/** A short description of a value for messages (never its content: that may come from the repository). */
export function describe(v: Val): string {
  switch (v.t) {
    case 'py':
      return v.v.kind === 'none' ? 'None' : v.v.kind;
    case 'seq':
      return v.kind;
    case 'map':
      return 'dict';
    case 'spec':
      return 'an ImageSpec';
    case 'builtin':
      return v.name;
    case 'method':
      return `method ${v.name}`;
    case 'path':
      return 'a pathlib.Path';
    case 'module':
      return `module ${v.name}`;
    case 'opaque':
      return v.what;
  }
}

/** The Python data a field receives. Objects the value model cannot express are refused where they were written. */
export function toPy(v: Val, where: Where): PyValue {
  switch (v.t) {
    case 'py':
      return v.v;
    case 'seq':
      return { kind: v.kind, items: v.items.map((i) => toPy(i, where)) };
    case 'map':
      return { kind: 'dict', entries: v.entries.map(([k, x]) => [toPy(k, where), toPy(x, where)]) };
    case 'path':
      return (() => {
        throw unsupported(
          'a pathlib.Path as an ImageSpec value',
          where,
          "flytekit would hash it as PosixPath('<absolute path>'); wrap it in str()",
        );
      })();
    default:
      throw unsupported(`${describe(v)} as an ImageSpec value`, where);
  }
}
