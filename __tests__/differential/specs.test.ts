/**
 * Whole generated ImageSpec files, with the file trees their `source_root`, `copy` and
 * `requirements` read (.gitignore, .dockerignore, links, git repositories), evaluated by the
 * action's loader and tag code and by flytekit 1.16.24 itself:
 * `ImageSpec(**yaml.safe_load(f))` → `.tag`, `.image_name()`, `.id`. At least 2,000 specs a run.
 */
import * as fs from 'node:fs';
import { SpecError } from '../../src/errors';
import { loadSpecFile } from '../../src/imagespec/load';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { GIT_ENV } from '../support/vectors';
import { DiffStats, runDiff, Verdict } from './harness';
import { fcSeed, Oracle, OracleAnswer, runs, SpecAnswer } from './oracle';
import { GenSpec, genSpec, hasSiblingDirs, materialise } from './specTrees';

const SEED = fcSeed();
let oracle: Oracle;
let machine = '';
let stats: DiffStats | undefined;
const stricterBy = new Map<string, number>();
/** Why flytekit refused, for the summary: a run must not be mostly one kind of refusal. */
const refusedBy = new Map<string, number>();
let sortedWalkCases = 0;

Object.assign(process.env, GIT_ENV);

beforeAll(async () => {
  oracle = new Oracle();
  const h = await oracle.hello();
  expect(h.flytekit).toBe('1.16.24');
  machine = h.machine;
  console.log(`differential specs: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces), flytekit ${h.flytekit}, machine ${machine}`);
}, 60_000);

afterAll(async () => {
  await oracle?.close();
  if (stats) {
    console.log(
      `differential specs: ${stats.cases} specs, ${stats.cases - stats.bothRejected - stats.stricter} with equal tag/image_name/id, ` +
        `${stats.bothRejected} refused by both, ${stats.stricter} refused only by the action (${JSON.stringify(Object.fromEntries(stricterBy))}), ` +
        `${sortedWalkCases} with sibling directories (flytekit run with a sorted os.walk)\n` +
        `  refused by both, most common: ${JSON.stringify([...refusedBy].sort((x, y) => y[1] - x[1]).slice(0, 8))}`,
    );
  }
});

/**
 * What the action refuses on purpose although flytekit computes a tag (docs/fidelity.md); each has
 * its own words in the error.
 */
const STRICTER: ReadonlyArray<[string, RegExp]> = [
  ['non-string name/registry/platform/path/tag_format', /must be a (string|path string)|name must be a string|tag_format must be a string/],
  ['env/builder_config not a mapping', /must be a mapping/],
  ['copy not a list', /^copy must be a list of strings/],
  ['duplicate key', /duplicate key/i],
  ['YAML tag', /tag .*(not supported|is refused|unsupported)|not supported/i],
  [
    'unindented continuation',
    /line (inside it )?is not indented past its key|expected ':' before this value|is not closed before this line, which is not indented past column/,
  ],
  ['surrogate pair written as two escapes', /high surrogate escape directly followed by a low one/],
  ['tag_format with an interpreter object', /NotImplementedError/],
  ['U+FEFF/U+0085/U+2028/U+2029 in the text', /byte order mark|unsupported line break character/],
  ['comment without a space', /Comments must be separated from other tokens by white space/],
  [
    'flow-collection corner',
    /PyYAML reads '\?'|Block collections are not allowed within flow collections|Implicit keys of flow sequence pairs/,
  ],
  ['anchor name ended by an indicator', /PyYAML ends the (anchor|alias) name/],
];

interface Ours {
  tag: string;
  image_name: string;
  id: string;
}

function ours(specFile: string, caseDir: string): Ours | SpecError {
  try {
    const spec = loadSpecFile(specFile, 'spec.yaml', machine);
    const t = computeTag(spec, fsDigests(caseDir, caseDir));
    return { tag: t.tag, image_name: t.imageName, id: specId(spec) };
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
}

const dirs = new Map<GenSpec, { root: string; caseDir: string; specFile: string }>();

test('tag, image_name() and id of generated specs equal flytekit’s, or both refuse the spec', async () => {
  stats = await runDiff<GenSpec, SpecAnswer>(oracle, {
    name: 'ImageSpec files',
    arb: genSpec,
    numRuns: runs(2000),
    seed: SEED,
    batch: 100,
    request: (g) => {
      const m = materialise(g);
      dirs.set(g, m);
      const sorted = hasSiblingDirs(g);
      return { op: 'spec', dir: m.caseDir, file: m.specFile, sorted_walk: sorted };
    },
    compare: (g, a: OracleAnswer<SpecAnswer>): Verdict => {
      const m = dirs.get(g)!;
      if (hasSiblingDirs(g)) sortedWalkCases++;
      const o = ours(m.specFile, m.caseDir);
      const yaml = fs.readFileSync(m.specFile, 'utf8');
      if (o instanceof SpecError) {
        if (o.file !== 'spec.yaml') return { diff: `our error does not name the spec file: ${o.describe()}` };
        if (!a.ok) {
          const why = `${a.type}: ${a.message.split('\n')[0].slice(0, 60)}`;
          refusedBy.set(why, (refusedBy.get(why) ?? 0) + 1);
          return 'both-rejected';
        }
        const hit = STRICTER.find(([, re]) => re.test(o.message));
        if (hit) {
          stricterBy.set(hit[0], (stricterBy.get(hit[0]) ?? 0) + 1);
          return 'stricter';
        }
        return { diff: `flytekit: ${a.image_name} (id ${a.id})\nours refuses: ${o.describe()}\nspec:\n${yaml}` };
      }
      if (!a.ok) return { diff: `flytekit refuses: ${a.type}: ${a.message}\nours: ${o.image_name} (id ${o.id})\nspec:\n${yaml}` };
      if (a.tag !== o.tag || a.image_name !== o.image_name || a.id !== o.id) {
        return {
          diff: `flytekit: ${a.image_name} tag ${a.tag} id ${a.id}\nours:     ${o.image_name} tag ${o.tag} id ${o.id}\nspec:\n${yaml}\nfiles: ${JSON.stringify(g.files)} links: ${JSON.stringify(g.links)} git: ${g.gitInit}`,
        };
      }
      return undefined;
    },
    cleanup: (g) => {
      const m = dirs.get(g);
      if (m) fs.rmSync(m.root, { recursive: true, force: true });
      dirs.delete(g);
    },
  });
  // A run that mostly refuses proves little: most specs must produce a tag on both sides.
  expect(stats.cases).toBe(runs(2000));
  // (YAML syntax, flytekit's own list checks and missing files account for most refusals.)
  expect(stats.cases - stats.bothRejected - stats.stricter).toBeGreaterThanOrEqual(stats.cases * 0.4);
  expect(stats.stricter).toBeLessThan(stats.cases / 10);
}, 900_000);
