// `npm run bench`: every benchmark in turn, then one table (Markdown, for bench/README.md).
//
//   node bench/run.mjs [--tiny] [--only noop,plan,cold,python,network] [--json results.json] [--update-doc [FILE]]
//
// --update-doc replaces what stands between `<!-- bench:results -->` and `<!-- /bench:results -->` in
// FILE (by default bench/README.md, the benchmarks' report) with the machine line and the table of
// this run.
// --tiny runs each with tiny sizes (the smoke test's mode: it proves the benchmarks still work, the
// figures mean nothing). Needs the servers of `bash scripts/infra.sh start` and a current `dist/`
// (`npm run build`). Targets missed are reported, not failed: the exit status is non-zero only when
// a benchmark could not run or its output was wrong (e.g. a tag differing from flytekit's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machine, REPO_ROOT } from './lib/common.mjs';
import { renderTable } from './lib/table.mjs';

const BENCHES = {
  noop: './noop-check.mjs',
  plan: './plan-scale.mjs',
  cold: './cold-start.mjs',
  python: './python-plan.mjs',
  network: './network.mjs',
};

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
/** `--name FILE`, or `fallback` for a bare `--name`; undefined without the flag. */
const optFile = (name, fallback) => {
  if (!argv.includes(`--${name}`)) return undefined;
  const v = opt(name);
  return v === undefined || v.startsWith('--') ? fallback : v;
};
const tiny = argv.includes('--tiny');
const only = (opt('only') ?? Object.keys(BENCHES).join(',')).split(',').filter(Boolean);
for (const name of only) if (!BENCHES[name]) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);

const results = { machine: machine(), tiny, started: new Date().toISOString(), benches: {} };
const rows = [];
let broken = false;
for (const name of only) {
  const t0 = performance.now();
  process.stderr.write(`bench ${name}${tiny ? ' (tiny)' : ''} …\n`);
  try {
    const mod = await import(BENCHES[name]);
    const r = await mod.run({ tiny });
    results.benches[name] = { ok: true, rows: r, seconds: (performance.now() - t0) / 1000 };
    rows.push(...r);
  } catch (e) {
    broken = true;
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`bench ${name} failed: ${message}\n`);
    results.benches[name] = { ok: false, error: message, seconds: (performance.now() - t0) / 1000 };
    rows.push({
      bench: name,
      measure: 'FAILED',
      value: String(e instanceof Error ? e.message : e)
        .split('\n')[0]
        .slice(0, 120),
      met: false,
    });
  }
  process.stderr.write(`bench ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

const m = results.machine;
const machineLine = `${m.nproc} CPUs (${m.cpu}), ${m.memGiB} GiB RAM, Node ${m.node}, ${m.os}, ${results.started.slice(0, 10)}`;
const table = renderTable(rows);
process.stdout.write(`\n${machineLine}${tiny ? ' — tiny sizes, figures meaningless' : ''}\n\n${table}\n`);
const jsonFile = opt('json');
if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
const doc = optFile('update-doc', path.join(REPO_ROOT, 'bench', 'README.md'));
if (doc && !tiny && !broken) {
  const text = fs.readFileSync(doc, 'utf8');
  const re = /(<!-- bench:results -->\n)[\s\S]*?(<!-- \/bench:results -->)/;
  if (!re.test(text)) throw new Error(`${doc} has no <!-- bench:results --> … <!-- /bench:results --> block`);
  fs.writeFileSync(
    doc,
    text.replace(re, (_, open, close) => `${open}Measured on ${machineLine}:\n\n${table}\n${close}`),
  );
  process.stderr.write(`updated the results in ${doc}\n`);
}
process.exitCode = broken ? 1 : 0;
