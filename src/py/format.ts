import { pyAscii, reprStr } from './repr';
import { str as pyStrValue } from './value';
import { decimalValue } from './unicode';

/**
 * Python 3.11 `template.format(**kwargs)` for string-valued keyword arguments, as flytekit
 * applies `tag_format`. It follows CPython's parser (Objects/stringlib/unicode_format.h and
 * Python/formatter_unicode.c) step for step, including which error wins when several apply:
 * fields are parsed and evaluated left to right, and the first failure is the one raised.
 * Everything is indexed by code point, as Python strings are.
 */

export type PyFormatErrorType =
  | 'KeyError'
  | 'IndexError'
  | 'ValueError'
  | 'TypeError'
  | 'AttributeError'
  /** Python would succeed, but its output depends on the interpreter (memory addresses, docstrings) or is absurdly large. */
  | 'NotImplementedError';

export class PyFormatError extends Error {
  constructor(
    readonly pyType: PyFormatErrorType,
    /** `str(exception)`: for KeyError that is the repr of the key, e.g. `'git_sha'`. */
    readonly pyMessage: string,
  ) {
    super(`${pyType}: ${pyMessage}`);
    this.name = 'PyFormatError';
  }
}

const valueError = (m: string): PyFormatError => new PyFormatError('ValueError', m);

/** PEP 3101 allows one level of nested fields inside a format spec: `{0:{1}}` but not `{0:{1:{2}}}`. */
const MAX_RECURSION = 2;
/** Refuse to build tags longer than this; Docker tags stop at 128 characters anyway. */
export const MAX_FORMAT_OUTPUT = 100_000;
const PY_SSIZE_T_MAX = 2n ** 63n - 1n;

const words = (s: string): ReadonlySet<string> => new Set(s.split(' '));

/** What `getattr(some_str, name)` is in Python 3.11, by `dir(str)`; `__class__` and `__doc__` aside. */
const STR_METHOD_WRAPPERS = words(
  '__add__ __contains__ __delattr__ __eq__ __ge__ __getattribute__ __getitem__ __gt__ __hash__ __init__ __iter__ __le__ ' +
    '__len__ __lt__ __mod__ __mul__ __ne__ __repr__ __rmod__ __rmul__ __setattr__ __str__',
);
const STR_BUILTIN_METHODS = words(
  '__dir__ __format__ __getnewargs__ __getstate__ __init_subclass__ __new__ __reduce__ __reduce_ex__ __sizeof__ ' +
    '__subclasshook__ capitalize casefold center count encode endswith expandtabs find format format_map index isalnum ' +
    'isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower ' +
    'lstrip maketrans partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split ' +
    'splitlines startswith strip swapcase title translate upper zfill',
);
/** `dir(type)` (every one readable on `type` itself). */
const TYPE_ATTRIBUTES = words(
  '__base__ __bases__ __basicsize__ __call__ __class__ __delattr__ __dict__ __dictoffset__ __dir__ __doc__ __eq__ ' +
    '__flags__ __format__ __ge__ __getattribute__ __getstate__ __gt__ __hash__ __init__ __init_subclass__ __instancecheck__ ' +
    '__itemsize__ __le__ __lt__ __module__ __mro__ __name__ __ne__ __new__ __or__ __prepare__ __qualname__ __reduce__ ' +
    '__reduce_ex__ __repr__ __ror__ __setattr__ __sizeof__ __str__ __subclasscheck__ __subclasses__ __subclasshook__ ' +
    '__text_signature__ __weakrefoffset__ mro',
);

/**
 * The objects a format field can reach from a str argument and that this module reproduces: the
 * str itself, and the classes `str` and `type` through `__class__` (flytekit renders
 * `{spec_hash.__class__}` as the stable `<class 'str'>`).
 */
type FieldObject = { kind: 'str'; value: string } | { kind: 'type'; name: 'str' | 'type' };

/** Accumulate decimal digits with CPython's Py_ssize_t overflow check. */
function accumulate(n: bigint, digit: number): bigint {
  const next = n * 10n + BigInt(digit);
  if (next > PY_SSIZE_T_MAX) throw valueError('Too many decimal digits in format string');
  return next;
}

/** A field name part as an index: -1 unless it is non-empty and all decimal digits. */
function fieldIndex(chars: string[]): bigint {
  if (chars.length === 0) return -1n;
  let n = 0n;
  for (const ch of chars) {
    const d = decimalValue(ch);
    if (d < 0) return -1n;
    n = accumulate(n, d);
  }
  return n;
}

interface Field {
  name: string[];
  conversion?: string;
  spec: string[];
  specHasFields: boolean;
  /** Index just past the closing brace. */
  next: number;
}

/** `parse_field`: `chars[pos]` is the first character after `{`. */
function parseField(chars: string[], pos: number, end: number): Field {
  const nameStart = pos;
  let c = '';
  while (pos < end) {
    c = chars[pos++];
    if (c === '{') throw valueError("unexpected '{' in field name");
    if (c === '[') {
      // Anything up to the next ']' belongs to the name, so `{a[:]}` does not start a spec.
      while (pos < end && chars[pos] !== ']') pos++;
      continue;
    }
    if (c === '}' || c === ':' || c === '!') break;
  }
  const name = chars.slice(nameStart, pos - 1);
  if (c !== '!' && c !== ':') {
    if (c !== '}') throw valueError("expected '}' before end of string");
    return { name, spec: [], specHasFields: false, next: pos };
  }
  let conversion: string | undefined;
  if (c === '!') {
    if (pos >= end) throw valueError('end of string while looking for conversion specifier');
    conversion = chars[pos++];
    if (pos < end) {
      const after = chars[pos++];
      if (after === '}') return { name, conversion, spec: [], specHasFields: false, next: pos };
      if (after !== ':') throw valueError("expected ':' after conversion specifier");
    }
  }
  const specStart = pos;
  let depth = 1;
  let specHasFields = false;
  while (pos < end) {
    const s = chars[pos++];
    if (s === '{') {
      specHasFields = true;
      depth++;
    } else if (s === '}' && --depth === 0) {
      return { name, conversion, spec: chars.slice(specStart, pos - 1), specHasFields, next: pos };
    }
  }
  throw valueError("unmatched '{' in format spec");
}

/** `get_field_object` with only keyword arguments: positional fields always fail. */
function fieldValue(name: string[], kwargs: Record<string, string>): FieldObject {
  let i = 0;
  while (i < name.length && name[i] !== '.' && name[i] !== '[') i++;
  const first = name.slice(0, i);
  const index = first.length === 0 ? 0n : fieldIndex(first);
  if (index >= 0n) {
    // The first positional field already fails, so automatic numbering never gets past 0.
    throw new PyFormatError('IndexError', `Replacement index ${index} out of range for positional args tuple`);
  }
  const key = first.join('');
  if (!Object.prototype.hasOwnProperty.call(kwargs, key)) throw new PyFormatError('KeyError', reprStr(key));
  let obj: FieldObject = { kind: 'str', value: kwargs[key] };

  while (i < name.length) {
    const lead = name[i++];
    const start = i;
    let part: string[];
    if (lead === '.') {
      while (i < name.length && name[i] !== '.' && name[i] !== '[') i++;
      part = name.slice(start, i);
    } else if (lead === '[') {
      while (i < name.length && name[i] !== ']') i++;
      if (i >= name.length) throw valueError("Missing ']' in format string");
      part = name.slice(start, i++);
    } else {
      throw valueError("Only '.' or '[' may follow ']' in format field specifier");
    }
    const itemIndex = lead === '[' ? fieldIndex(part) : -1n;
    if (part.length === 0) throw valueError('Empty attribute in format string');
    obj = lead === '.' ? attribute(obj, part.join('')) : item(obj, itemIndex);
  }
  return obj;
}

function attribute(obj: FieldObject, attr: string): FieldObject {
  return obj.kind === 'str' ? strAttribute(attr) : typeAttribute(obj.name, attr);
}

function item(obj: FieldObject, index: bigint): FieldObject {
  if (obj.kind === 'str') return { kind: 'str', value: strItem(obj.value, index) };
  if (obj.name === 'str') throw new PyFormatError('TypeError', "type 'str' is not subscriptable");
  throw new PyFormatError(
    'NotImplementedError',
    'subscripting the class type makes a generic alias (such as type[0]), which is not reproduced',
  );
}

function strAttribute(attr: string): FieldObject {
  if (attr === '__class__') return { kind: 'type', name: 'str' };
  if (attr === '__doc__') {
    throw new PyFormatError(
      'NotImplementedError',
      "str attribute '__doc__' is the str class's docstring (many lines of prose), which is not reproduced",
    );
  }
  if (STR_METHOD_WRAPPERS.has(attr) || STR_BUILTIN_METHODS.has(attr)) {
    const text = STR_METHOD_WRAPPERS.has(attr)
      ? `<method-wrapper '${attr}' of str object at 0x…>`
      : `<built-in method ${attr} of str object at 0x…>`;
    throw new PyFormatError(
      'NotImplementedError',
      `str attribute '${attr}' is a bound method, which Python formats with a memory address that changes from run to run ('${text}')`,
    );
  }
  throw new PyFormatError('AttributeError', `'str' object has no attribute '${attr}'`);
}

/** An attribute of the class `str` or `type`: its name and module are reproduced, nothing else. */
function typeAttribute(cls: 'str' | 'type', attr: string): FieldObject {
  if (attr === '__name__' || attr === '__qualname__') return { kind: 'str', value: cls };
  if (attr === '__module__') return { kind: 'str', value: 'builtins' };
  if (attr === '__class__') return { kind: 'type', name: 'type' };
  const exists = TYPE_ATTRIBUTES.has(attr) || (cls === 'str' && (STR_METHOD_WRAPPERS.has(attr) || STR_BUILTIN_METHODS.has(attr)));
  if (!exists) {
    const message = attr === '__abstractmethods__' ? attr : `type object '${cls}' has no attribute '${attr}'`;
    throw new PyFormatError('AttributeError', message);
  }
  throw new PyFormatError(
    'NotImplementedError',
    `attribute '${attr}' of the class ${cls} is a method, descriptor or mapping of the interpreter, which is not reproduced (only __name__, __qualname__, __module__ and __class__ are)`,
  );
}

/** `obj[i]` for a str; a non-numeric key (including `-1`) is a str key, which str rejects. */
function strItem(obj: string, index: bigint): string {
  if (index < 0n) throw new PyFormatError('TypeError', "string indices must be integers, not 'str'");
  const chars = Array.from(obj);
  if (index >= BigInt(chars.length)) throw new PyFormatError('IndexError', 'string index out of range');
  return chars[Number(index)];
}

/** How CPython names a character in "unknown code" messages: itself if printable ASCII, else `\xNN`. */
function codeName(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  return cp > 32 && cp < 127 ? ch : `\\x${cp.toString(16)}`;
}

/** `!r`, `!s`, `!a` of a str, or of a class (`isClass`: `value` is already its repr, which is ASCII). */
function convert(value: string, conversion: string, isClass: boolean): string {
  switch (conversion) {
    case 'r':
      return isClass ? value : reprStr(value);
    case 's':
      return value;
    case 'a':
      return isClass ? value : pyAscii(pyStrValue(value));
    default:
      throw valueError(`Unknown conversion specifier ${codeName(conversion)}`);
  }
}

const ALIGNS = '<>=^';

/** `str.__format__(spec)`: parse the mini-language, then apply what a str accepts. */
function formatStr(value: string, spec: string[]): string {
  const end = spec.length;
  let pos = 0;
  let fill = ' ';
  let fillGiven = false;
  let align = '<';
  if (end >= 2 && ALIGNS.includes(spec[1])) {
    fill = spec[0];
    align = spec[1];
    fillGiven = true;
    pos = 2;
  } else if (end >= 1 && ALIGNS.includes(spec[0])) {
    align = spec[0];
    pos = 1;
  }
  let sign = '';
  if (pos < end && '+- '.includes(spec[pos])) sign = spec[pos++];
  const noNegZero = pos < end && spec[pos] === 'z';
  if (noNegZero) pos++;
  const alternate = pos < end && spec[pos] === '#';
  if (alternate) pos++;
  // `0` before the width sets the fill; only numbers (default alignment '>') also switch to '='.
  if (!fillGiven && pos < end && spec[pos] === '0') {
    fill = '0';
    pos++;
  }
  const width = readDigits(spec, pos);
  pos = width.pos;
  let separator = '';
  if (pos < end && spec[pos] === ',') {
    separator = ',';
    pos++;
  }
  if (pos < end && spec[pos] === '_') {
    if (separator) throw valueError("Cannot specify both ',' and '_'.");
    separator = '_';
    pos++;
  }
  if (pos < end && spec[pos] === ',') throw valueError("Cannot specify both ',' and '_'.");
  let precision = -1;
  if (pos < end && spec[pos] === '.') {
    const p = readDigits(spec, pos + 1);
    if (p.count === 0) throw valueError('Format specifier missing precision');
    precision = p.value;
    pos = p.pos;
  }
  if (end - pos > 1) throw valueError(`Invalid format specifier '${spec.join('')}' for object of type 'str'`);
  const type = end - pos === 1 ? spec[pos] : 's';
  if (separator && !'defgEG%F'.includes(type) && !(separator === '_' && 'boxX'.includes(type))) {
    throw valueError(`Cannot specify '${separator}' with '${codeName(type)}'.`);
  }
  if (type !== 's') throw valueError(`Unknown format code '${codeName(type)}' for object of type 'str'`);
  if (sign === ' ') throw valueError('Space not allowed in string format specifier');
  if (sign) throw valueError('Sign not allowed in string format specifier');
  if (noNegZero) throw valueError('Negative zero coercion (z) not allowed in string format specifier');
  if (alternate) throw valueError('Alternate form (#) not allowed in string format specifier');
  if (align === '=') throw valueError("'=' alignment not allowed in string format specifier");

  let chars = Array.from(value);
  if (precision >= 0 && chars.length > precision) chars = chars.slice(0, precision);
  const total = Math.max(width.count ? width.value : 0, chars.length);
  if (total > MAX_FORMAT_OUTPUT) {
    throw new PyFormatError('NotImplementedError', `a width of ${total} characters is far beyond any valid image tag`);
  }
  const room = total - chars.length;
  const left = align === '>' ? room : align === '^' ? Math.floor(room / 2) : 0;
  return fill.repeat(left) + chars.join('') + fill.repeat(room - left);
}

function readDigits(spec: string[], pos: number): { value: number; count: number; pos: number } {
  let n = 0n;
  let count = 0;
  for (; pos < spec.length; pos++, count++) {
    const d = decimalValue(spec[pos]);
    if (d < 0) break;
    n = accumulate(n, d);
  }
  return { value: Number(n), count, pos };
}

function buildString(chars: string[], start: number, end: number, kwargs: Record<string, string>, depth: number): string {
  if (depth <= 0) throw valueError('Max string recursion exceeded');
  let out = '';
  let i = start;
  while (i < end) {
    const literalStart = i;
    let c = '';
    let markup = false;
    while (i < end) {
      c = chars[i++];
      if (c === '{' || c === '}') {
        markup = true;
        break;
      }
    }
    const atEnd = i >= end;
    let literalEnd = i;
    if (markup && c === '}' && (atEnd || chars[i] !== '}')) throw valueError("Single '}' encountered in format string");
    if (markup && c === '{' && atEnd) throw valueError("Single '{' encountered in format string");
    if (markup) {
      if (chars[i] === c) {
        // A doubled brace: keep one in the literal and skip the other.
        i++;
        markup = false;
      } else {
        literalEnd--;
      }
    }
    out += chars.slice(literalStart, literalEnd).join('');
    if (!markup) continue;

    const field = parseField(chars, i, end);
    i = field.next;
    const obj = fieldValue(field.name, kwargs);
    // `str(cls)` and `repr(cls)` are both `<class 'name'>`.
    const text = obj.kind === 'str' ? obj.value : `<class '${obj.name}'>`;
    const converted = field.conversion !== undefined ? convert(text, field.conversion, obj.kind === 'type') : undefined;
    const spec = field.specHasFields ? Array.from(buildString(field.spec, 0, field.spec.length, kwargs, depth - 1)) : field.spec;
    if (converted === undefined && obj.kind === 'type') {
      // `type.__format__` accepts only an empty spec.
      if (spec.length > 0) throw new PyFormatError('TypeError', 'unsupported format string passed to type.__format__');
      out += text;
    } else {
      out += formatStr(converted ?? text, spec);
    }
    if (out.length > MAX_FORMAT_OUTPUT) {
      throw new PyFormatError('NotImplementedError', `the formatted tag exceeds ${MAX_FORMAT_OUTPUT} characters`);
    }
  }
  return out;
}

/** `template.format(**kwargs)`; throws PyFormatError with the exception Python would raise. */
export function pyFormat(template: string, kwargs: Record<string, string>): string {
  const chars = Array.from(template);
  return buildString(chars, 0, chars.length, kwargs, MAX_RECURSION);
}
