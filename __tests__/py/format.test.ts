/**
 * Python 3.11 `str.format(**kwargs)` with string arguments, as flytekit applies `tag_format`.
 * The expected results and exception messages were produced by CPython 3.11.7.
 */
import { PyFormatError, pyFormat } from '../../src/py/format';
import { loadYaml } from '../../src/yaml/load';
import { loadVectors } from '../support/vectors';

const KWARGS = { spec_hash: 'lxgNWDuTR6Zphmv8h_p_vw', x: 'abcdef', y: "it's \u00e9\u2028", e: '' };

function run(template: string, kwargs: Record<string, string> = KWARGS): [string, string] {
  try {
    return ['ok', pyFormat(template, kwargs)];
  } catch (e) {
    if (e instanceof PyFormatError) return [e.pyType, e.pyMessage];
    throw e;
  }
}

describe('pyFormat against CPython', () => {
  // [template, 'ok' or the exception type, result or str(exception)]
  const cases: Array<[string, string, string]> = [
    ['{spec_hash}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw'],
    ['{spec_hash}-dev', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw-dev'],
    ['v1-{spec_hash}', 'ok', 'v1-lxgNWDuTR6Zphmv8h_p_vw'],
    ['{{lit}}-{spec_hash}-{spec_hash}', 'ok', '{lit}-lxgNWDuTR6Zphmv8h_p_vw-lxgNWDuTR6Zphmv8h_p_vw'],
    ['latest', 'ok', 'latest'],
    ['', 'ok', ''],
    ['{spec_hash:.8}', 'ok', 'lxgNWDuT'],
    ['{spec_hash:.0}', 'ok', ''],
    ['{spec_hash[0]}', 'ok', 'l'],
    ['{spec_hash[21]}', 'ok', 'w'],
    ['{spec_hash:>30}', 'ok', '        lxgNWDuTR6Zphmv8h_p_vw'],
    ['{spec_hash:*^30}', 'ok', '****lxgNWDuTR6Zphmv8h_p_vw****'],
    ['{spec_hash:-<25}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw---'],
    ['{spec_hash:25}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw   '],
    ['{spec_hash:10.4}', 'ok', 'lxgN      '],
    ['{spec_hash:030}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw00000000'],
    ['{spec_hash:s}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw'],
    ['{spec_hash!s}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw'],
    ['{spec_hash!r}', 'ok', "'lxgNWDuTR6Zphmv8h_p_vw'"],
    ['{spec_hash!a}', 'ok', "'lxgNWDuTR6Zphmv8h_p_vw'"],
    ['{spec_hash!r:>30}', 'ok', "      'lxgNWDuTR6Zphmv8h_p_vw'"],
    ['{spec_hash:{e}}', 'ok', 'lxgNWDuTR6Zphmv8h_p_vw'],
    ['{spec_hash:>{x[1]}}', 'ValueError', "Unknown format code 'b' for object of type 'str'"],
    ['{x:{y}}', 'ValueError', "Invalid format specifier 'it's é\u2028' for object of type 'str'"],
    ['{{}}', 'ok', '{}'],
    ['{{', 'ok', '{'],
    ['}}', 'ok', '}'],
    ['a{{b}}c', 'ok', 'a{b}c'],
    ['{spec_hash}-{git_sha}', 'KeyError', "'git_sha'"],
    ['{git_sha}', 'KeyError', "'git_sha'"],
    ['{constructor}', 'KeyError', "'constructor'"],
    ['{__proto__}', 'KeyError', "'__proto__'"],
    ['{toString}', 'KeyError', "'toString'"],
    ['{}', 'IndexError', 'Replacement index 0 out of range for positional args tuple'],
    ['{0}', 'IndexError', 'Replacement index 0 out of range for positional args tuple'],
    ['{1}', 'IndexError', 'Replacement index 1 out of range for positional args tuple'],
    ['{١}', 'IndexError', 'Replacement index 1 out of range for positional args tuple'],
    ['{99999999999999999999}', 'ValueError', 'Too many decimal digits in format string'],
    ['{spec_hash}}', 'ValueError', "Single '}' encountered in format string"],
    ['}', 'ValueError', "Single '}' encountered in format string"],
    ['{', 'ValueError', "Single '{' encountered in format string"],
    ['a{', 'ValueError', "Single '{' encountered in format string"],
    ['{spec_hash', 'ValueError', "expected '}' before end of string"],
    ['{spec_hash!}', 'ValueError', "unmatched '{' in format spec"],
    ['{spec_hash!', 'ValueError', 'end of string while looking for conversion specifier'],
    ['{spec_hash!r', 'ValueError', "unmatched '{' in format spec"],
    ['{spec_hash!rr}', 'ValueError', "expected ':' after conversion specifier"],
    ['{spec_hash!R}', 'ValueError', 'Unknown conversion specifier R'],
    ['{spec_hash!é}', 'ValueError', 'Unknown conversion specifier \\xe9'],
    ['{spec_hash!\n}', 'ValueError', 'Unknown conversion specifier \\xa'],
    ['{spec_hash:=30}', 'ValueError', "'=' alignment not allowed in string format specifier"],
    ['{spec_hash:+}', 'ValueError', 'Sign not allowed in string format specifier'],
    ['{spec_hash: }', 'ValueError', 'Space not allowed in string format specifier'],
    ['{spec_hash:#}', 'ValueError', 'Alternate form (#) not allowed in string format specifier'],
    ['{spec_hash:z}', 'ValueError', 'Negative zero coercion (z) not allowed in string format specifier'],
    ['{spec_hash:,}', 'ValueError', "Cannot specify ',' with 's'."],
    ['{spec_hash:_}', 'ValueError', "Cannot specify '_' with 's'."],
    ['{spec_hash:_x}', 'ValueError', "Unknown format code 'x' for object of type 'str'"],
    ['{spec_hash:,_}', 'ValueError', "Cannot specify both ',' and '_'."],
    ['{spec_hash:.}', 'ValueError', 'Format specifier missing precision'],
    ['{spec_hash:ss}', 'ValueError', "Invalid format specifier 'ss' for object of type 'str'"],
    ['{spec_hash:d}', 'ValueError', "Unknown format code 'd' for object of type 'str'"],
    ['{spec_hash:é}', 'ValueError', "Unknown format code '\\xe9' for object of type 'str'"],
    ['{spec_hash:99999999999999999999}', 'ValueError', 'Too many decimal digits in format string'],
    ['{spec_hash[99]}', 'IndexError', 'string index out of range'],
    ['{spec_hash[-1]}', 'TypeError', "string indices must be integers, not 'str'"],
    ['{spec_hash[a]}', 'TypeError', "string indices must be integers, not 'str'"],
    ['{spec_hash[]}', 'ValueError', 'Empty attribute in format string'],
    ['{spec_hash[0}', 'ValueError', "expected '}' before end of string"],
    ['{spec_hash[0]a}', 'ValueError', "Only '.' or '[' may follow ']' in format field specifier"],
    ['{spec_hash.foo}', 'AttributeError', "'str' object has no attribute 'foo'"],
    ['{spec_hash.}', 'ValueError', 'Empty attribute in format string'],
    ['{spec_hash..a}', 'ValueError', 'Empty attribute in format string'],
    ['{spec_hash{x}}', 'ValueError', "unexpected '{' in field name"],
    ['{x:{y:{e}}}', 'ValueError', 'Max string recursion exceeded'],
    ['{x:{}}', 'IndexError', 'Replacement index 0 out of range for positional args tuple'],
    ['{x[:]}', 'TypeError', "string indices must be integers, not 'str'"],
    ['{spec_hash[0].a}', 'AttributeError', "'str' object has no attribute 'a'"],
  ];
  it.each(cases)('%j -> %s %j', (template, type, expected) => {
    expect(run(template)).toEqual([type, expected]);
  });
});

describe('PyFormatError', () => {
  it('reads like the Python exception', () => {
    let caught: unknown;
    try {
      pyFormat('{spec_hash}-{git_sha}', { spec_hash: 'h' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PyFormatError);
    const err = caught as PyFormatError;
    expect(err.pyType).toBe('KeyError');
    expect(err.pyMessage).toBe("'git_sha'");
    expect(err.message).toBe("KeyError: 'git_sha'");
  });

  it('refuses str attributes whose text depends on the interpreter, saying what Python would print', () => {
    expect(run('{spec_hash.upper}')).toEqual([
      'NotImplementedError',
      "str attribute 'upper' is a bound method, which Python formats with a memory address that changes from run to run ('<built-in method upper of str object at 0x…>')",
    ]);
    expect(run('{spec_hash.__len__}')[1]).toMatch(/<method-wrapper '__len__' of str object at 0x…>/);
    expect(run('{spec_hash.__doc__}')[1]).toMatch(/docstring/);
    expect(run('{spec_hash.__class__.mro}')[0]).toBe('NotImplementedError');
  });

  // Python 3.11: '{0.__class__}'.format('x') == "<class 'str'>", and so on.
  it.each([
    ['{spec_hash.__class__}', "<class 'str'>"],
    ['{spec_hash.__class__!r:>15}', "  <class 'str'>"],
    ['{spec_hash.__class__!a}', "<class 'str'>"],
    ['{spec_hash.__class__:}', "<class 'str'>"],
    ['{spec_hash.__class__.__name__}', 'str'],
    ['{spec_hash.__class__.__qualname__[2]}', 'r'],
    ['{spec_hash.__class__.__module__}', 'builtins'],
    ['{spec_hash.__class__.__class__}', "<class 'type'>"],
    ['{spec_hash.__class__.__class__.__name__!r}', "'type'"],
  ])('renders %s as Python does', (fmt, want) => {
    expect(pyFormat(fmt, { spec_hash: 'h' })).toBe(want);
  });

  it.each([
    ['{spec_hash.__class__:>20}', 'TypeError', 'unsupported format string passed to type.__format__'],
    ['{spec_hash.__class__[0]}', 'TypeError', "type 'str' is not subscriptable"],
    ['{spec_hash.__class__.nope}', 'AttributeError', "type object 'str' has no attribute 'nope'"],
    ['{spec_hash.__class__.__class__.upper}', 'AttributeError', "type object 'type' has no attribute 'upper'"],
    ['{spec_hash.__class__.__abstractmethods__}', 'AttributeError', '__abstractmethods__'],
  ])('fails on %s as Python does', (fmt, type, message) => {
    expect(run(fmt)).toEqual([type, message]);
  });

  it('refuses absurd widths instead of building huge strings', () => {
    expect(run('{spec_hash:>999999999}')[0]).toBe('NotImplementedError');
  });
});

describe('indexing counts code points, as Python does', () => {
  it.each([
    ['{s[1]}', 'b'],
    ['{s:.2}', '🚀b'],
    ['{s:_^6}', '_🚀bc__'],
  ])('%s', (template, expected) => {
    expect(pyFormat(template, { s: '🚀bc' })).toBe(expected);
  });
});

describe('tag_format in the golden vectors', () => {
  const templateOf = (yaml: string): string => {
    const doc = loadYaml(yaml);
    const entry = doc.kind === 'dict' ? doc.entries.find(([k]) => k.kind === 'str' && k.value === 'tag_format') : undefined;
    return entry && entry[1].kind === 'str' ? entry[1].value : '';
  };
  // flytekit only formats a truthy tag_format; an empty one leaves the bare hash.
  const cases = loadVectors().filter((c) => c.input === 'yaml' && templateOf(c.spec_yaml ?? '') !== '');
  it('covers the tag_format cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const template = templateOf(c.spec_yaml ?? '');
    if (c.expected_error) {
      expect(run(template, { spec_hash: c.expected_spec_hash ?? '' }).join(': ')).toBe(c.expected_error);
    } else {
      expect(pyFormat(template, { spec_hash: c.expected_spec_hash ?? '' })).toBe(c.expected_tag);
    }
  });
});
