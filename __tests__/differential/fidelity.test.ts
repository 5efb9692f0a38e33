/**
 * Differential tests of the families of issue 11 against Python 3.11, PyYAML 6.0.3 and flytekit
 * 1.16.24: `str.lower()` with Python's Unicode 14 case tables (final sigma included) and the image
 * names it makes, implicit keys around PyYAML's 1,024-character limit in every kind of collection,
 * `!!pairs`/`!!omap`, `%YAML` directives, surrogate escapes, and file names that are not UTF-8 under
 * a `source_root` whose ignore rules skip them (or not).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { SpecError, YamlError } from '../../src/errors';
import { loadYaml } from '../../src/yaml/load';
import { pyLower } from '../../src/py/case';
import { loadSpecFile } from '../../src/imagespec/load';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { imagesOf, runStep } from '../support/runner';
import { GIT_ENV } from '../support/vectors';
import { dq } from './specTrees';
import { DiffStats, runDiff, Verdict } from './harness';
import { fcSeed, Oracle, OracleAnswer, runs, SpecAnswer } from './oracle';
import { compareYaml } from './yamlCompare';

const SEED = fcSeed();
let oracle: Oracle;
let machine = '';
const totals: Record<string, DiffStats> = {};
const T = 300_000;

Object.assign(process.env, GIT_ENV);

beforeAll(async () => {
  oracle = new Oracle();
  const h = await oracle.hello();
  expect(h.python).toMatch(/^3\.11\./);
  expect(h.flytekit).toBe('1.16.24');
  machine = h.machine;
  console.log(`differential fidelity: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces), Python ${h.python}, PyYAML ${h.pyyaml}`);
}, 60_000);

afterAll(async () => {
  await oracle?.close();
  console.log(
    'differential fidelity:\n' +
      Object.entries(totals)
        .map(
          ([k, s]) => `  ${k}: ${s.cases} cases, ${s.bothRejected} refused by both, ${s.stricter} refused only by the action (documented)`,
        )
        .join('\n'),
  );
});

// --- case mapping ---------------------------------------------------------------------------

/**
 * Characters whose case differs between Unicode 14 and later versions, the context-dependent sigma
 * and its neighbours (cased, case-ignorable, neither), İ's two-character lower case, the Kelvin sign.
 */
const CASE_CHARS = [
  '\u03a3',
  '\u03c3',
  '\u03c2',
  'A',
  'a',
  'z',
  '1',
  ' ',
  '-',
  '.',
  ':',
  "'",
  '\u2019',
  '\u00ad',
  '\u0301',
  '\u0345',
  '\u02b0',
  '\u00aa',
  '\u2160',
  '\u0130',
  '\u212a',
  '\u1e9e',
  '\u00df',
  '\u01c5',
  '\u1f88',
  '\u2c2f',
  '\u2c5f',
  '\ua7c0',
  '\ua7cb',
  '\ua7cc',
  '\ua7d0',
  '\ua7da',
  '\ua7dc',
  '\u1c89',
  '\u1c8a',
  '\u{10d50}',
  '\u{10d65}',
  '\u{10d70}',
  '\u{1e900}',
  '\u{16e40}',
  '\u{10400}',
  '\u{1f600}',
  '\u200d',
  '\u0345',
  '\u3000',
  '\ufeff',
];

const caseString = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...CASE_CHARS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 1 }) },
    ),
    {
      maxLength: 8,
    },
  )
  .map((xs) => xs.join(''));

test(
  "str.lower() of generated strings: Python 3.11's case tables and final sigma",
  async () => {
    totals['str.lower()'] = await runDiff<string, { value: string }>(oracle, {
      name: 'str.lower()',
      arb: caseString,
      numRuns: runs(3000),
      seed: SEED,
      request: (s) => ({ op: 'lower', s }),
      compare: (s, a): Verdict => {
        if (!a.ok) return { diff: `Python failed: ${a.type}: ${a.message}` };
        const ours = pyLower(s);
        return ours === a.value
          ? undefined
          : { diff: `lower differs:\n  python: ${JSON.stringify(a.value)}\n  ours:   ${JSON.stringify(ours)}` };
      },
    });
  },
  T,
);

test(
  'lower() agrees with Python on every code point, alone and before a capital sigma',
  async () => {
    // One request per 4,096 code points keeps the pipe busy but short.
    const reqs: string[] = [];
    for (let start = 0; start < 0x110000; start += 0x1000) {
      let s = '';
      for (let cp = start; cp < start + 0x1000; cp++) s += String.fromCodePoint(cp) + '\u03a3 ';
      reqs.push(s);
    }
    const answers = await oracle.askAll<{ value: string }>(reqs.map((s) => ({ op: 'lower', s })));
    const wrong = reqs.filter((s, i) => {
      const a = answers[i];
      return !a.ok || a.value !== pyLower(s);
    });
    expect(wrong.length).toBe(0);
  },
  T,
);

// --- YAML families ----------------------------------------------------------------------------

const keyChar = fc.constantFrom('k', 'é', '\u{1f600}', ' ', '日');

/** A key of about 1,024 characters, counted in code points as PyYAML counts them. */
const longKey = fc
  .tuple(
    fc.integer({ min: 1000, max: 1030 }),
    keyChar,
    fc.constantFrom('', '&a ', '!!str ', '&a !!str '),
    fc.constantFrom('', ' ', '   '),
    fc.boolean(),
  )
  .map(([n, ch, prefix, before, quoted]) => {
    const body = 'k' + ch.repeat(n - 2) + 'k';
    return `${prefix}${quoted ? dq(body) : body}${before}`;
  });

const longKeyDocument = fc.tuple(longKey, fc.constantFrom('flow-map', 'flow-seq', 'block-map', 'nested-flow-map')).map(([key, where]) => {
  switch (where) {
    case 'flow-map':
      return `builder_config: {${key}: v, b: 1}\n`;
    case 'flow-seq':
      return `packages: [a, ${key}: v]\n`;
    case 'block-map':
      return `env:\n  ${key}: v\n`;
    default:
      return `env:\n  A: {x: {${key}: 1}}\n`;
  }
});

const scalar = fc.constantFrom('1', 'a', '"q"', '~', '2024-01-31', '[x]', '{y: 1}', '*x', 'yes', '1.5', "'s'");
const pairEntry = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(scalar, scalar).map(([k, v]) => `${k === '*x' ? '*x ' : k}: ${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('a', '{}', '{a: 1, b: 2}', '[a]', '<<: {a: 1}', '=: 1', '? [k]\n  : v', '&p {a: 1}', '*x') },
);
const pairsDocument = fc
  .tuple(
    fc.constantFrom('!!pairs', '!!omap', '!!pairs', '!!omap', '!!set', '!!seq'),
    fc.array(pairEntry, { maxLength: 4 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([tag, entries, flow, onMap]) => {
    const head = 'x: &x k\n';
    if (onMap) return `${head}env: {A: ${tag} {a: 1}}\n`;
    const body = flow
      ? ` [${entries.map((e) => (e.includes('\n') ? `{${e.replace(/\n\s*/g, ' ')}}` : e)).join(', ')}]`
      : entries.length === 0
        ? ' []'
        : '\n' + entries.map((e) => `    - ${e.replace(/\n/g, '\n      ')}`).join('\n');
    return `${head}env:\n  A: ${tag}${body}\n`;
  });

const directiveDocument = fc
  .tuple(
    fc.constantFrom(
      '%YAML 1.2',
      '%YAML 1.1',
      '%YAML 1.0',
      '%YAML 1.3',
      '%YAML 2.0',
      '%YAML 1.2 # c',
      '%TAG !e! tag:example.com,2000:',
      '%FOO bar',
    ),
    fc.boolean(),
    fc.constantFrom(
      '!!timestamp 2024-01-31',
      '!!timestamp 2024-01-31T10:00:00Z',
      '!!timestamp 2024-1-3 1:02:03.5 +05:30',
      '2024-01-31',
      '!!timestamp x',
      '!!binary aGVsbG8=',
      '!!pairs [a: 1]',
      '!!int "0x1f"',
      '!!float 1e3',
      'yes',
      '0o17',
      '1_000',
      '!!str 2024-01-31',
    ),
  )
  .map(([directive, secondDirective, value]) => `${directive}\n${secondDirective ? '%YAML 1.1\n' : ''}---\nenv: {T: ${value}}\n`);

const surrogatePiece = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => `\\u${cp.toString(16).padStart(4, '0')}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`) },
  { weight: 1, arbitrary: fc.constantFrom('\\U0001F600', '\u{1f600}', 'a', ' ', '\\\\', '\\\n  ', '\n  ', 'é', '\\x41') },
);
const surrogateDocument = fc
  .tuple(fc.array(surrogatePiece, { minLength: 1, maxLength: 5 }), fc.constantFrom('builder_options: {a: %}', 'env:\n  %: v', 'name: %'))
  .map(([pieces, layout]) => layout.replace('%', `"${pieces.join('')}"`) + '\n');

/**
 * Quoted strings inside `[ ]` and `{ }` continued on lines at column 0 (or shallower than their
 * key), where the continuation line starts with a flow indicator (`]`, `}`, `,`) or anything else:
 * PyYAML reads on (seed 1581152496 found `v: ['⏎}']`).
 */
const quotedInFlowDocument = fc
  .tuple(
    fc.constantFrom("'", '"'),
    fc.array(fc.constantFrom(']', '}', ',', ']}', 'x', ' ', '[', '{', ':', '#', '-', 'a b', '}]x'), { minLength: 1, maxLength: 4 }),
    fc.array(fc.constantFrom('', ' ', '  '), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('[%]', '{a: %}', '[b, %, c]', '{a: [%]}', '[{k: %}]'),
    fc.constantFrom('v: ', 'env:\n  V: ', 'list:\n  - '),
  )
  .map(([q, pieces, indents, shape, head]) => {
    const body = pieces.map((p, i) => (i === 0 ? p : `\n${indents[i % indents.length]}${p}`)).join('');
    const quoted = `${q}${q === "'" ? body.replace(/'/g, "''") : body.replace(/["\\]/g, '\\$&')}\n${indents[0]}${q}`;
    return `${head}${shape.replace('%', quoted)}\n`;
  });

const yamlFamilies: Array<[string, fc.Arbitrary<string>, number]> = [
  ['quoted strings in flow collections continued at column 0', quotedInFlowDocument, 600],
  ['implicit keys near 1,024 characters', longKeyDocument, 600],
  ['!!pairs and !!omap', pairsDocument, 1000],
  ['%YAML and %TAG directives', directiveDocument, 600],
  ['surrogate escapes', surrogateDocument, 1000],
];

for (const [name, arb, n] of yamlFamilies) {
  test(
    `safe_load: ${name}`,
    async () => {
      totals[name] = await runDiff<string, { repr: string }>(oracle, {
        name,
        arb,
        numRuns: runs(n),
        seed: SEED + name.length,
        request: (text) => ({ op: 'yaml', text }),
        compare: compareYaml,
      });
      // Most cases must load on both sides, or the family was not really exercised.
      const s = totals[name];
      expect(s.cases - s.bothRejected - s.stricter).toBeGreaterThan(s.cases / 5);
    },
    T,
  );
}

test('no error message of a directive document shows a JavaScript Date', () => {
  for (const text of fc.sample(directiveDocument, { seed: SEED, numRuns: runs(300) })) {
    try {
      loadYaml(text, 'spec.yaml');
    } catch (e) {
      if (!(e instanceof YamlError)) throw e;
      expect(e.message).not.toMatch(/GMT|Coordinated Universal Time|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d/);
    }
  }
});

// --- whole specs: names, registries, non-UTF-8 file names ---------------------------------------

interface Case {
  yaml: string;
  /** Relative path (as bytes, so that it may be invalid UTF-8) → content. */
  files: Array<[Buffer, string]>;
}

/** Bytes that are not UTF-8 on their own: a lone continuation byte, a truncated lead, an encoded surrogate. */
const badBytes = fc.constantFrom(
  Buffer.of(0xe9),
  Buffer.of(0x80),
  Buffer.of(0xc3),
  Buffer.of(0xed, 0xa0, 0x80),
  Buffer.of(0xff, 0xfe),
  Buffer.of(0xf4, 0x90, 0x80, 0x80),
);

/** Where the badly named file or directory goes, and whether flytekit's ignore rules skip it. */
const badPlace = fc.constantFrom(
  (b: Buffer) => Buffer.concat([Buffer.from('src/__pycache__/'), b, Buffer.from('.pyc')]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/'), b, Buffer.from('.pyc')]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/'), b, Buffer.from('/__pycache__/x.pyc')]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/'), b, Buffer.from('.log')]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/logs/'), b]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/'), b, Buffer.from('.py')]),
  (b: Buffer) => Buffer.concat([Buffer.from('src/'), b, Buffer.from('/m.py')]),
);

const ignoreCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.array(fc.tuple(badPlace, badBytes), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('', '*.log\n', 'src/*.log\nsrc/logs\n', '**/*.log\n'),
    fc.boolean(),
  )
  .map(([bad, dockerignore, absolute]) => {
    const files: Array<[Buffer, string]> = [[Buffer.from('src/app.py'), 'print(1)\n']];
    if (dockerignore) files.push([Buffer.from('src/.dockerignore'), dockerignore]);
    for (const [place, bytes] of bad) files.push([place(bytes), 'x\n']);
    return { yaml: `name: app\nsource_root: ${absolute ? '@ABS@/src' : 'src'}\nsource_copy_mode: all\n`, files };
  });

/**
 * A double-quoted YAML scalar holding `s`: characters PyYAML refuses raw (or reads as line breaks), and
 * those the action deliberately refuses raw (U+FEFF), are written as escapes; the rest raw.
 */
function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const escape =
      ch === '"' ||
      ch === '\\' ||
      cp < 0x20 ||
      (cp >= 0x7f && cp < 0xa0) ||
      [0xfeff, 0x2028, 0x2029, 0xfffe, 0xffff].includes(cp) ||
      (cp >= 0xd800 && cp <= 0xdfff);
    out += escape ? `\\U${cp.toString(16).padStart(8, '0')}` : ch;
  }
  return out + '"';
}

const nameCase: fc.Arbitrary<Case> = fc
  .tuple(caseString, fc.constantFrom('', 'ghcr.io/Org', 'localhost:5000/\u212aelvin', 'ghcr.io/\u0130x', 'ghcr.io/ácme', 'localhost:٥٠٠٠'))
  .map(([name, registry]) => ({ yaml: `name: ${quoted(name || 'x')}\n${registry ? `registry: ${quoted(registry)}\n` : ''}`, files: [] }));

function writeCase(c: Case): { root: string; caseDir: string; specFile: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-fid-'));
  const caseDir = path.join(root, 'case');
  fs.mkdirSync(caseDir);
  for (const [rel, text] of c.files) {
    const p = Buffer.concat([Buffer.from(caseDir + '/'), rel]);
    const slash = p.lastIndexOf(0x2f);
    fs.mkdirSync(p.subarray(0, slash), { recursive: true });
    fs.writeFileSync(p, text);
  }
  const specFile = path.join(root, 'spec.yaml');
  fs.writeFileSync(specFile, c.yaml.replace('@ABS@', caseDir));
  return { root, caseDir, specFile };
}

function ours(specFile: string, caseDir: string): SpecAnswer | SpecError {
  try {
    const spec = loadSpecFile(specFile, 'spec.yaml', machine);
    const t = computeTag(spec, fsDigests(caseDir, caseDir));
    return { tag: t.tag, image_name: t.imageName, id: specId(spec) };
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
}

/** Registries with non-ASCII letters or digits: flytekit's `\w`/`\d` accept them, the action refuses (documented). */
const STRICTER_SPEC = /Invalid container registry name/;

function specCheck(name: string, arb: fc.Arbitrary<Case>, n: number, seedOffset: number) {
  const dirs = new Map<Case, { root: string; caseDir: string; specFile: string }>();
  return async () => {
    totals[name] = await runDiff<Case, SpecAnswer>(oracle, {
      name,
      arb,
      numRuns: runs(n),
      seed: SEED + seedOffset,
      batch: 100,
      request: (c) => {
        const m = writeCase(c);
        dirs.set(c, m);
        return { op: 'spec', dir: m.caseDir, file: m.specFile, sorted_walk: true };
      },
      compare: (c, a: OracleAnswer<SpecAnswer>): Verdict => {
        const m = dirs.get(c)!;
        const o = ours(m.specFile, m.caseDir);
        if (o instanceof SpecError) {
          if (!a.ok) return 'both-rejected';
          if (STRICTER_SPEC.test(o.message) && /[^\x20-\x7e]/.test(c.yaml)) return 'stricter';
          return { diff: `flytekit: ${a.image_name}\nours refuses: ${o.describe()}\nspec:\n${c.yaml}` };
        }
        if (!a.ok) return { diff: `flytekit refuses: ${a.type}: ${a.message}\nours: ${o.image_name}\nspec:\n${c.yaml}` };
        return a.tag === o.tag && a.image_name === o.image_name && a.id === o.id
          ? undefined
          : { diff: `flytekit: ${a.image_name} ${a.id}\nours:     ${o.image_name} ${o.id}\nspec:\n${c.yaml}` };
      },
      cleanup: (c) => {
        const m = dirs.get(c);
        if (m) fs.rmSync(m.root, { recursive: true, force: true });
        dirs.delete(c);
      },
    });
  };
}

test('image names from generated names and registries: lower-cased as flytekit does', specCheck('name and registry', nameCase, 400, 11), T);

test(
  'file names that are not UTF-8: ignored ones do not matter, others refused by both',
  specCheck('non-UTF-8 file names', ignoreCase, 300, 12),
  T,
);

/** docker-py lower-cases names and patterns with Python's str.lower(): file names and patterns from the case characters. */
const dockerCaseCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.array(
      caseString.filter((x) => x.length > 0 && x.isWellFormed() && !/[/\p{Cc}]|^\.+$/u.test(x)),
      { minLength: 1, maxLength: 3 },
    ),
    fc.nat(),
  )
  .map(([names, pick]) => {
    const files: Array<[Buffer, string]> = names.map((n) => [Buffer.from(`src/${n}.txt`), 'x\n']);
    const chosen = names[pick % names.length];
    // The pattern is one of the names as Node would lower-case it, upper-case it, or leave it.
    const variants = [chosen.toLowerCase(), chosen.toUpperCase(), chosen];
    files.push([Buffer.from('src/.dockerignore'), `src/${variants[pick % 3]}.txt\n`]);
    return { yaml: 'name: app\nsource_root: src\nsource_copy_mode: all\n', files };
  });

test(
  '.dockerignore matching lower-cases as docker-py does (Python str.lower())',
  specCheck('dockerignore case', dockerCaseCase, 300, 14),
  T,
);

test('the non-UTF-8 runs saw both outcomes: a tag despite a bad name, and a refusal', () => {
  const s = totals['non-UTF-8 file names'];
  expect(s).toBeDefined();
  expect(s.cases - s.bothRejected).toBeGreaterThan(s.cases / 10);
  expect(s.bothRejected).toBeGreaterThan(s.cases / 10);
});

// --- the same families through the bundled action -----------------------------------------------

/** Whole spec files of the families above that flytekit accepts (mostly), for one `mode: plan` step. */
const bundleSpec: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(fc.constantFrom('!!pairs', '!!omap'), fc.array(fc.tuple(scalar, scalar), { maxLength: 3 })).map(([tag, kv]) => ({
    yaml: `name: app\nenv: {A: ${tag} [${kv.map(([k, v]) => `${k === '*x' ? 'x' : k}: ${v === '*x' ? 'y' : v}`).join(', ')}]}\n`,
    files: [],
  })),
  fc
    .tuple(
      fc.constantFrom('%YAML 1.2', '%YAML 1.1', '%YAML 1.0'),
      fc.constantFrom('!!timestamp 2024-01-31', '!!timestamp 2024-01-31 10:00:00 -02:00', '2024-01-31', '!!int "017"'),
    )
    .map(([d, v]) => ({ yaml: `${d}\n---\nname: app\nenv: {T: ${v}}\n`, files: [] })),
  fc
    .array(fc.integer({ min: 0xd800, max: 0xdfff }), { minLength: 1, maxLength: 3 })
    .map((cps) => ({ yaml: `name: app\nbuilder_options: {a: "${cps.map((c) => `\\u${c.toString(16)}`).join('x')}"}\n`, files: [] })),
  fc.constantFrom('[]', "''", '0', 'false', '{}', '~', '0.0').map((v) => ({ yaml: `name: app\nenv: ${v}\n`, files: [] })),
  fc
    .tuple(fc.integer({ min: 1000, max: 1024 }), keyChar)
    .map(([n, ch]) => ({ yaml: `name: app\nbuilder_config: {${'k' + ch.repeat(n - 2) + 'k'}: v}\n`, files: [] })),
  fc.constantFrom('App', 'MY-\u212aIT', 'ABC_1', 'X.Y').map((name) => ({ yaml: `name: ${quoted(name)}\n`, files: [] })),
  ignoreCase.map((c) => ({ ...c, yaml: c.yaml.replace('@ABS@/', '') })),
);

test(
  'the bundled action plans the same tags and ids as flytekit for these families',
  async () => {
    const samples = fc.sample(bundleSpec, { seed: SEED + 13, numRuns: runs(120) });
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-fid-bundle-'));
    try {
      const answers: Array<OracleAnswer<SpecAnswer>> = [];
      const keys: string[] = [];
      // Each case in its own directory, so that its files are all its source_root sees.
      for (const [i, c] of samples.entries()) {
        const key = `c${String(i).padStart(3, '0')}`;
        const dir = path.join(ws, key);
        fs.mkdirSync(dir);
        for (const [rel, text] of c.files) {
          const p = Buffer.concat([Buffer.from(dir + '/'), rel]);
          fs.mkdirSync(p.subarray(0, p.lastIndexOf(0x2f)), { recursive: true });
          fs.writeFileSync(p, text);
        }
        const yaml = c.yaml.replace('source_root: src', `source_root: ${key}/src`);
        fs.writeFileSync(path.join(ws, `${key}.yaml`), yaml);
        keys.push(key);
        answers.push(await oracle.ask<SpecAnswer>({ op: 'spec', dir: ws, file: path.join(ws, `${key}.yaml`), sorted_walk: true }));
      }
      const expected = new Map<string, SpecAnswer>();
      answers.forEach((a, i) => {
        if (a.ok) expected.set(keys[i], a);
        else fs.rmSync(path.join(ws, `${keys[i]}.yaml`));
      });
      const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'plan' }, env: { ...GIT_ENV } });
      if (r.exitCode !== 0) throw new Error(`seed ${SEED}: the plan step failed:\n${r.stdout.split('\n').slice(-30).join('\n')}`);
      const records = imagesOf(r);
      expect(records.map((x) => x.key).sort()).toEqual([...expected.keys()].sort());
      for (const rec of records) {
        const want = expected.get(rec.key)!;
        expect({ key: rec.key, tag: rec.tag, id: rec.id, image: rec.image }).toEqual({
          key: rec.key,
          tag: want.tag,
          id: want.id,
          image: want.image_name,
        });
      }
      expect(records.length).toBeGreaterThan(samples.length / 2);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  },
  T,
);
