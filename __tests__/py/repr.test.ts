/**
 * Python 3.11 repr()/str() of the value model. Every expected string below was printed by
 * CPython 3.11.7 (unicodedata 14.0.0) and PyYAML 6.0.3; they are golden values, not guesses.
 */
import { isPrintable } from '../../src/py/unicode';
import { pyAscii, pyRepr, pyStr, reprFloat, reprStr } from '../../src/py/repr';
import { bool, dict, float, int, list, none, PyDate, PyDateTime, PyValue, str } from '../../src/py/value';

const date = (year: number, month: number, day: number): PyDate => ({ kind: 'date', year, month, day });
const dt = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  microsecond: number,
  utcOffsetSeconds: number | undefined,
): PyDateTime => ({ kind: 'datetime', year, month, day, hour, minute, second, microsecond, utcOffsetSeconds });
const tuple = (...items: PyValue[]): PyValue => ({ kind: 'tuple', items });
const copyMode = (member: string, value: number): PyValue => ({ kind: 'enum', cls: 'CopyFileDetection', member, value });

describe('repr(str)', () => {
  // [input, repr]: quote choice, escapes, and str.isprintable() under Unicode 14.
  const cases: Array<[string, string]> = [
    ['', "''"],
    ['demo', "'demo'"],
    ["it's", '"it\'s"'],
    ['say "hi"', '\'say "hi"\''],
    ['it\'s "x"', "'it\\'s \"x\"'"],
    ['C:\\dir\\file', "'C:\\\\dir\\\\file'"],
    ['a\tb\nc\rd', "'a\\tb\\nc\\rd'"],
    ['a\u007fb\u001bc', "'a\\x7fb\\x1bc'"],
    ['a\u0000b', "'a\\x00b'"],
    ['a\u00a0b', "'a\\xa0b'"],
    ['a\u00adb', "'a\\xadb'"],
    ['a\u2028b', "'a\\u2028b'"],
    ['a\u2029b', "'a\\u2029b'"],
    ['café', "'café'"],
    ['日本語', "'日本語'"],
    ['🚀 launch', "'🚀 launch'"],
    ['é', "'é'"],
    ['\u200b', "'\\u200b'"],
    ['\ufeff', "'\\ufeff'"],
    ['\ue000', "'\\ue000'"],
    ['\u{f0000}', "'\\U000f0000'"],
    ['\u0378', "'\\u0378'"],
    ['\u1680', "'\\u1680'"],
    ['\u3000', "'\\u3000'"],
    ['\u0085', "'\\x85'"],
    ['\u009f', "'\\x9f'"],
    ['\u0080', "'\\x80'"],
    ['\u061c', "'\\u061c'"],
    ['\u{1fae8}', "'\\U0001fae8'"],
    ['🟰', "'🟰'"],
    ['࢈', "'࢈'"],
    ['\u{11f00}', "'\\U00011f00'"],
    ['🛝', "'🛝'"],
    ["'", '"\'"'],
    ['"', "'\"'"],
    ['\\', "'\\\\'"],
    ['\'"', "'\\'\"'"],
    ['i̇stanbul-äpfel', "'i̇stanbul-äpfel'"],
    ['\u{e0001}', "'\\U000e0001'"],
    ['\u{10ffff}', "'\\U0010ffff'"],
    ['𝒳', "'𝒳'"],
  ];
  it.each(cases)('repr(%j) is %s', (input, expected) => {
    expect(reprStr(input)).toBe(expected);
    expect(pyRepr(str(input))).toBe(expected);
  });

  it('escapes a lone surrogate, which is category Cs', () => {
    expect(reprStr('a\ud800b')).toBe("'a\\ud800b'");
    expect(reprStr('\udfff')).toBe("'\\udfff'");
  });

  it('follows Unicode 14, not the newer tables of the JS engine', () => {
    // U+1FAE8 (shaking face) is assigned in Unicode 15, so Python 3.11 still escapes it.
    expect(isPrintable(0x1fae8)).toBe(false);
    expect(isPrintable(0x1f7f0)).toBe(true);
    expect(isPrintable(0x20)).toBe(true);
    expect(isPrintable(0xa0)).toBe(false);
  });
});

describe('ascii()', () => {
  it.each([
    ['café\u2028🚀\u007f', "'caf\\xe9\\u2028\\U0001f680\\x7f'"],
    ["it's", '"it\'s"'],
  ])('ascii(%j) is %s', (input, expected) => {
    expect(pyAscii(str(input))).toBe(expected);
  });
});

describe('repr(float)', () => {
  // [value, repr]: shortest round-trip digits, exponent form below 1e-4 and from 1e16.
  const cases: Array<[number, string]> = [
    [0.0, '0.0'],
    [-0, '-0.0'],
    [1.0, '1.0'],
    [-1.0, '-1.0'],
    [3.1, '3.1'],
    [3.11, '3.11'],
    [12.0, '12.0'],
    [1500.0, '1500.0'],
    [0.0001, '0.0001'],
    [1e-5, '1e-05'],
    [1.234e-5, '1.234e-05'],
    [1e16, '1e+16'],
    [1000000000000000.0, '1000000000000000.0'],
    [1234567890123456.0, '1234567890123456.0'],
    [1.2345678901234568e16, '1.2345678901234568e+16'],
    [1e22, '1e+22'],
    [1.5e300, '1.5e+300'],
    [5e-324, '5e-324'],
    [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.30000000000000004, '0.30000000000000004'],
    [0.3333333333333333, '0.3333333333333333'],
    [0.6666666666666666, '0.6666666666666666'],
    [100.0, '100.0'],
    [123.456, '123.456'],
    [-0.5, '-0.5'],
    [9007199254740992.0, '9007199254740992.0'],
    [1e-7, '1e-07'],
    [0.0001, '0.0001'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [1e16, '1e+16'],
    [9999999999999998.0, '9999999999999998.0'],
    [0.000123, '0.000123'],
    [1e100, '1e+100'],
  ];
  it.each(cases)('repr(%p) is %s', (value, expected) => {
    expect(reprFloat(value)).toBe(expected);
    expect(pyRepr(float(value))).toBe(expected);
  });
});

describe('repr(int)', () => {
  it.each([
    [0n, '0'],
    [-1n, '-1'],
    [12345678901234567890n, '12345678901234567890'],
    [-12345678901234567890n, '-12345678901234567890'],
    [2n ** 100n, '1267650600228229401496703205376'],
  ])('repr(%p) is %s', (value, expected) => {
    expect(pyRepr(int(value))).toBe(expected);
  });

  it('refuses more than 4300 digits, as Python does', () => {
    expect(pyRepr(int(10n ** 4299n))).toHaveLength(4300);
    expect(() => pyRepr(int(10n ** 4300n))).toThrow(/4300 digits/);
  });
});

describe('dates and datetimes as PyYAML builds them', () => {
  // [value, repr, str]
  const cases: Array<[PyValue, string, string]> = [
    [date(2024, 1, 31), 'datetime.date(2024, 1, 31)', '2024-01-31'],
    [date(1, 1, 1), 'datetime.date(1, 1, 1)', '0001-01-01'],
    [date(9999, 12, 31), 'datetime.date(9999, 12, 31)', '9999-12-31'],
    [dt(2024, 1, 31, 10, 20, 30, 0, undefined), 'datetime.datetime(2024, 1, 31, 10, 20, 30)', '2024-01-31 10:20:30'],
    [dt(2024, 1, 31, 10, 20, 0, 0, undefined), 'datetime.datetime(2024, 1, 31, 10, 20)', '2024-01-31 10:20:00'],
    [dt(2024, 1, 31, 10, 0, 0, 0, undefined), 'datetime.datetime(2024, 1, 31, 10, 0)', '2024-01-31 10:00:00'],
    [dt(2024, 1, 31, 0, 0, 0, 0, undefined), 'datetime.datetime(2024, 1, 31, 0, 0)', '2024-01-31 00:00:00'],
    [
      dt(2024, 1, 31, 10, 20, 30, 500000, 0),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, 500000, tzinfo=datetime.timezone.utc)',
      '2024-01-31 10:20:30.500000+00:00',
    ],
    [dt(2024, 1, 31, 10, 20, 30, 1, undefined), 'datetime.datetime(2024, 1, 31, 10, 20, 30, 1)', '2024-01-31 10:20:30.000001'],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, 0),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone.utc)',
      '2024-01-31 10:20:30+00:00',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, 0),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone.utc)',
      '2024-01-31 10:20:30+00:00',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, 19800),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(seconds=19800)))',
      '2024-01-31 10:20:30+05:30',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, -18000),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))',
      '2024-01-31 10:20:30-05:00',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, -1800),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=84600)))',
      '2024-01-31 10:20:30-00:30',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, 86340),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(seconds=86340)))',
      '2024-01-31 10:20:30+23:59',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 0, -86340),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=60)))',
      '2024-01-31 10:20:30-23:59',
    ],
    [
      dt(2024, 1, 1, 1, 2, 3, 0, 18000),
      'datetime.datetime(2024, 1, 1, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(seconds=18000)))',
      '2024-01-01 01:02:03+05:00',
    ],
    [
      dt(2024, 1, 31, 10, 20, 30, 123456, -20700),
      'datetime.datetime(2024, 1, 31, 10, 20, 30, 123456, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=65700)))',
      '2024-01-31 10:20:30.123456-05:45',
    ],
  ];
  it.each(cases)('case %#', (value, expectedRepr, expectedStr) => {
    expect(pyRepr(value)).toBe(expectedRepr);
    expect(pyStr(value)).toBe(expectedStr);
  });
});

describe('containers, constants and enums', () => {
  it.each<[PyValue, string]>([
    [none(), 'None'],
    [bool(true), 'True'],
    [bool(false), 'False'],
    [list([]), '[]'],
    [dict([]), '{}'],
    [tuple(), '()'],
    [tuple(str('a')), "('a',)"],
    [tuple(str('a'), str('b')), "('a', 'b')"],
    [list([tuple(str('src'), str('dst'))]), "[('src', 'dst')]"],
    [
      dict([
        [str('a'), list([int(1), float(2), none(), bool(true)])],
        [int(1), str('x')],
        [str('e'), dict([])],
        [float(2.5), tuple()],
        [bool(false), tuple(str('a'))],
      ]),
      "{'a': [1, 2.0, None, True], 1: 'x', 'e': {}, 2.5: (), False: ('a',)}",
    ],
    // Insertion order is kept; a JS object would move '2' before '10'.
    [
      dict([
        [str('10'), str('a')],
        [str('2'), str('b')],
        [str('x'), str('c')],
      ]),
      "{'10': 'a', '2': 'b', 'x': 'c'}",
    ],
    [copyMode('ALL', 2), '<CopyFileDetection.ALL: 2>'],
    [list([copyMode('NO_COPY', 3)]), '[<CopyFileDetection.NO_COPY: 3>]'],
  ])('case %#', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

describe('str()', () => {
  it.each<[PyValue, string]>([
    [str("it's"), "it's"],
    [float(1), '1.0'],
    [int(8), '8'],
    [bool(true), 'True'],
    [none(), 'None'],
    [list([str('a'), float(1)]), "['a', 1.0]"],
    [dict([[str('k'), str('v')]]), "{'k': 'v'}"],
    [copyMode('ALL', 2), 'CopyFileDetection.ALL'],
  ])('case %#', (value, expected) => {
    expect(pyStr(value)).toBe(expected);
  });
});
