/**
 * Differential tests of the value layer against the real Python 3.11 + PyYAML 6.0.3: repr of
 * generated strings and floats, `str.format` of generated tag_format strings, and `safe_load`
 * typing of generated YAML scalars and nested mappings. More than 10,000 generated cases a run.
 */
import fc from 'fast-check';
import { pyFormat, PyFormatError } from '../../src/py/format';
import { reprFloat, reprStr } from '../../src/py/repr';
import { doubleHex, mapValue, pyFloat, pyString, scalarDocument, specHash, tagFormat } from './arbitraries';
import { DiffStats, runDiff, Verdict } from './harness';
import { compareYaml, stricterCounts } from './yamlCompare';
import { fcSeed, Oracle, runs } from './oracle';

const SEED = fcSeed();
let oracle: Oracle;
const totals: Record<string, DiffStats> = {};

beforeAll(async () => {
  oracle = new Oracle();
  const h = await oracle.hello();
  expect(h.pyyaml).toBe('6.0.3');
  expect(h.flytekit).toBe('1.16.24');
  // The repr tables (Unicode 14) are Python 3.11's.
  expect(h.python).toMatch(/^3\.11\./);
  console.log(`differential scalars: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces), Python ${h.python}, PyYAML ${h.pyyaml}`);
}, 60_000);

afterAll(async () => {
  await oracle?.close();
  const total = Object.values(totals).reduce((a, s) => a + s.cases, 0);
  console.log(
    `differential scalars: ${total} cases\n` +
      Object.entries(totals)
        .map(
          ([k, s]) => `  ${k}: ${s.cases} cases, ${s.bothRejected} rejected by both, ${s.stricter} refused only by the action (documented)`,
        )
        .join('\n') +
      `\n  YAML refused only by the action, by reason: ${JSON.stringify(Object.fromEntries(stricterCounts))}`,
  );
});

const T = 300_000;

test(
  'repr(str) of generated strings: all of Unicode, quotes, escapes, lone surrogates',
  async () => {
    totals['repr(str)'] = await runDiff<string, { repr: string }>(oracle, {
      name: 'repr(str)',
      arb: pyString,
      numRuns: runs(4000),
      seed: SEED,
      request: (s) => ({ op: 'repr_str', s }),
      compare: (s, a): Verdict => {
        if (!a.ok) return { diff: `Python failed: ${a.type}: ${a.message}` };
        const ours = reprStr(s);
        return ours === a.repr ? undefined : { diff: `repr differs:\n  python: ${a.repr}\n  ours:   ${ours}` };
      },
    });
  },
  T,
);

test(
  'repr(float) of generated doubles',
  async () => {
    totals['repr(float)'] = await runDiff<number, { repr: string }>(oracle, {
      name: 'repr(float)',
      arb: pyFloat,
      numRuns: runs(2000),
      seed: SEED + 1,
      request: (x) => ({ op: 'repr_float', hex: doubleHex(x) }),
      compare: (x, a): Verdict => {
        if (!a.ok) return { diff: `Python failed: ${a.type}: ${a.message}` };
        const ours = reprFloat(x);
        return ours === a.repr ? undefined : { diff: `repr differs for ${doubleHex(x)}:\n  python: ${a.repr}\n  ours:   ${ours}` };
      },
    });
  },
  T,
);

test(
  'tag_format.format(spec_hash=...) of generated templates: result or the same exception',
  async () => {
    totals['str.format'] = await runDiff<[string, string], { value: string }>(oracle, {
      name: 'str.format',
      arb: fc.tuple(tagFormat, specHash),
      numRuns: runs(2000),
      seed: SEED + 2,
      request: ([fmt, h]) => ({ op: 'format', fmt, spec_hash: h }),
      compare: ([fmt, h], a): Verdict => {
        let ours: { ok: true; value: string } | { ok: false; type: string; message: string };
        try {
          ours = { ok: true, value: pyFormat(fmt, { spec_hash: h }) };
        } catch (e) {
          if (!(e instanceof PyFormatError)) return { diff: `ours threw a non-Python error: ${String(e)}` };
          ours = { ok: false, type: e.pyType, message: e.pyMessage };
        }
        // Documented: Python's answer would hold a memory address or a docstring (e.g. `{spec_hash.upper}`),
        // or be absurdly long; the action refuses such templates.
        if (!ours.ok && ours.type === 'NotImplementedError') {
          // Documented: the action refuses a template whose Python result holds an interpreter object
          // (`{spec_hash.upper}` prints a memory address) or is absurdly long. Python either formats it
          // (the action is stricter) or fails on it or on a later field (both refuse, with other words).
          return a.ok ? 'stricter' : 'both-rejected';
        }
        if (a.ok && ours.ok)
          return a.value === ours.value
            ? undefined
            : { diff: `format differs:\n  python: ${JSON.stringify(a.value)}\n  ours:   ${JSON.stringify(ours.value)}` };
        if (!a.ok && !ours.ok) {
          return a.type === ours.type && a.message === ours.message
            ? 'both-rejected'
            : { diff: `different errors:\n  python: ${a.type}: ${a.message}\n  ours:   ${ours.type}: ${ours.message}` };
        }
        return {
          diff: `python: ${a.ok ? JSON.stringify(a.value) : `${a.type}: ${a.message}`}\nours:   ${ours.ok ? JSON.stringify(ours.value) : `${ours.type}: ${ours.message}`}`,
        };
      },
    });
  },
  T,
);

test(
  'safe_load typing of generated YAML 1.1 scalars (plain, quoted, block, tagged; values and keys)',
  async () => {
    totals['yaml scalars'] = await runDiff<string, { repr: string }>(oracle, {
      name: 'yaml scalars',
      arb: scalarDocument,
      numRuns: runs(4000),
      seed: SEED + 3,
      request: (text) => ({ op: 'yaml', text }),
      compare: compareYaml,
    });
  },
  T,
);

test(
  'safe_load of generated nested env/builder_options mappings, block and flow style',
  async () => {
    totals['yaml maps'] = await runDiff<string, { repr: string }>(oracle, {
      name: 'yaml maps',
      arb: fc.tuple(fc.constantFrom('env', 'builder_options', 'builder_config'), mapValue).map(([k, v]) => `name: x\n${k}:${v}`),
      numRuns: runs(2000),
      seed: SEED + 4,
      request: (text) => ({ op: 'yaml', text }),
      compare: compareYaml,
    });
  },
  T,
);

test('the run is big enough: at least 10,000 generated scalars and strings', () => {
  const total = Object.values(totals).reduce((a, s) => a + s.cases, 0);
  if (runs(10_000) >= 10_000) expect(total).toBeGreaterThanOrEqual(10_000);
  // A generator that only produced errors would prove nothing: most YAML cases must load on both sides.
  for (const k of ['yaml scalars', 'yaml maps']) {
    const s = totals[k];
    expect(s).toBeDefined();
    expect(s.bothRejected + s.stricter).toBeLessThan(s.cases / 2);
    // The deliberate refusals stay corner cases of the generators, not the norm.
    expect(s.stricter).toBeLessThan(s.cases / 10);
  }
});
