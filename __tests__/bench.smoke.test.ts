/**
 * The benchmarks (bench/, `npm run bench`) with tiny sizes, so that they keep working: each must run
 * and produce sane output — every image found, tags identical to flytekit's, a cold start and a
 * bundle size, the caches benchmark's every peer and scenario. Timing targets are not asserted here; the
 * figures of a tiny run mean nothing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

interface Row {
  bench: string;
  measure: string;
  value?: string;
  met?: boolean;
  data?: Record<string, unknown>;
}
interface Results {
  tiny: boolean;
  machine: { nproc: number; node: string };
  benches: Record<string, { ok: boolean; error?: string; rows?: Row[] }>;
}

function runBench(only: string, timeoutMs = 10 * 60 * 1000): { results: Results; stdout: string; stderr: string; status: number | null } {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'results.json');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bench/run.mjs'), '--tiny', '--only', only, '--json', json], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const results = JSON.parse(fs.readFileSync(json, 'utf8')) as Results;
  fs.rmSync(path.dirname(json), { recursive: true, force: true });
  return { results, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const rowsOf = (res: Results, name: string): Row[] => {
  const b = res.benches[name];
  if (!b?.ok) throw new Error(`benchmark ${name} failed: ${b?.error}`);
  return b.rows ?? [];
};
const data = (rows: Row[], measure: RegExp): Record<string, unknown> => {
  const row = rows.find((r) => measure.test(r.measure));
  if (!row) throw new Error(`no row ${measure} in ${JSON.stringify(rows.map((r) => r.measure))}`);
  return row.data ?? {};
};

test('no-op check, plan at scale, cold start and Python specs run and report sane figures', () => {
  const { results, stdout, stderr, status } = runBench('noop,plan,cold,python');
  if (status !== 0) throw new Error(`bench exited with ${status}\n${stdout}\n${stderr}`);
  expect(results.tiny).toBe(true);
  // One table with every benchmark in it.
  expect(stdout).toMatch(/\| benchmark +\| measure/);
  for (const name of ['no-op check', 'plan (', 'cold start', 'Python specs (']) expect(stdout).toContain(name);

  const noop = rowsOf(results, 'noop');
  const found = data(noop, /images found/);
  expect(found.actionExists).toBe(found.n);
  expect(found.minExists).toBe(found.n);
  // Same round trips: one per image plus the auth challenge.
  expect(found.actionRequests).toBe(found.minRequests);
  const wall = data(noop, /wall time/);
  expect(wall.ratio).toBeGreaterThan(0);
  expect(data(noop, /peak RSS/).rssFullKb).toBeGreaterThan(0);

  const plan = rowsOf(results, 'plan');
  const tags = data(plan, /identical/);
  expect(tags.mismatches).toEqual([]);
  expect(tags.compared).toBe(tags.n);
  expect(data(plan, /wall time/).flytekitLoopMs).toBeGreaterThan(0);

  const python = rowsOf(results, 'python');
  const named = data(python, /named as flytekit/);
  expect(named.missing).toEqual([]);
  expect(named.distinct).toBeGreaterThan(0);
  expect((data(python, /wall time/).flytekitMs as number[]).every((ms) => ms > 0)).toBe(true);

  const cold = rowsOf(results, 'cold');
  expect((data(cold, /spawn to exit/).actionMs as number[]).every((ms) => ms > 0)).toBe(true);
  expect(data(cold, /bundle size/).mainBytes).toBeGreaterThan(100_000);
});

test(
  'network: every peer builds every scenario through the shaping proxies, and the caches do what they are for',
  () => {
    const { results, stdout, stderr, status } = runBench('network', 15 * 60 * 1000);
    if (status !== 0) throw new Error(`bench exited with ${status}\n${stdout}\n${stderr}`);
    const rows = rowsOf(results, 'network');
    type Traffic = { down: number; up: number; requests: number };
    type Cell = {
      scenario: string;
      peer: string;
      status: string;
      restoredMounts: boolean;
      savedMounts: boolean;
      bytes: Record<'index' | 'cache' | 'registry', Traffic>;
    };
    const cells = rows.flatMap((r) => (r.data?.cells as Cell[] | undefined) ?? []);
    const cell = (scenario: string, peer: string): Cell => {
      const c = cells.find((x) => x.scenario === scenario && x.peer === peer);
      if (!c) throw new Error(`no cell ${scenario}/${peer}`);
      return c;
    };
    expect(cells).toHaveLength(16);
    // Nothing changed: only the peer that builds on every run (docker/build-push-action's way) builds.
    expect(['none', 'layers', 'action', 'mounts'].map((p) => cell('nothing', p).status)).toEqual(['exists', 'built', 'exists', 'exists']);
    for (const scenario of ['plus1', 'copy', 'heavy']) {
      for (const peer of ['none', 'layers', 'action', 'mounts']) {
        const c = cell(scenario, peer);
        expect(c.status).toBe('built');
        // Every byte went through the proxies: the base image came from the registry or the layer cache.
        expect(c.bytes.registry.up).toBeGreaterThan(0);
        expect(c.bytes.registry.down + c.bytes.cache.down).toBeGreaterThan(0);
      }
    }
    // The action's default layer cache (cache: auto) was used: its runs talked to the cache service,
    // the no-cache peer's never did and its copy-only change installed everything again. (Whether a
    // given import hits is BuildKit's business, and a loaded machine can make it miss.)
    for (const scenario of ['plus1', 'copy', 'heavy']) {
      expect(cell(scenario, 'action').bytes.cache.down).toBeGreaterThan(0);
      expect(cell(scenario, 'action').bytes.cache.up).toBeGreaterThan(0);
      expect(cell(scenario, 'none').bytes.cache.down + cell(scenario, 'none').bytes.cache.up).toBe(0);
    }
    expect(cell('copy', 'none').bytes.index.down).toBeGreaterThan(0);
    // With cache mounts on, a requirements change restored them and the post step saved them again.
    expect(cell('plus1', 'mounts').restoredMounts).toBe(true);
    expect(cell('plus1', 'mounts').savedMounts).toBe(true);
    expect(cell('plus1', 'mounts').bytes.cache.down).toBeGreaterThan(0);
    expect(stdout).toMatch(/\| scenario \| peer \| main \+ post/);
  },
  16 * 60 * 1000,
);
