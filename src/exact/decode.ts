/**
 * Reading the helper's answer. It comes from a process that ran the user's code, so it is
 * untrusted input: every field is checked for type, size and form before it becomes one of our
 * types, and anything else is a protocol error (never a crash, never a silently wrong value).
 */
import type { PythonException, PythonFrame } from './errors';
import { PyValue } from '../py/value';

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly at: string,
  ) {
    super(`${at}: ${message}`);
    this.name = 'ProtocolError';
  }
}

const MAX_DEPTH = 64;
const MAX_TEXT = 1 << 20;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, at: string): Record<string, unknown> {
  if (!isRecord(v)) throw new ProtocolError('expected an object', at);
  return v;
}

export function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new ProtocolError('expected an array', at);
  return v;
}

export function text(v: unknown, at: string, max = MAX_TEXT): string {
  if (typeof v !== 'string' || v.length > max) throw new ProtocolError('expected a string', at);
  return v;
}

export function optText(v: unknown, at: string, max = MAX_TEXT): string | null {
  return v === null || v === undefined ? null : text(v, at, max);
}

export function count(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ProtocolError('expected a non-negative integer', at);
  return v;
}

export function optCount(v: unknown, at: string): number | null {
  return v === null || v === undefined ? null : count(v, at);
}

function frame(v: unknown, at: string): PythonFrame {
  const o = obj(v, at);
  return {
    file: text(o.file, `${at}.file`, 4096),
    line: optCount(o.line, `${at}.line`),
    function: optText(o.function, `${at}.function`, 4096),
    text: optText(o.text, `${at}.text`, 4096),
  };
}

/** An exception description, or undefined when the value is not one (for best-effort reports). */
export function decodePythonException(v: unknown): PythonException | undefined {
  try {
    return pythonException(v, 'error');
  } catch {
    return undefined;
  }
}

export function pythonException(v: unknown, at: string): PythonException {
  const o = obj(v, at);
  const out: PythonException = {
    type: text(o.type, `${at}.type`, 1024),
    message: text(o.message, `${at}.message`, 1 << 16),
    frames: arr(o.frames, `${at}.frames`).map((f, i) => frame(f, `${at}.frames[${i}]`)),
  };
  if (o.syntax !== undefined && o.syntax !== null) {
    const s = obj(o.syntax, `${at}.syntax`);
    out.syntax = {
      file: optText(s.file, `${at}.syntax.file`, 4096),
      line: optCount(s.line, `${at}.syntax.line`),
      col: optCount(s.col, `${at}.syntax.col`),
      text: optText(s.text, `${at}.syntax.text`, 4096),
    };
  }
  return out;
}

/** A value the helper could not express as a PyValue (e.g. a `pathlib.Path`), by type and repr. */
export interface Opaque {
  type: string;
  repr: string;
}

const INT_RE = /^-?\d{1,4300}$/;
const FLOAT_RE = /^(-?(\d+\.\d*|\d+)(e[+-]\d+)?|-?inf|nan)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{6}))?(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The tagged tree of exact_protocol's `_encode` as a PyValue. An opaque value anywhere inside
 * is reported through `onOpaque` and stands as its repr string.
 */
export function pyValue(v: unknown, at: string, onOpaque: (o: Opaque) => void, depth = 0): PyValue {
  if (depth > MAX_DEPTH) throw new ProtocolError('value nested too deep', at);
  const o = obj(v, at);
  switch (o.kind) {
    case 'none':
      return { kind: 'none' };
    case 'bool':
      if (typeof o.value !== 'boolean') throw new ProtocolError('expected a boolean', at);
      return { kind: 'bool', value: o.value };
    case 'int': {
      const s = text(o.value, at, 4301);
      if (!INT_RE.test(s)) throw new ProtocolError('malformed int', at);
      return { kind: 'int', value: BigInt(s) };
    }
    case 'float': {
      const s = text(o.value, at, 64);
      if (!FLOAT_RE.test(s)) throw new ProtocolError('malformed float', at);
      const value = s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s);
      return { kind: 'float', value };
    }
    case 'str':
      return { kind: 'str', value: text(o.value, at) };
    case 'list':
    case 'tuple':
      return { kind: o.kind, items: arr(o.items, at).map((x, i) => pyValue(x, `${at}[${i}]`, onOpaque, depth + 1)) };
    case 'dict':
      return {
        kind: 'dict',
        entries: arr(o.entries, at).map((e, i): [PyValue, PyValue] => {
          const pair = arr(e, `${at}{${i}}`);
          if (pair.length !== 2) throw new ProtocolError('expected a key and a value', `${at}{${i}}`);
          return [pyValue(pair[0], `${at}{${i}}.key`, onOpaque, depth + 1), pyValue(pair[1], `${at}{${i}}`, onOpaque, depth + 1)];
        }),
      };
    case 'enum': {
      const value = text(o.value, at, 32);
      if (!INT_RE.test(value)) throw new ProtocolError('malformed enum value', at);
      return { kind: 'enum', cls: text(o.cls, at, 256), member: text(o.member, at, 256), value: Number(value) };
    }
    case 'date': {
      const m = DATE_RE.exec(text(o.value, at, 32));
      if (!m) throw new ProtocolError('malformed date', at);
      return { kind: 'date', year: +m[1], month: +m[2], day: +m[3] };
    }
    case 'datetime': {
      const m = DATETIME_RE.exec(text(o.value, at, 64));
      if (!m) throw new ProtocolError('malformed datetime', at);
      const out: PyValue = {
        kind: 'datetime',
        year: +m[1],
        month: +m[2],
        day: +m[3],
        hour: +m[4],
        minute: +m[5],
        second: +m[6],
        microsecond: m[7] ? +m[7] : 0,
      };
      if (o.utcOffsetSeconds !== undefined) {
        if (typeof o.utcOffsetSeconds !== 'number' || !Number.isSafeInteger(o.utcOffsetSeconds)) {
          throw new ProtocolError('malformed UTC offset', at);
        }
        out.utcOffsetSeconds = o.utcOffsetSeconds;
      }
      return out;
    }
    case 'opaque': {
      const opaque = { type: text(o.type, at, 1024), repr: text(o.repr, at, 4096) };
      onOpaque(opaque);
      return { kind: 'str', value: opaque.repr };
    }
    default:
      throw new ProtocolError('unknown value kind', at);
  }
}
