import { Pos, PyValue } from '../py/value';
import { INT_MAX_STR_DIGITS, reprStr } from '../py/repr';
import { decimalValue, isSpace } from '../py/unicode';
import { pyLower } from '../py/case';

/**
 * PyYAML 6.0 SafeLoader's scalar typing: the YAML 1.1 implicit resolvers (which tag a plain
 * scalar gets) and the SafeConstructor functions (which Python value a tag produces), including
 * their quirks. Quirks matter because the Python type of a value changes flytekit's hash.
 */

const Y = 'tag:yaml.org,2002:';
export const TAG = {
  str: `${Y}str`,
  int: `${Y}int`,
  float: `${Y}float`,
  bool: `${Y}bool`,
  null: `${Y}null`,
  timestamp: `${Y}timestamp`,
  merge: `${Y}merge`,
  value: `${Y}value`,
  map: `${Y}map`,
  seq: `${Y}seq`,
  pairs: `${Y}pairs`,
  omap: `${Y}omap`,
  yaml: `${Y}yaml`,
} as const;

/** A value PyYAML would refuse to construct; the loader adds the position. */
export class ScalarError extends Error {}

// PyYAML's patterns end in Python's `$`, which also matches before one final newline; `\n?$`
// keeps that (it matters for `! |` block scalars, which PyYAML also runs through the resolvers).
const RESOLVERS: ReadonlyArray<[string, RegExp]> = [
  [TAG.bool, /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\n?$/],
  [
    TAG.float,
    /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\n?$/,
  ],
  [TAG.int, /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\n?$/],
  [TAG.merge, /^<<\n?$/],
  [TAG.null, /^(?:~|null|Null|NULL|)\n?$/],
  [
    TAG.timestamp,
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)\n?$/,
  ],
  [TAG.value, /^=\n?$/],
  // Documentation-only in PyYAML, but it does match a `!`-tagged quoted "!", "&" or "*".
  [TAG.yaml, /^[!&*]\n?$/],
];

/** The tag PyYAML's implicit resolvers give an untagged plain scalar (or any scalar tagged `!`). */
export function resolveImplicit(value: string): string {
  // PyYAML picks candidate resolvers by first character; every pattern's possible first
  // characters are within its registered list, so trying them all in order is equivalent.
  for (const [tag, re] of RESOLVERS) if (re.test(value)) return tag;
  return TAG.str;
}

/** Python's `int()`/`float()` first map Unicode digits to ASCII and strip Unicode whitespace. */
function pyNumberText(s: string): string {
  const chars = Array.from(s, (ch) => {
    const d = decimalValue(ch);
    return d >= 0 ? String(d) : isSpace(ch) ? ' ' : ch;
  });
  return chars.join('').replace(/^ +| +$/g, '');
}

const INT_REPR_LIMIT = 10n ** BigInt(INT_MAX_STR_DIGITS);

const DIGITS: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const PREFIX: Record<number, RegExp> = { 2: /^0[bB]/, 8: /^0[oO]/, 16: /^0[xX]/ };

/** `int(s, base)` (underscores are already gone: PyYAML strips them first). */
function pyInt(s: string, base: 2 | 8 | 10 | 16): bigint {
  const bad = (): ScalarError => new ScalarError(`invalid literal for int() with base ${base}: ${reprStr(s)}`);
  let t = pyNumberText(s);
  let negative = false;
  if (t[0] === '+' || t[0] === '-') {
    negative = t[0] === '-';
    t = t.slice(1);
  }
  const prefix = PREFIX[base];
  if (prefix && prefix.test(t)) t = t.slice(2);
  if (!DIGITS[base].test(t)) throw bad();
  if (base === 10 && t.length > INT_MAX_STR_DIGITS) {
    throw new ScalarError(`Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${t.length} digits`);
  }
  const prefixed = base === 10 ? t : `0${base === 2 ? 'b' : base === 8 ? 'o' : 'x'}${t}`;
  const n = BigInt(prefixed);
  return negative ? -n : n;
}

/** `float(s)`. */
function pyFloat(s: string): number {
  const t = pyNumberText(s).toLowerCase();
  const m = /^([+-]?)(?:((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?)|(inf|infinity)|(nan))$/.exec(t);
  if (!m) throw new ScalarError(`could not convert string to float: ${reprStr(s)}`);
  const sign = m[1] === '-' ? -1 : 1;
  if (m[3]) return sign * Infinity;
  if (m[4]) return NaN;
  return sign * Number(m[2]);
}

/** Python raises IndexError where PyYAML reads `value[0]` of an empty string. */
function firstChar(v: string): string {
  if (v === '') throw new ScalarError('string index out of range');
  return v[0];
}

/** `SafeConstructor.construct_yaml_int`. */
function constructInt(raw: string): bigint {
  let v = raw.replace(/_/g, '');
  const sign = firstChar(v) === '-' ? -1n : 1n;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '0') return 0n;
  if (v.startsWith('0b')) return sign * pyInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * pyInt(v.slice(2), 16);
  if (firstChar(v) === '0') return sign * pyInt(v, 8);
  if (v.includes(':')) {
    // Sexagesimal: `1:30` is 90.
    let total = 0n;
    for (const part of v.split(':')) total = total * 60n + pyInt(part, 10);
    return sign * total;
  }
  return sign * pyInt(v, 10);
}

/** `SafeConstructor.construct_yaml_float`; the sexagesimal sum runs in the same order as PyYAML's. */
function constructFloat(raw: string): number {
  let v = pyLower(raw.replace(/_/g, ''));
  const sign = firstChar(v) === '-' ? -1 : 1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) {
    const digits = v.split(':').map(pyFloat).reverse();
    let base = 1;
    let value = 0;
    for (const d of digits) {
      value += d * base;
      base *= 60;
    }
    return sign * value;
  }
  return sign * pyFloat(v);
}

const BOOL_VALUES: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

function constructBool(raw: string): boolean {
  const key = pyLower(raw);
  if (!Object.prototype.hasOwnProperty.call(BOOL_VALUES, key)) throw new ScalarError(`KeyError: ${reprStr(key)}`);
  return BOOL_VALUES[key];
}

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?\n?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

function checkDate(year: number, month: number, day: number): void {
  if (year < 1) throw new ScalarError(`year ${year} is out of range`);
  if (month < 1 || month > 12) throw new ScalarError('month must be in 1..12');
  const dim = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > dim) throw new ScalarError('day is out of range for month');
}

/** `SafeConstructor.construct_yaml_timestamp`: a date, or a datetime with a fixed-offset timezone. */
function constructTimestamp(raw: string, pos: Pos): PyValue {
  const m = TIMESTAMP.exec(raw);
  if (!m) throw new ScalarError(`${reprStr(raw)} is not a timestamp`);
  const [year, month, day] = [m[1], m[2], m[3]].map(Number);
  if (m[4] === undefined) {
    checkDate(year, month, day);
    return { kind: 'date', year, month, day, pos };
  }
  let utcOffsetSeconds: number | undefined;
  if (m[9]) {
    // PyYAML builds the timezone before the datetime, so an out-of-range offset is reported first.
    const seconds = Number(m[10]) * 3600 + Number(m[11] ?? 0) * 60;
    if (seconds >= 86400) {
      throw new ScalarError('offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)');
    }
    utcOffsetSeconds = m[9] === '-' ? -seconds : seconds;
  } else if (m[8]) {
    utcOffsetSeconds = 0;
  }
  checkDate(year, month, day);
  const [hour, minute, second] = [m[4], m[5], m[6]].map(Number);
  if (hour > 23) throw new ScalarError('hour must be in 0..23');
  if (minute > 59) throw new ScalarError('minute must be in 0..59');
  if (second > 59) throw new ScalarError('second must be in 0..59');
  const fraction = m[7] ? Number(m[7].slice(0, 6).padEnd(6, '0')) : 0;
  return { kind: 'datetime', year, month, day, hour, minute, second, microsecond: fraction, utcOffsetSeconds, pos };
}

const SCALAR_TAGS: ReadonlySet<string> = new Set([TAG.str, TAG.int, TAG.float, TAG.bool, TAG.null, TAG.timestamp]);

export function isScalarTag(tag: string): boolean {
  return SCALAR_TAGS.has(tag);
}

/** The Python value PyYAML's SafeConstructor builds for a scalar with one of the scalar tags. */
export function constructScalar(tag: string, value: string, pos: Pos): PyValue {
  switch (tag) {
    case TAG.str:
      return { kind: 'str', value, pos };
    case TAG.null:
      return { kind: 'none', pos };
    case TAG.bool:
      return { kind: 'bool', value: constructBool(value), pos };
    case TAG.int: {
      const n = constructInt(value);
      // Python builds such an int (from hex, octal or binary) but then cannot repr it for the hash.
      if ((n < 0n ? -n : n) >= INT_REPR_LIMIT) {
        throw new ScalarError(`integer has more than ${INT_MAX_STR_DIGITS} digits, which Python refuses to print`);
      }
      return { kind: 'int', value: n, pos };
    }
    case TAG.float:
      return { kind: 'float', value: constructFloat(value), pos };
    case TAG.timestamp:
      return constructTimestamp(value, pos);
    default:
      throw new ScalarError(`could not determine a constructor for the tag ${reprStr(tag)}`);
  }
}
