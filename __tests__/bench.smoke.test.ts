/**
 * The benchmarks (bench/, `npm run bench`) with tiny sizes, so that they keep working: each must run
 * and produce sane output — every image found, tags identical to flytekit's, a cold start and a
 * bundle size, a rebuild that restored its caches. Timing targets are not asserted here; the
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

function runBench(only: string): { results: Results; stdout: string; stderr: string; status: number | null } {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'results.json');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bench/run.mjs'), '--tiny', '--only', only, '--json', json], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
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

test('rebuild builds twice on an emptied builder and the second run restores the caches', () => {
  const { results, stdout, stderr, status } = runBench('rebuild');
  if (status !== 0) throw new Error(`bench exited with ${status}\n${stdout}\n${stderr}`);
  const rows = rowsOf(results, 'rebuild');
  type Run = { prepared: number; indexBytes: number; mountBytes: number; restoredMounts: boolean };
  const d = data(rows, /wall time/) as { cold: Run; warm: Run };
  // The second run restored the cache mounts from the cache service and downloaded only the added
  // package from the index; the first downloaded everything.
  expect(d.warm.restoredMounts).toBe(true);
  expect(d.warm.mountBytes).toBeGreaterThan(0);
  expect(d.warm.prepared).toBe(1);
  expect(d.cold.prepared).toBeGreaterThan(1);
  expect(d.warm.indexBytes).toBeLessThan(d.cold.indexBytes);
});
