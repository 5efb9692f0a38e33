/**
 * `loadYaml` must give the Python value PyYAML 6.0.3's `yaml.safe_load` gives (compared through
 * repr), or refuse the document with a YamlError. Every expected repr below was printed by
 * Python 3.11.7 with PyYAML 6.0.3; the fixture comes from scripts/gen-yaml-repr-fixture.py.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { YamlError } from '../../src/errors';
import { pyRepr } from '../../src/py/repr';
import { PyValue } from '../../src/py/value';
import { loadYaml, YAML_LIMITS } from '../../src/yaml/load';
import { loadVectors } from '../support/vectors';

const reprOf = (text: string): string => pyRepr(loadYaml(text));

function yamlError(text: string): YamlError {
  try {
    loadYaml(text, 'spec.yaml');
  } catch (e) {
    if (e instanceof YamlError) return e;
    throw e;
  }
  throw new Error(`expected a YamlError for ${JSON.stringify(text)}`);
}

function entry(doc: PyValue, key: string): PyValue {
  if (doc.kind !== 'dict') throw new Error('not a mapping');
  const found = doc.entries.find(([k]) => k.kind === 'str' && k.value === key);
  if (!found) throw new Error(`no key ${key}`);
  return found[1];
}

describe('YAML 1.1 typing of plain scalars (v: <scalar>)', () => {
  // [plain scalar, repr of the value PyYAML builds]
  const cases: Array<[string, string]> = [
    ['3.10', '3.1'],
    ['3.11', '3.11'],
    ['3.9', '3.9'],
    ['12.0', '12.0'],
    ['8', '8'],
    ['010', '8'],
    ['08', "'08'"],
    ['09', "'09'"],
    ['0x1F', '31'],
    ['0b11', '3'],
    ['1_000', '1000'],
    ['1:30', '90'],
    ['190:20:30', '685230'],
    ['-1:30', '-90'],
    ['1:30.5', '90.5'],
    ['1e3', "'1e3'"],
    ['1.5e3', "'1.5e3'"],
    ['12e+2', "'12e+2'"],
    ['1.5e+3', '1500.0'],
    ['1.0e+3', '1000.0'],
    ['1.0e+16', '1e+16'],
    ['0.00001', '1e-05'],
    ['1.e+5', '100000.0'],
    ['.5', '0.5'],
    ['-.5', "'-.5'"],
    ['+12', '12'],
    ['-0', '0'],
    ['-0.0', '-0.0'],
    ['0o17', "'0o17'"],
    ['.inf', 'inf'],
    ['-.inf', '-inf'],
    ['+.inf', 'inf'],
    ['.Inf', 'inf'],
    ['.NaN', 'nan'],
    ['NaN', "'NaN'"],
    ['inf', "'inf'"],
    ['yes', 'True'],
    ['Yes', 'True'],
    ['YES', 'True'],
    ['yEs', "'yEs'"],
    ['no', 'False'],
    ['on', 'True'],
    ['On', 'True'],
    ['OFF', 'False'],
    ['Off', 'False'],
    ['true', 'True'],
    ['True', 'True'],
    ['FALSE', 'False'],
    ['y', "'y'"],
    ['n', "'n'"],
    ['Y', "'Y'"],
    ['~', 'None'],
    ['null', 'None'],
    ['Null', 'None'],
    ['NULL', 'None'],
    ['', 'None'],
    ['12345678901234567890', '12345678901234567890'],
    ['-12345678901234567890', '-12345678901234567890'],
    ['0x7fffffffffffffffffff', '604462909807314587353087'],
    ['2024-01-31', 'datetime.date(2024, 1, 31)'],
    ['2024-1-31', "'2024-1-31'"],
    ['2024-01-31 10:20:30', 'datetime.datetime(2024, 1, 31, 10, 20, 30)'],
    ['2024-01-31T10:20:30Z', 'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone.utc)'],
    [
      '2024-01-31 10:20:30.5 +05:30',
      'datetime.datetime(2024, 1, 31, 10, 20, 30, 500000, tzinfo=datetime.timezone(datetime.timedelta(seconds=19800)))',
    ],
    [
      '2024-01-31 10:20:30 -05:00',
      'datetime.datetime(2024, 1, 31, 10, 20, 30, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=68400)))',
    ],
    ['2024-1-1 1:02:03', 'datetime.datetime(2024, 1, 1, 1, 2, 3)'],
    ['2024-01-31t10:20:30.1234567', 'datetime.datetime(2024, 1, 31, 10, 20, 30, 123456)'],
    ['<<x', "'<<x'"],
    ['http://example.com:8080/x', "'http://example.com:8080/x'"],
    ['numpy==1.26', "'numpy==1.26'"],
    ['a b  c', "'a b  c'"],
    ["it's", '"it\'s"'],
    ['café', "'café'"],
    ['日本語', "'日本語'"],
    ['1,000', "'1,000'"],
    ['0.', '0.0'],
    ['00', '0'],
    ['0_', '0'],
    ['-0_7', '-7'],
  ];
  it.each(cases)('%j -> %s', (scalar, expected) => {
    const doc = loadYaml(`v: ${scalar}`);
    expect(pyRepr(entry(doc, 'v'))).toBe(expected);
  });
});

describe('documents', () => {
  // [YAML text, repr of yaml.safe_load(text)]
  const cases: Array<[string, string]> = [
    ['a: \'3.10\'\nb: "yes"\nc: \'010\'\nd: "~"\ne: \'\'\nf: ""', "{'a': '3.10', 'b': 'yes', 'c': '010', 'd': '~', 'e': '', 'f': ''}"],
    [
      'a: !!str 3.10\nb: !!int "0x1F"\nc: !!float "1e3"\nd: !!bool "on"\ne: !!null whatever\nf: !!str\ng: !!map {x: 1}\nh: !!seq [1]\ni: !<tag:yaml.org,2002:str> 12',
      "{'a': '3.10', 'b': 31, 'c': 1000.0, 'd': True, 'e': None, 'f': '', 'g': {'x': 1}, 'h': [1], 'i': '12'}",
    ],
    ['a: ! 12\nb: ! "12"\nc: ! \'yes\'\nd: ! [1, "2"]', "{'a': 12, 'b': 12, 'c': True, 'd': [1, '2']}"],
    [
      'NBSP: "a\\u00a0b"\nLINE_SEP: "a\\u2028b"\nTAB_NL: "a\\tb\\nc"\nDEL_ESC: "a\\x7fb\\x1bc"\nSOFT_HYPHEN: "a\\u00adb"\nSINGLE: it\'s\nDOUBLE: \'say "hi"\'\nBOTH: "it\'s \\"x\\""\nBACKSLASH: \'C:\\dir\\file\'\nEMOJI: "🚀 launch"\nASTRAL: "\\U0001F680"\nNEL: "\\N"\nNBSP2: "\\_"',
      "{'NBSP': 'a\\xa0b', 'LINE_SEP': 'a\\u2028b', 'TAB_NL': 'a\\tb\\nc', 'DEL_ESC': 'a\\x7fb\\x1bc', 'SOFT_HYPHEN': 'a\\xadb', 'SINGLE': \"it's\", 'DOUBLE': 'say \"hi\"', 'BOTH': 'it\\'s \"x\"', 'BACKSLASH': 'C:\\\\dir\\\\file', 'EMOJI': '🚀 launch', 'ASTRAL': '🚀', 'NEL': '\\x85', 'NBSP2': '\\xa0'}",
    ],
    [
      'plain: this is\n  a multi-line\n\n  plain scalar\nsq: \'a\n  b\n\n  c\'\ndq: "a\\\n  b \\\n  c"\ndq2: "a\\\n  \n  b"',
      "{'plain': 'this is a multi-line\\nplain scalar', 'sq': 'a b\\nc', 'dq': 'ab c', 'dq2': 'a\\nb'}",
    ],
    [
      'lit: |\n  line 1\n    indented\n\nkeep: |+\n  text\n\nstrip: |-\n  text\nfolded: >\n  a\n  b\n\n  c\n    d\n  e\nind: |2\n    two extra\nlast: |\n  no final newline',
      "{'lit': 'line 1\\n  indented\\n', 'keep': 'text\\n\\n', 'strip': 'text', 'folded': 'a b\\nc\\n  d\\ne\\n', 'ind': '  two extra\\n', 'last': 'no final newline'}",
    ],
    [
      '10: a\n2: b\n1.5: c\ntrue: d\n~: e\n2024-01-31: f\n"1": g\nx: h',
      "{10: 'a', 2: 'b', 1.5: 'c', True: 'd', None: 'e', datetime.date(2024, 1, 31): 'f', '1': 'g', 'x': 'h'}",
    ],
    [
      'base: &base {a: 1, b: 2}\nother: &other {c: 3, a: 9}\nderived:\n  <<: *base\n  b: 20\nmulti:\n  <<: [*base, *other]\n  d: 4\ntwice:\n  <<: *base\n  <<: *other\nafter:\n  z: 0\n  <<: *base\nquoted:\n  "<<": 1',
      "{'base': {'a': 1, 'b': 2}, 'other': {'c': 3, 'a': 9}, 'derived': {'a': 1, 'b': 20}, 'multi': {'c': 3, 'a': 1, 'b': 2, 'd': 4}, 'twice': {'a': 9, 'b': 2, 'c': 3}, 'after': {'a': 1, 'b': 2, 'z': 0}, 'quoted': {'<<': 1}}",
    ],
    [
      'a: &x [1, {k: v}]\nb: *x\nc: &s str\nd: *s\n&k key: *s\ne: *k',
      "{'a': [1, {'k': 'v'}], 'b': [1, {'k': 'v'}], 'c': 'str', 'd': 'str', 'key': 'str', 'e': 'key'}",
    ],
    ['=: 1', "{'=': 1}"],
    [
      'a:\nb: ~\nc: []\nd: {}\ne: [~, \'\', ""]\n? f\ng: [a, ]\nh:\n  -\n  - x',
      "{'a': None, 'b': None, 'c': [], 'd': {}, 'e': [None, '', ''], 'f': None, 'g': ['a'], 'h': [None, 'x']}",
    ],
    ['%YAML 1.1\n--- # spec\nname: demo # trailing\n# full line\n...\n', "{'name': 'demo'}"],
    ['a: 1\r\nb: |\r\n  x\r\n  y\r\n', "{'a': 1, 'b': 'x\\ny\\n'}"],
    ['\ufeffname: demo', "{'name': 'demo'}"],
    ['- &a\n  k: v\n- *a', "[{'k': 'v'}, {'k': 'v'}]"],
    ['[a: 1, {b: 2}, c]', "[{'a': 1}, {'b': 2}, 'c']"],
    // An anchor or tag alone is an empty key (differential seed 1140764548).
    ['! : v\nx: 1\n!!str : u', "{None: 'v', 'x': 1, '': 'u'}"],
    ['- &a : w', "[{None: 'w'}]"],
  ];
  it.each(cases)('%j', (text, expected) => {
    expect(reprOf(text)).toBe(expected);
  });

  it.each(['', '# only a comment\n', '---\n', '--- # c\n...\n', '~'])('%j is None', (text) => {
    expect(loadYaml(text)).toMatchObject({ kind: 'none' });
  });

  it('keeps the vector env-yaml-scalars exactly', () => {
    const text = [
      'env:',
      '  BOOL_YES: yes',
      '  BOOL_OFF: Off',
      '  TRUE_WORD: true',
      '  Y_LETTER: y',
      '  INT: 10',
      '  OCTAL: 010',
      '  HEX: 0x1F',
      '  UNDERSCORE_INT: 1_000',
      '  FLOAT_ONE: 1.0',
      '  EXP_NO_DOT: 1e3',
      '  EXP_WITH_DOT: 1.5e+3',
      '  SMALL: 0.00001',
      '  BIGFLOAT: 1.0e+16',
      '  INF: .inf',
      '  NULL_VALUE: ~',
      '  BIGINT: 12345678901234567890',
      '  SEXAGESIMAL: 1:30',
      '  EMPTY_STR: ""',
    ].join('\n');
    expect(reprOf(text)).toBe(
      "{'env': {'BOOL_YES': True, 'BOOL_OFF': False, 'TRUE_WORD': True, 'Y_LETTER': 'y', 'INT': 10, 'OCTAL': 8, 'HEX': 31, " +
        "'UNDERSCORE_INT': 1000, 'FLOAT_ONE': 1.0, 'EXP_NO_DOT': '1e3', 'EXP_WITH_DOT': 1500.0, 'SMALL': 1e-05, 'BIGFLOAT': 1e+16, " +
        "'INF': inf, 'NULL_VALUE': None, 'BIGINT': 12345678901234567890, 'SEXAGESIMAL': 90, 'EMPTY_STR': ''}}",
    );
  });
});

describe('positions', () => {
  it('gives every value a 1-based line and column', () => {
    const doc = loadYaml('name: demo\nenv:\n  A: "x"\npackages:\n  - numpy\n  - 日本: 1\n');
    expect(doc.pos).toEqual({ line: 1, col: 1 });
    expect(entry(doc, 'name').pos).toEqual({ line: 1, col: 7 });
    const env = entry(doc, 'env');
    expect(env.pos).toEqual({ line: 3, col: 3 });
    expect(entry(env, 'A').pos).toEqual({ line: 3, col: 6 });
    const packages = entry(doc, 'packages');
    expect(packages.kind === 'list' && packages.items.map((i) => i.pos)).toEqual([
      { line: 5, col: 5 },
      { line: 6, col: 5 },
    ]);
    const keys = doc.kind === 'dict' ? doc.entries.map(([k]) => k.pos) : [];
    expect(keys).toEqual([
      { line: 1, col: 1 },
      { line: 2, col: 1 },
      { line: 4, col: 1 },
    ]);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    const doc = loadYaml('🚀: 1\n');
    expect(doc.kind === 'dict' && doc.entries[0][1].pos).toEqual({ line: 1, col: 4 });
  });

  it('places an alias at the alias, not at its anchor', () => {
    const doc = loadYaml('a: &x [1]\nb: *x\n');
    expect(entry(doc, 'b').pos).toEqual({ line: 2, col: 4 });
    expect(pyRepr(entry(doc, 'b'))).toBe('[1]');
  });
});

describe('errors', () => {
  // [YAML text, message pattern, line, column]. PyYAML rejects all of these too, except where
  // the comment says the refusal is deliberate.
  const cases: Array<[string, RegExp, number, number]> = [
    // Deliberate: PyYAML silently keeps the last value; Python equality makes 1, 1.0 and True one key.
    ['name: demo\nname: other', /duplicate key 'name' \(first defined at line 1\)/, 2, 1],
    ['1: a\n1.0: b', /duplicate key 1\.0/, 2, 1],
    ['1: a\ntrue: b', /duplicate key True/, 2, 1],
    ['env:\n  A: 1\n  "A": 2', /duplicate key 'A'/, 3, 3],
    ['2024-01-01 10:00:00+00:00: a\n2024-01-01 05:00:00-05:00: b', /duplicate key datetime/, 2, 1],
    ['a: 1\n---\nb: 2', /expected a single document in the stream/, 2, 1],
    ['--- a\n--- b', /expected a single document in the stream/, 2, 1],
    ['...\na: 1', /document end marker/, 1, 1],
    ['a: [1, 2', /flow sequence is not closed/, 1, 9],
    // Deliberate: PyYAML ignores indentation inside flow collections; the yaml package does not.
    // A document marker at column 0 ends a flow collection for PyYAML too.
    ['v: [a,\n---\n]', /flow sequence is not closed before this line/, 2, 1],
    ['a: "unterminated', /quoted string is not closed/, 1, 4],
    // The first problem in the text is reported, not the ': ' entry of the next line (differential seed 989764190).
    ['v: "a\n---\nb"', /quoted string is not closed/, 1, 4],
    ['a: b: c', /Nested mappings are not allowed/, 1, 4],
    ['a:\tb', /tab character/, 1, 3],
    ['a: 1\n\tb: 2', /tab character/, 2, 1],
    ['a: !!binary aGVsbG8=', /!!binary values are not supported/, 1, 13],
    ['a: !!set {x, y}', /!!set values are not supported/, 1, 10],
    ['a: !custom x', /could not determine a constructor for the tag '!custom'/, 1, 12],
    ['a: !!python/name:os.system', /tag 'tag:yaml.org,2002:python\/name:os.system'/, 1, 27],
    ['a: =', /tag 'tag:yaml.org,2002:value'/, 1, 4],
    ['a: <<', /tag 'tag:yaml.org,2002:merge'/, 1, 4],
    ['a: !!int abc', /invalid literal for int\(\) with base 10: 'abc'/, 1, 10],
    ['a: !!int', /string index out of range/, 1, 9],
    ['a: !!bool maybe', /KeyError: 'maybe'/, 1, 11],
    ['a: !!float x1', /could not convert string to float: 'x1'/, 1, 12],
    ['a: !!map [1]', /!!map expects a mapping node, but found a sequence/, 1, 10],
    ['a: !!str [1]', /!!str expects a scalar node, but found a sequence/, 1, 10],
    // Deliberate: PyYAML builds a self-referencing list, which repr prints as [[...]].
    ['a: &x [*x]', /refers to a collection that contains it/, 1, 8],
    ['a: *nope', /found undefined alias 'nope'/, 1, 4],
    ['a: &x 1\nb: &x 2', /found duplicate anchor 'x'/, 2, 7],
    ['a: \u001b', /unacceptable character #x001b/, 1, 4],
    ['a: x\u007fy', /unacceptable character #x007f/, 1, 5],
    ['a: x\u0085y', /line break character #x0085/, 1, 5],
    // Deliberate: PyYAML keeps two lone surrogates, a JS string would pair them into one emoji.
    ['a: "\\ud83d\\ude00"', /high surrogate escape directly followed by a low one/, 1, 4],
    ['a: "\\ud83d\\\n  \\ude00"', /high surrogate escape directly followed by a low one/, 1, 4],
    ['a: 2024-13-01', /month must be in 1\.\.12/, 1, 4],
    ['a: 2024-02-30', /day is out of range for month/, 1, 4],
    ['a: 2024-01-31 24:00:00', /hour must be in 0\.\.23/, 1, 4],
    ['a: 2024-01-31 10:00:00 +24:00', /offset must be a timedelta strictly between/, 1, 4],
    ['a: 0b_', /invalid literal for int\(\) with base 2: ''/, 1, 4],
    [`a: 0x${'f'.repeat(3600)}`, /more than 4300 digits/, 1, 4],
    [`a: ${'1'.repeat(4301)}`, /Exceeds the limit \(4300 digits\)/, 1, 4],
    ['? [a, b]\n: v', /found unhashable key/, 1, 3],
    ['a:\n  <<: 1', /expected a mapping or list of mappings for merging/, 2, 7],
    ['a:\n  <<: [{b: 1}, 2]', /expected a mapping for merging, but found scalar/, 2, 16],
    ['%YAML 2.0\n---\na: 1', /incompatible YAML document/, 1, 1],
    ['[a?b]', /mapping-key indicator/, 1, 3],
    ['a: \ufeffb', /byte order mark/, 1, 4],
    ['name: demo\npython_version\n  : "3.11"', /must be on one line/, 2, 1],
    ['x: {a\n  b: c}', /must be on one line/, 1, 5],
    ['a:\n#-\n   b\n- - c', /not indented past column 1/, 4, 1],
    ['--- |\n~ x: y', /block scalar lines are not indented/, 1, 5],
  ];
  it.each(cases)('%j', (text, message, line, col) => {
    const err = yamlError(text);
    expect(err.message).toMatch(message);
    expect([err.file, err.line, err.col]).toEqual(['spec.yaml', line, col]);
  });

  it('stops a billion-laughs document quickly', () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      text += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    }
    const started = Date.now();
    expect(yamlError(text).message).toMatch(/aliases expand this document/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops a long string repeated through aliases', () => {
    let text = `a: &a "${'x'.repeat(100_000)}"\n`;
    for (let i = 0; i < 200; i++) text += `b${i}: *a\n`;
    expect(yamlError(text).message).toMatch(/aliases expand this document/);
  });

  it('refuses deep nesting before parsing it', () => {
    const started = Date.now();
    expect(yamlError('['.repeat(500_000) + ']'.repeat(500_000)).message).toMatch(/nested more than 64 levels/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(yamlError('- '.repeat(100) + 'x').message).toMatch(/nested more than 64 levels/);
    expect(reprOf('a: ' + '['.repeat(63) + ']'.repeat(63))).toMatch(/^\{'a': \[\[/);
  });

  it('refuses huge inputs', () => {
    expect(yamlError('a: ' + 'x'.repeat(YAML_LIMITS.maxChars)).message).toMatch(/characters long/);
  });

  it('accepts large but ordinary documents', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `k${i}: [${i}, "v${i}"]`).join('\n');
    const doc = loadYaml(text);
    expect(doc.kind === 'dict' && doc.entries.length).toBe(5000);
  });
});

interface Fixture {
  case_dir: string;
  vectors: Array<{ id: string; repr?: string; error?: string }>;
  corpus: Array<{ yaml: string; repr?: string; error?: string }>;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'yaml-reprs.json'), 'utf8')) as Fixture;

describe('repr(yaml.safe_load(spec_yaml)) for every YAML vector', () => {
  const vectors = loadVectors().filter((c) => c.input === 'yaml');
  const expected = new Map(fixture.vectors.map((v) => [v.id, v]));
  it('has a fixture entry for each YAML vector', () => {
    expect(vectors.map((c) => c.id).filter((id) => !expected.has(id))).toEqual([]);
  });
  it.each(vectors.map((c) => [c.id, c.spec_yaml ?? ''] as const))('%s', (id, specYaml) => {
    const want = expected.get(id);
    const text = specYaml.split('${CASE_DIR}').join(fixture.case_dir);
    if (want?.error !== undefined) expect(() => loadYaml(text)).toThrow(YamlError);
    else expect(reprOf(text)).toBe(want?.repr);
  });
});

/**
 * Refusals where PyYAML does load the document. Each is deliberate: PyYAML's result cannot be
 * represented or is a trap, or the `yaml` package is stricter than PyYAML about layout.
 */
const DELIBERATE_REFUSALS = [
  /duplicate key/,
  /high surrogate escape directly followed by a low one/,
  /values are not supported/,
  /refers to a collection that contains it/,
  /mapping-key indicator|value indicator/,
  /quoted string is not closed/,
  /byte order mark/,
  // Layout the `yaml` package rejects although PyYAML reads it:
  /Comments must be separated from other tokens by white space/,
  /is not indented past its key/,
  /is not closed before this line, which is not indented past column/,
  /Block collections are not allowed within flow collections/,
];

describe('differential corpus against PyYAML', () => {
  // One test over all documents: a list of mismatches reads better than thousands of test names.
  it(`agrees with PyYAML on ${fixture.corpus.length} documents`, () => {
    const mismatches: Array<{ yaml: string; python: string; loader: string }> = [];
    for (const c of fixture.corpus) {
      let got: string;
      let refused: YamlError | undefined;
      try {
        got = reprOf(c.yaml);
      } catch (e) {
        if (!(e instanceof YamlError)) throw e;
        refused = e;
        got = `YamlError: ${e.message}`;
      }
      const python = c.error ?? (c.repr as string);
      const ok =
        c.error !== undefined
          ? refused !== undefined
          : refused === undefined
            ? got === c.repr
            : DELIBERATE_REFUSALS.some((re) => re.test((refused as YamlError).message));
      if (!ok) mismatches.push({ yaml: c.yaml, python, loader: got });
    }
    expect(mismatches).toEqual([]);
  });

  it('covers documents PyYAML loads and documents it rejects', () => {
    expect(fixture.corpus.filter((c) => c.repr !== undefined).length).toBeGreaterThan(2000);
    expect(fixture.corpus.filter((c) => c.error !== undefined).length).toBeGreaterThan(500);
  });
});

// Issue 11: each value as PyYAML 6.0.3 loads it (checked against PyYAML by the differential tests).
describe('issue 11 families', () => {
  it.each([
    ['env: {A: !!pairs [a: 1, a: 2, [x]: {y: 1}]}', "{'env': {'A': [('a', 1), ('a', 2), (['x'], {'y': 1})]}}"],
    ['e: !!omap\n- b: 1\n- a: ~', "{'e': [('b', 1), ('a', None)]}"],
    ['e: !!pairs []', "{'e': []}"],
    ['x: &p !!pairs [a: 1]\ny: *p', "{'x': [('a', 1)], 'y': [('a', 1)]}"],
    ['%YAML 1.2\n---\nenv: {T: !!timestamp 2024-01-31}', "{'env': {'T': datetime.date(2024, 1, 31)}}"],
    ['%YAML 1.2\n---\nT: 2024-01-31 10:00:00Z', "{'T': datetime.datetime(2024, 1, 31, 10, 0, tzinfo=datetime.timezone.utc)}"],
    ['%YAML 1.2\n---\nT: [yes, 0o17, 017]', "{'T': [True, '0o17', 15]}"],
    ['b: {a: "\\uD800"}', "{'b': {'a': '\\ud800'}}"],
    ['b: "\\udfff\\ud800x\\U0001F600"', "{'b': '\\udfff\\ud800x😀'}"],
    [`b: {${'😀'.repeat(1000)}: v}`, `{'b': {'${'😀'.repeat(1000)}': v}}`.replace(': v}', ": 'v'}")],
    [`b: {${'k'.repeat(1020)}    : v}`, `{'b': {'${'k'.repeat(1020)}': 'v'}}`],
    [`b: {? ${'k'.repeat(1100)} : v}`, `{'b': {'${'k'.repeat(1100)}': 'v'}}`],
    [`b: {&a ${'k'.repeat(1021)}: v}`, `{'b': {'${'k'.repeat(1021)}': 'v'}}`],
    // PyYAML ignores indentation inside [ ] and { }; the action indents such lines before parsing.
    ['conda_packages: ["a", b,\n"c",\nd,]', "{'conda_packages': ['a', 'b', 'c', 'd']}"],
    ['x: 1\nv: [a,\n  b,\nc]', "{'x': 1, 'v': ['a', 'b', 'c']}"],
    ['v: {a: 1,\nb: 2}', "{'v': {'a': 1, 'b': 2}}"],
    ['a:\n  b: [x,\n y,\nz]\n  c: 1', "{'a': {'b': ['x', 'y', 'z'], 'c': 1}}"],
    ['v: [a,\n b\nc, {d: [e,\nf]}]\nw: 2', "{'v': ['a', 'b c', {'d': ['e', 'f']}], 'w': 2}"],
    ['v: [a,\n"x" #c\n,z]\n', "{'v': ['a', 'x', 'z']}"],
    // ... and inside quoted scalars, whose folding drops the indentation.
    ['v: "\n: "', "{'v': ' : '}"],
    ["v: 'a\nb\n\nc'", "{'v': 'a b\\nc'}"],
    ['a:\n  v: "x\n y\nz"\n  w: 1', "{'a': {'v': 'x y z', 'w': 1}}"],
    ['- "a\nb"\n- c', "['a b', 'c']"],
  ])('%j', (text, repr) => {
    expect(reprOf(text)).toBe(repr);
  });

  it.each([
    [`b: {${'k'.repeat(1025)}: v}`, /more than 1024 characters after the key's start/, 1, 5],
    [`b: {${'k'.repeat(1021)}    : v}`, /more than 1024 characters/, 1, 5],
    [`b: {&a ${'k'.repeat(1022)}: v}`, /more than 1024 characters/, 1, 5],
    [`b: {!!str ${'k'.repeat(1019)}: v}`, /more than 1024 characters/, 1, 5],
    [`b: [${'é'.repeat(1025)}: v]`, /more than 1024 characters/, 1, 5],
    [`${'k'.repeat(1025)}: v`, /more than 1024 characters/, 1, 1],
    ['e: !!pairs {a: 1}', /!!pairs expects a sequence of one-entry mappings, but found a mapping/, 1, 12],
    ['e: !!pairs [a]', /expected a mapping of length 1, but found scalar/, 1, 13],
    ['e: !!omap [{a: 1, b: 2}]', /expected a single mapping item, but found 2 items/, 1, 12],
    ['%YAML 1.2\n%YAML 1.1\n---\na: 1', /found duplicate YAML directive/, 2, 1],
    ['%TAG !e! tag:a,2000:\n%TAG !e! tag:b,2000:\n---\na: 1', /duplicate tag handle !e!/, 2, 1],
  ])('%j is refused', (text, message, line, col) => {
    const err = yamlError(text);
    expect(err.message).toMatch(message);
    expect([err.line, err.col]).toEqual([line, col]);
  });

  it('no message shows a JavaScript Date', () => {
    expect(yamlError('%YAML 1.2\n---\na: !!timestamp 2024-02-30').message).toBe(
      "cannot construct !!timestamp from '2024-02-30': day is out of range for month",
    );
  });
});

describe('flow collections continued at column 0', () => {
  it('report positions in the file as written', () => {
    const e = yamlError('v: [a,\nb, *nope]\n');
    expect([e.message, e.line, e.col]).toEqual(["found undefined alias 'nope'", 2, 4]);
  });

  it('are re-indented a bounded number of times, then refused with the reason', () => {
    const many = 'v: [a,\n' + 'b,\n'.repeat(100) + ']\n';
    expect(yamlError(many).message).toMatch(/flow sequence is not closed before this line/);
    const few = 'v: [a,\n' + 'b,\n'.repeat(20) + ']\n';
    expect(reprOf(few)).toBe(`{'v': ['a'${", 'b'".repeat(20)}]}`);
  });
});
