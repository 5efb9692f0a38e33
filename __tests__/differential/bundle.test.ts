/**
 * The same comparison through the bundled action (`dist/`, run like the GitHub runner runs it):
 * generated spec files that flytekit accepts go into one workspace per batch, one `mode: plan` step
 * computes them all, and every `images` record must carry flytekit's tag and id (and image name,
 * except for `builder: noop`, whose image is its base image). This catches a bundle built from
 * other sources than the library the other differential tests check.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { imagesOf, runStep } from '../support/runner';
import { GIT_ENV } from '../support/vectors';
import { fcSeed, Oracle, runs, SpecAnswer } from './oracle';
import { genSpec, specYaml } from './specTrees';

const SEED = fcSeed();
let oracle: Oracle;
beforeAll(async () => {
  oracle = new Oracle();
  await oracle.hello();
  console.log(`differential bundle: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces)`);
}, 60_000);
afterAll(() => oracle?.close());

/** Fields that read files need a tree per spec; the file-tree cases are in specs.test.ts. */
const FILE_FIELDS = new Set(['source_root', 'copy', 'requirements', 'source_copy_mode']);

test('the bundled action computes flytekit’s tag and id for generated specs, a batch per step', async () => {
  const samples = fc.sample(genSpec, { seed: SEED + 7, numRuns: runs(600) });
  let compared = 0;
  for (let b = 0; b < samples.length; b += 200) {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-bundle-'));
    try {
      fs.mkdirSync(path.join(ws, 'specs'));
      const keys: string[] = [];
      const files = samples.slice(b, b + 200).map((g, i) => {
        const key = `s${String(b + i).padStart(4, '0')}`;
        const file = path.join(ws, 'specs', `${key}.yaml`);
        fs.writeFileSync(file, specYaml({ ...g, fields: g.fields.filter(([k]) => !FILE_FIELDS.has(k)) }, ws));
        keys.push(key);
        return file;
      });
      const answers = await oracle.askAll<SpecAnswer>(files.map((file) => ({ op: 'spec', dir: ws, file, sorted_walk: false })));
      // Only specs flytekit accepts: one refused spec fails the whole step (tested elsewhere).
      const expected = new Map<string, SpecAnswer & { yaml: string }>();
      answers.forEach((a, i) => {
        if (a.ok) expected.set(keys[i], { ...a, yaml: fs.readFileSync(files[i], 'utf8') });
        else fs.rmSync(files[i]);
      });
      let r = await runStep({ workspace: ws, with: { specs: 'specs/*.yaml', mode: 'plan' }, env: { ...GIT_ENV } });
      // Specs the action refuses on purpose (docs/fidelity.md, e.g. `builder: noop` without a string
      // base_image, which pyflyte refuses when it builds) are taken out and the step is run again on
      // the rest. The plan reports load errors before hashing errors, hence the loop.
      let refusedTotal = 0;
      for (let round = 0; r.exitCode !== 0 && round < 3; round++) {
        const refused = r.annotations.filter((a) => a.level === 'error' && a.props.file).map((a) => a.props.file);
        expect(refused.length).toBeGreaterThan(0);
        refusedTotal += refused.length;
        for (const f of refused) {
          fs.rmSync(path.join(ws, f));
          expected.delete(path.basename(f, '.yaml'));
        }
        r = await runStep({ workspace: ws, with: { specs: 'specs/*.yaml', mode: 'plan' }, env: { ...GIT_ENV } });
      }
      expect(refusedTotal).toBeLessThan(answers.length / 10);
      if (r.exitCode !== 0)
        throw new Error(
          `seed ${SEED}: the plan step failed:\n${r.stdout
            .split('\n')
            .filter((l) => !l.startsWith('::add-mask'))
            .slice(-30)
            .join('\n')}`,
        );
      const records = imagesOf(r);
      expect(records.map((x) => x.key).sort()).toEqual([...expected.keys()].sort());
      for (const rec of records) {
        const want = expected.get(rec.key)!;
        const noop = /^builder: noop$/m.test(want.yaml);
        const got = { tag: rec.tag, id: rec.id, image: noop ? want.image_name : rec.image };
        if (got.tag !== want.tag || got.id !== want.id || got.image !== want.image_name) {
          throw new Error(
            `seed ${SEED}: ${rec.key} differs\nflytekit: ${want.image_name} id ${want.id}\naction:   ${rec.image} tag ${rec.tag} id ${rec.id}\nspec:\n${want.yaml}`,
          );
        }
        compared++;
      }
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  }
  expect(compared).toBeGreaterThan(runs(600) * 0.4);
  console.log(`differential bundle: ${compared} specs computed by dist/ equal flytekit's`);
}, 600_000);
