import { PyDate, PyDateTime, PyValue } from './value';
import { isPrintable } from './unicode';

/**
 * Python 3.11 `repr()` and `str()` of the value model. flytekit md5-hashes `str(dict)`, so a
 * single differing character (a quote, `1` vs `1.0`, an escape) changes every image tag.
 */

/** Python refuses to print ints with more decimal digits than this (`sys.get_int_max_str_digits()`). */
export const INT_MAX_STR_DIGITS = 4300;
const INT_DIGITS_LIMIT = 10n ** BigInt(INT_MAX_STR_DIGITS);

function hexEscape(cp: number): string {
  if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/**
 * `repr(s)`. Iterating by code point keeps astral characters whole; a lone surrogate comes out as
 * its own code unit, which is category Cs and so escaped, exactly as Python prints one.
 */
export function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (isPrintable(cp)) out += ch;
    else out += hexEscape(cp);
  }
  return out + quote;
}

/** `ascii(x)`: the repr with every non-ASCII character backslash-escaped. */
export function pyAscii(v: PyValue): string {
  let out = '';
  for (const ch of pyRepr(v)) {
    const cp = ch.codePointAt(0) as number;
    out += cp < 0x80 ? ch : hexEscape(cp);
  }
  return out;
}

/** `repr(int)`; Python raises rather than print more than 4300 digits, and so do we. */
export function reprInt(n: bigint): string {
  const abs = n < 0n ? -n : n;
  if (abs >= INT_DIGITS_LIMIT) {
    throw new RangeError(
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion; flytekit cannot hash this value either`,
    );
  }
  return n.toString();
}

/**
 * `repr(float)`: the shortest digits that round-trip (which JS's `String(number)` also finds),
 * laid out the Python way: exponent form when the exponent is below -4 or at least 16, with a
 * sign and at least two exponent digits, and `.0` on integral values in fixed form.
 */
export function reprFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(Math.abs(x));
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  const point = exp + 1;
  let body: string;
  if (point <= 0) body = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length) + '.0';
  else body = digits.slice(0, point) + '.' + digits.slice(point);
  return sign + body;
}

/** Significant digits (no trailing zeros) and the decimal exponent of the first one. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const s = String(x);
  const eAt = s.indexOf('e');
  const mantissa = eAt < 0 ? s : s.slice(0, eAt);
  const exp10 = eAt < 0 ? 0 : Number(s.slice(eAt + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const all = intPart + (dot < 0 ? '' : mantissa.slice(dot + 1));
  const lead = all.search(/[1-9]/);
  const digits = all.slice(lead).replace(/0+$/, '');
  return { digits, exp: intPart.length - 1 - lead + exp10 };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** `repr(datetime.timedelta(seconds=s))`, normalised to days and 0 <= seconds < 86400 as Python does. */
function reprTimedelta(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  const seconds = totalSeconds - days * 86400;
  const parts: string[] = [];
  if (days !== 0) parts.push(`days=${days}`);
  if (seconds !== 0) parts.push(`seconds=${seconds}`);
  return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
}

/** `datetime.timezone(timedelta(0))` is the `timezone.utc` singleton, so its repr is the short one. */
function reprTimezone(offset: number): string {
  return offset === 0 ? 'datetime.timezone.utc' : `datetime.timezone(${reprTimedelta(offset)})`;
}

function reprDateTime(v: PyDateTime): string {
  const args = [v.year, v.month, v.day, v.hour, v.minute];
  if (v.microsecond) args.push(v.second, v.microsecond);
  else if (v.second) args.push(v.second);
  const tz = v.utcOffsetSeconds === undefined ? '' : `, tzinfo=${reprTimezone(v.utcOffsetSeconds)}`;
  return `datetime.datetime(${args.join(', ')}${tz})`;
}

function isoDate(v: PyDate | PyDateTime): string {
  return `${pad(v.year, 4)}-${pad(v.month, 2)}-${pad(v.day, 2)}`;
}

/** `str(datetime)`, i.e. `isoformat(' ')`: microseconds only when non-zero, offset as ±HH:MM[:SS]. */
function strDateTime(v: PyDateTime): string {
  let s = `${isoDate(v)} ${pad(v.hour, 2)}:${pad(v.minute, 2)}:${pad(v.second, 2)}`;
  if (v.microsecond) s += '.' + pad(v.microsecond, 6);
  if (v.utcOffsetSeconds !== undefined) {
    const off = Math.abs(v.utcOffsetSeconds);
    s += (v.utcOffsetSeconds < 0 ? '-' : '+') + pad(Math.floor(off / 3600), 2) + ':' + pad(Math.floor(off / 60) % 60, 2);
    if (off % 60) s += ':' + pad(off % 60, 2);
  }
  return s;
}

/** Python `repr(v)`. */
export function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return reprStr(v.value);
    case 'int':
      return reprInt(v.value);
    case 'float':
      return reprFloat(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'list':
      return '[' + v.items.map(pyRepr).join(', ') + ']';
    case 'tuple':
      return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : '(' + v.items.map(pyRepr).join(', ') + ')';
    case 'dict':
      return '{' + v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
    case 'date':
      return `datetime.date(${v.year}, ${v.month}, ${v.day})`;
    case 'datetime':
      return reprDateTime(v);
    case 'enum':
      return `<${v.cls}.${v.member}: ${v.value}>`;
  }
}

/** Python `str(v)`: differs from the repr only for str, date, datetime and enum members. */
export function pyStr(v: PyValue): string {
  switch (v.kind) {
    case 'str':
      return v.value;
    case 'date':
      return isoDate(v);
    case 'datetime':
      return strDateTime(v);
    case 'enum':
      return `${v.cls}.${v.member}`;
    default:
      return pyRepr(v);
  }
}
