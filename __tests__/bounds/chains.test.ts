/**
 * Issue 11, item 7: `base_image: ./next.yaml` chains are planned in time linear in the number of
 * specs. Before the fix 1,000 chained specs took 9.7 s and 331 MB and 2,000 took 117 s: the cycle
 * check walked every chain from every spec, and every tag recomputed its whole chain. Chains longer
 * than MAX_BASE_CHAIN are refused (each image's id hashes the whole chain below it), in linear time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_BASE_CHAIN, planImages, PlanResult } from '../../src/plan/plan';
import { SpecFile } from '../../src/discover/specFiles';
import { fsDigests } from '../../src/tag/fsDigests';
import { doublingRatio } from './timing';

/** `n` spec files; spec i's base is spec `baseOf(i)` (a repository spec) or a plain image when undefined. */
function workspace(n: number, baseOf: (i: number) => number | undefined): { ws: string; files: SpecFile[] } {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'chains-'));
  const files: SpecFile[] = [];
  for (let i = 0; i < n; i++) {
    const key = `s${i}`;
    const b = baseOf(i);
    const base = b === undefined ? 'python:3.11-slim' : `./s${b}.yaml`;
    fs.writeFileSync(path.join(ws, `${key}.yaml`), `name: ${key}\nregistry: ghcr.io/acme\nbase_image: ${base}\npackages: [p${i}]\n`);
    files.push({ abs: path.join(ws, `${key}.yaml`), rel: `${key}.yaml`, key, kind: 'yaml' });
  }
  return { ws, files };
}

function plan(ws: string, files: SpecFile[]): PlanResult {
  return planImages(files, { cwd: ws, hostMachine: 'x86_64', digests: fsDigests(ws, ws) });
}

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function timed(n: number, baseOf: (i: number) => number | undefined, check: (r: PlanResult) => void): () => void {
  const { ws, files } = workspace(n, baseOf);
  made.push(ws);
  return () => check(plan(ws, files));
}

test('chains as long as allowed, side by side: planned, and doubling the specs about doubles the time', () => {
  // Chains of MAX_BASE_CHAIN specs: spec i builds on i-1 except at every chain's start.
  const baseOf = (i: number) => (i % MAX_BASE_CHAIN === 0 ? undefined : i - 1);
  const r = doublingRatio(512, (n) =>
    timed(n, baseOf, (p) => {
      expect(p.errors).toEqual([]);
      expect(p.images).toHaveLength(n);
    }),
  );
  expect(r.ratio).toBeLessThan(2.6);
});

test('one chain of 1,000 and of 2,000 specs: refused as too deep, in linear time, naming a few files only', () => {
  const r = doublingRatio(1000, (n) =>
    timed(
      n,
      (i) => (i === 0 ? undefined : i - 1),
      (p) => {
        expect(p.images).toEqual([]);
        // Every spec deeper than the cap is named once.
        expect(p.errors).toHaveLength(n - MAX_BASE_CHAIN);
        expect(p.errors[0].message).toMatch(new RegExp(`specs deep .*at most ${MAX_BASE_CHAIN} are supported`));
        expect(p.errors[0].message.length).toBeLessThan(500);
      },
    ),
  );
  expect(r.ratio).toBeLessThan(2.6);
  // Generous for a loaded 2-core machine; 2,000 chained specs took 117 s before.
  expect(r.large).toBeLessThan(20_000);
});

test('a cycle through 2,000 specs: every spec in it refused, in linear time', () => {
  const r = doublingRatio(1000, (n) =>
    timed(
      n,
      (i) => (i + 1) % n,
      (p) => {
        expect(p.errors).toHaveLength(n);
        expect(p.errors[0].message).toMatch(/base_image specs form a cycle: s\d+\.yaml -> .*… \(\d+ specs\)/);
      },
    ),
  );
  expect(r.ratio).toBeLessThan(2.6);
});

test('a chain exactly MAX_BASE_CHAIN deep is planned; one more is refused', () => {
  const ok = workspace(MAX_BASE_CHAIN, (i) => (i === 0 ? undefined : i - 1));
  const deep = workspace(MAX_BASE_CHAIN + 1, (i) => (i === 0 ? undefined : i - 1));
  made.push(ok.ws, deep.ws);
  const a = plan(ok.ws, ok.files);
  expect(a.errors).toEqual([]);
  expect(a.images.find((p) => p.key === `s${MAX_BASE_CHAIN - 1}`)?.baseKey).toBe(`s${MAX_BASE_CHAIN - 2}`);
  const b = plan(deep.ws, deep.files);
  expect(b.errors.map((e) => e.file)).toEqual([`s${MAX_BASE_CHAIN}.yaml`]);
});
