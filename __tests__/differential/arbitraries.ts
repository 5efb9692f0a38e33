/**
 * fast-check generators for the differential tests. They are built from the pieces where PyYAML's
 * YAML 1.1 typing, Python's repr and str.format have boundaries (reference §4.6, §4.7 and
 * yaml-1.1-typing.md), glued together randomly so that both sides of every boundary are hit.
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Python strings

/** Code points where repr changes behaviour: quotes, escapes, controls, non-printables, astral. */
const REPR_EDGE_CHARS: readonly string[] = [
  "'",
  '"',
  '\\',
  '\t',
  '\n',
  '\r',
  '\0',
  '\x01',
  '\x1b',
  '\x1f',
  ' ',
  '\x7f',
  '\x80',
  '\x85',
  '\x9f',
  '\xa0',
  '\xad',
  '\xff',
  '\u0100',
  '\u0378' /* unassigned */,
  '\u061c',
  '\u1680',
  '\u180e',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u2060',
  '\u3000',
  '\ud7ff',
  '\ue000' /* private use */,
  '\uf8ff',
  '\ufeff',
  '\ufffd',
  '\ufffe',
  '\uffff',
  'é',
  'ß',
  'İ',
  '日',
  '～',
  '\u{1f600}',
  '\u{1f3fb}',
  '\u{10000}',
  '\u{1d11e}',
  '\u{e0001}',
  '\u{f0000}',
  '\u{10fffd}',
  '\u{10ffff}',
  '\u{1fbf9}' /* new in 13 */,
  '\u{1faf8}' /* new in 15: unassigned for Python 3.11 */,
  '\u{2b739}' /* new in 14 */,
  '\u{31350}' /* new in 15 */,
  '{',
  '}',
  ':',
  '!',
  '.',
  '[',
  ']',
  '0',
];

/** All of Unicode (lone surrogates included: Python strings can hold them), weighted toward the edges. */
export const pyString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...REPR_EDGE_CHARS) },
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 4 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

// ---------------------------------------------------------------------------------------------
// Floats

/** Every double, with the special ones (±0, ±inf, NaN, subnormals, integers near 2^53) made likely. */
export const pyFloat: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 5e-324, 1e16, 1e15, 9007199254740992, 0.1, 1e-4, 1e-5, 1.5e300, 123456789012345680000),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000),
  fc.tuple(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: -30, max: 30 })).map(([m, e]) => Number(`${m}e${e}`)),
);

/** The 8 bytes of a double, big-endian hex: how a float travels to Python exactly (NaN and -0 included). */
export function doubleHex(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}

// ---------------------------------------------------------------------------------------------
// YAML scalars

/** Plain scalars that sit on YAML 1.1 resolver boundaries, as PyYAML types them. */
const PLAIN_EDGES: readonly string[] = [
  // bool
  'yes',
  'Yes',
  'YES',
  'yEs',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'oN',
  'off',
  'Off',
  'OFF',
  'y',
  'Y',
  'n',
  'N',
  // null
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  // int
  '0',
  '-0',
  '+0',
  '7',
  '+7',
  '-7',
  '010',
  '08',
  '09',
  '0o7',
  '0O7',
  '0x1F',
  '0X1F',
  '0x',
  '0b11',
  '0b',
  '0b2',
  '1_000',
  '_1',
  '1_',
  '0_7',
  '0x_1f',
  '0b1_0',
  '1:20',
  '-1:20',
  '1:20:30',
  '190:20:30',
  '1:60',
  '1:7',
  '1::2',
  '12345678901234567890',
  '-99999999999999999999999',
  '0x' + 'f'.repeat(30),
  // float
  '3.10',
  '3.11',
  '12.0',
  '1.',
  '.5',
  '-.5',
  '+.5',
  '1e3',
  '1.5e3',
  '12e+2',
  '1.5e+3',
  '1.0e-3',
  '1.e+3',
  '.e+3',
  '1_0.5_0',
  '190:20:30.15',
  '-1:20.5',
  '6.8523015e+5',
  '685.230_15e+03',
  '.inf',
  '.Inf',
  '.INF',
  '-.inf',
  '+.inf',
  '.iNf',
  'inf',
  '.nan',
  '.NaN',
  '.NAN',
  'NaN',
  'nan',
  '1e400',
  '1.0e+400',
  '-1.0e+400',
  '2.5e-400',
  '0.1e-07',
  '1.7976931348623157e+308',
  '4.9e-324',
  // timestamps
  '2002-12-14',
  '2024-1-31',
  '2024-01-31',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10 -5',
  '2001-12-15T02:59:43.1Z',
  '2001-12-14 21:59:43',
  '2001-12-14 1:59:43.1234567',
  '2001-12-14T21:59:43+05:30',
  '2024-02-30',
  '2001-12-14T21:59:43 Z',
  '2001-12-14T21:59:43.000001',
  '0001-01-01',
  '9999-12-31 23:59:59.999999',
  '2001-12-14 21:59:43-00:00',
  // plain strings that look like something else
  'NaN1',
  'Yes!',
  'no_',
  '=',
  '<<',
  '0.1.2',
  '1.2.3',
  '3.11.4',
  'v1',
  'numpy>=1.0',
  'ghcr.io/acme',
  'a b',
  'x:y',
  'é',
  '日本',
];

/** Characters that make or break plain-scalar typing when glued together at random. */
const PLAIN_PIECES: readonly string[] = [
  '0',
  '1',
  '7',
  '9',
  '_',
  '.',
  'e',
  'E',
  '+',
  '-',
  ':',
  'x',
  'o',
  'b',
  'a',
  'f',
  'i',
  'n',
  'N',
  'T',
  't',
  'Z',
  ' ',
  'inf',
  '.inf',
  'nan',
  'yes',
  'on',
  '2001-12-14',
  '21:59:43',
  '10',
  '~',
  '#',
  '%',
  '@',
  '`',
  '!',
  '&',
  '*',
  '?',
  '|',
  '>',
  "'",
  '"',
  ',',
  '[',
  ']',
  '{',
  '}',
  'é',
  '\u{1f600}',
];

export const plainScalar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PLAIN_EDGES) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...PLAIN_PIECES), { minLength: 1, maxLength: 6 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }).map((x) => String(x)) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => n.toString()) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.boolean())
      .map(
        ([y, m, d, pad]) => `${String(y).padStart(4, '0')}-${pad ? String(m).padStart(2, '0') : m}-${pad ? String(d).padStart(2, '0') : d}`,
      ),
  },
);

/** What PyYAML's reader accepts in a text, less what the action refuses on purpose (U+0085, U+2028, U+2029, U+FEFF). */
const READABLE = /^[\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]$/u;

/** Raw characters for quoted scalars: everything PyYAML's reader accepts plus some it refuses. */
const quotedChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'abc xyz 0189 .-_:/#{}[],&*!|>%@`'.split('')) },
  { weight: 2, arbitrary: fc.constantFrom(...REPR_EDGE_CHARS.filter((c) => !/[\ud800-\udfff]/.test(c))) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0x20, max: 0x10ffff })
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c)),
  },
);
/** Only characters both sides read, so that nested documents mostly load and their values are compared. */
const readableChar = quotedChar.filter((c) => READABLE.test(c));

/** Double-quoted escapes, PyYAML's set plus some it rejects. */
const DQ_ESCAPES: readonly string[] = [
  '\\0',
  '\\a',
  '\\b',
  '\\t',
  '\\\t',
  '\\n',
  '\\v',
  '\\f',
  '\\r',
  '\\e',
  '\\ ',
  '\\"',
  '\\/',
  '\\\\',
  '\\N',
  '\\_',
  '\\L',
  '\\P',
  '\\x41',
  '\\x7f',
  '\\xff',
  '\\xA0',
  '\\u00e9',
  '\\u2028',
  '\\uD800',
  '\\udfff',
  '\\uFFFE',
  '\\U0001F600',
  '\\U0010FFFF',
  '\\U00110000',
  '\\x4',
  '\\q',
  "\\'",
  '\\\n',
  '\\\n  ',
  "'",
  '\n',
  '\n\n',
  ' \n ',
  '  ',
];

/** Continuation lines of a multi-line quoted scalar, indented by `indent` spaces. */
const indentContinuations = (text: string, indent: number): string =>
  indent === 0 ? text : text.replace(/\r\n|\r|\n/g, (br) => br + ' '.repeat(indent));

/**
 * Double- and single-quoted scalars whose continuation lines are indented by one of `indents`.
 * Column 0 (indent 0) is accepted by PyYAML and refused by the action (documented); inside nested
 * mappings the indent must also pass the deepest key, or the yaml package reads another structure.
 */
function quoted(
  indents: readonly number[],
  char: fc.Arbitrary<string>,
  escapes: readonly string[] = DQ_ESCAPES,
): { double: fc.Arbitrary<string>; single: fc.Arbitrary<string> } {
  const double = fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 3, arbitrary: char.filter((c) => c !== '"' && c !== '\\') },
          { weight: 2, arbitrary: fc.constantFrom(...escapes) },
        ),
        {
          maxLength: 10,
        },
      ),
      fc.constantFrom(...indents),
    )
    .map(([parts, indent]) => `"${indentContinuations(parts.join(''), indent)}"`);
  const single = fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: char }, { weight: 1, arbitrary: fc.constantFrom("''", '\n', '\n\n', '  \n', '\\') }), {
        maxLength: 10,
      }),
      fc.constantFrom(...indents),
    )
    .map(([parts, indent]) => `'${indentContinuations(parts.join('').replace(/'(?!')/g, "''"), indent)}'`);
  return { double, single };
}

const topQuoted = quoted([0, 4, 4, 6], quotedChar);
export const doubleQuoted = topQuoted.double;
export const singleQuoted = topQuoted.single;
/** For values nested up to a few levels deep: continuations indented past any generated key. */
const deepQuoted = quoted(
  [16],
  readableChar,
  DQ_ESCAPES.filter((e) => !['\\x4', '\\q', "\\'", '\\U00110000'].includes(e)),
);

/** A block scalar as a mapping value: header, then lines indented under the key. */
export const blockScalar: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('|', '>', '|-', '|+', '>-', '>+', '|1', '>2', '|2-', '>-1', '|0', '| # c'),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(fc.constant(''), fc.string({ unit: quotedChar, maxLength: 6 }))), {
      minLength: 0,
      maxLength: 5,
    }),
    fc.constantFrom('', '\n', '\n\n'),
  )
  .map(
    ([header, lines, tail]) => `${header}\n${lines.map(([extra, t]) => (t === '' ? '' : '  ' + ' '.repeat(extra) + t)).join('\n')}${tail}`,
  );

/** Any scalar text usable as a mapping value on the same line as its key (block scalars excepted). */
function inlineScalarWith(q: { double: fc.Arbitrary<string>; single: fc.Arbitrary<string> }): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: plainScalar },
    { weight: 2, arbitrary: q.double },
    { weight: 1, arbitrary: q.single },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '!!str 12', '!!int "12"', '!!float 1', '!!bool yes', '!!null ""', '! 12', '!!str', '&a 1'),
    },
  );
}
export const inlineScalar = inlineScalarWith(topQuoted);
/** Scalars for nested mappings and whole spec files. */
export const nestedScalar = inlineScalarWith(deepQuoted);

/** A one-key document `v: <scalar>` (the value position) or `<scalar>: v` (the key position). */
export const scalarDocument: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: inlineScalar.map((s) => `v: ${s}\n`) },
  { weight: 1, arbitrary: blockScalar.map((s) => `v: ${s}`) },
  { weight: 1, arbitrary: fc.oneof(plainScalar, doubleQuoted, singleQuoted).map((s) => `${s}: v\n`) },
  { weight: 1, arbitrary: fc.array(inlineScalar, { maxLength: 4 }).map((xs) => `v: [${xs.join(', ')}]\n`) },
);

// ---------------------------------------------------------------------------------------------
// Nested maps (env, builder_options, builder_config)

export type Tree = { scalar: string } | { list: Tree[] } | { map: Array<[string, Tree]> };

const mapKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('A', 'B', 'PATH', 'LOG_LEVEL', 'k', 'key', 'Ключ', '日本', 'a.b', 'x-y') },
  { weight: 2, arbitrary: fc.constantFrom('1', '010', '1.0', '1.5', 'yes', 'no', '~', 'null', '2024-01-31', '0x10', '1:20', '.inf') },
  { weight: 1, arbitrary: deepQuoted.double },
  { weight: 1, arbitrary: deepQuoted.single },
);

export const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: nestedScalar.map((scalar) => ({ scalar })) },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((list) => ({ list })) },
    { weight: 1, arbitrary: fc.array(fc.tuple(mapKey, tie('node')), { maxLength: 3 }).map((map) => ({ map })) },
  ),
})).node;

/** A mapping of `tree`s rendered in block style (nested) or flow style, under `indent` spaces. */
export function renderBlock(t: Tree, indent: number): string {
  const pad = ' '.repeat(indent);
  if ('scalar' in t) return ` ${t.scalar}\n`;
  if ('list' in t) {
    if (t.list.length === 0) return ' []\n';
    return '\n' + t.list.map((x) => `${pad}-${'scalar' in x ? renderBlock(x, indent + 2) : ' ' + renderFlow(x) + '\n'}`).join('');
  }
  if (t.map.length === 0) return ' {}\n';
  return '\n' + t.map.map(([k, v]) => `${pad}${k}:${renderBlock(v, indent + 2)}`).join('');
}

export function renderFlow(t: Tree): string {
  if ('scalar' in t) return t.scalar === '' ? '""' : t.scalar;
  if ('list' in t) return `[${t.list.map(renderFlow).join(', ')}]`;
  return `{${t.map.map(([k, v]) => `${k}: ${renderFlow(v)}`).join(', ')}}`;
}

/** A mapping tree (what env/builder_options hold) in block or flow style, as the text after `field:`. */
export const mapValue: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.tuple(mapKey, tree), { maxLength: 4 }), fc.boolean())
  .map(([map, flow]) => (flow ? ` ${renderFlow({ map })}\n` : renderBlock({ map }, 2)));

// ---------------------------------------------------------------------------------------------
// tag_format

const FORMAT_PIECES: readonly string[] = [
  '{spec_hash}',
  '{spec_hash:.8}',
  '{spec_hash:.0}',
  '{spec_hash:>30}',
  '{spec_hash:*^40}',
  '{spec_hash:<}',
  '{spec_hash:=10}',
  '{spec_hash:s}',
  '{spec_hash:d}',
  '{spec_hash:,}',
  '{spec_hash:_}',
  '{spec_hash:+}',
  '{spec_hash:#}',
  '{spec_hash:010}',
  '{spec_hash:.{spec_hash}}',
  '{spec_hash:{spec_hash:.1}}',
  '{spec_hash!r}',
  '{spec_hash!s}',
  '{spec_hash!a}',
  '{spec_hash!x}',
  '{spec_hash!}',
  '{spec_hash[0]}',
  '{spec_hash[21]}',
  '{spec_hash[30]}',
  '{spec_hash[-1]}',
  '{spec_hash[x]}',
  '{spec_hash[}',
  '{spec_hash.x}',
  '{spec_hash.}',
  '{spec_hash.upper}',
  '{spec_hash:.99999999999999999999}',
  '{spec_hash:99999999999}',
  '{spec_hash:\u{1f600}^12}',
  '{spec_hash:{{}',
  '{{',
  '}}',
  '{',
  '}',
  '{}',
  '{0}',
  '{1}',
  '{x}',
  '{git_sha}',
  '{ spec_hash}',
  '{spec_hash }',
  '{Spec_hash}',
  '{spec_hash:%}',
  '{spec_hash:.3s}',
  '{spec_hash:\x00<5}',
  '{spec_hash:{0}}',
  '{spec_hash:{}}',
  '{spec_hash:{x}}',
  '{:{}}',
  '{spec_hash!r:^40}',
  '{spec_hash[0]!r}',
  '{spec_hash[0]:>3}',
  '{spec_hash.__class__}',
  // Attribute chains through the class (issue 11): name, module and class are rendered exactly.
  '{spec_hash.__class__!r}',
  '{spec_hash.__class__!a:>20}',
  '{spec_hash.__class__:>20}',
  '{spec_hash.__class__:}',
  '{spec_hash.__class__.__name__}',
  '{spec_hash.__class__.__qualname__[1]}',
  '{spec_hash.__class__.__module__:.3}',
  '{spec_hash.__class__.__class__}',
  '{spec_hash.__class__.__class__.__name__!r}',
  '{spec_hash.__class__[0]}',
  '{spec_hash.__class__.nope}',
  '{spec_hash.__class__.__class__.upper}',
  '{spec_hash.__class__.__abstractmethods__}',
  '{spec_hash.__class__.mro}',
  '{spec_hash.__doc__}',
  '{spec_hash.__len__}',
  '{spec_hash[0][0]}',
  'v1-',
  '-',
  '_',
  'latest',
  'é',
  '\u{1f600}',
  ':',
  '!',
  '[',
  ']',
  '.',
  '0',
  ' ',
  '\\',
  "'",
];

export const tagFormat: fc.Arbitrary<string> = fc.array(fc.constantFrom(...FORMAT_PIECES), { maxLength: 5 }).map((p) => p.join(''));

/** spec_hash values as flytekit makes them: 22 characters of base64url with `-` turned into `_`. */
export const specHash: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'.split('')),
  minLength: 22,
  maxLength: 22,
});
