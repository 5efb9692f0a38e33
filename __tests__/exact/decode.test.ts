/** The helper's answer is untrusted: decoding accepts exactly the protocol's forms. */
import { Opaque, ProtocolError, pythonException, pyValue } from '../../src/exact/decode';
import { pyRepr } from '../../src/py/repr';

const decode = (v: unknown, opaque: Opaque[] = []): string => pyRepr(pyValue(v, 'v', (o) => opaque.push(o)));

test('every value kind, as Python would print it', () => {
  expect(decode({ kind: 'int', value: '12345678901234567890' })).toBe('12345678901234567890');
  expect(decode({ kind: 'float', value: '3.1' })).toBe('3.1');
  expect(decode({ kind: 'float', value: '1e-05' })).toBe('1e-05');
  expect(decode({ kind: 'float', value: '-inf' })).toBe('-inf');
  expect(decode({ kind: 'tuple', items: [{ kind: 'str', value: "it's" }] })).toBe('("it\'s",)');
  expect(decode({ kind: 'dict', entries: [[{ kind: 'int', value: '1' }, { kind: 'none' }]] })).toBe('{1: None}');
  expect(decode({ kind: 'enum', cls: 'CopyFileDetection', member: 'ALL', value: '2' })).toBe('<CopyFileDetection.ALL: 2>');
  expect(decode({ kind: 'date', value: '2024-01-31' })).toBe('datetime.date(2024, 1, 31)');
  const opaque: Opaque[] = [];
  expect(decode({ kind: 'opaque', type: 'PosixPath', repr: "PosixPath('src')" }, opaque)).toBe('"PosixPath(\'src\')"');
  expect(opaque).toEqual([{ type: 'PosixPath', repr: "PosixPath('src')" }]);
});

test.each([
  [{ kind: 'int', value: '1.5' }],
  [{ kind: 'int', value: 7 }],
  [{ kind: 'float', value: '0x10' }],
  [{ kind: 'bool', value: 'true' }],
  [{ kind: 'dict', entries: [[{ kind: 'none' }]] }],
  [{ kind: 'date', value: '2024-1-31' }],
  [{ kind: 'function' }],
  [null],
  [['list']],
])('refuses %j', (v) => {
  expect(() => decode(v)).toThrow(ProtocolError);
});

test('refuses values nested past the depth bound', () => {
  let v: unknown = { kind: 'none' };
  for (let i = 0; i < 100; i++) v = { kind: 'list', items: [v] };
  expect(() => decode(v)).toThrow(/nested too deep/);
});

test('exception descriptions: frames and the syntax location are checked', () => {
  const ok = { type: 'SyntaxError', message: 'invalid syntax', frames: [], syntax: { file: 'a.py', line: 1, col: 12, text: 'def f(:' } };
  expect(pythonException(ok, 'e').syntax).toEqual({ file: 'a.py', line: 1, col: 12, text: 'def f(:' });
  expect(() => pythonException({ ...ok, frames: [{ file: 'a.py', line: -1 }] }, 'e')).toThrow(ProtocolError);
  expect(() => pythonException({ ...ok, type: 5 }, 'e')).toThrow(ProtocolError);
});
