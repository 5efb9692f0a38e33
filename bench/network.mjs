// Benchmark 6, caches on a modeled network: three ways of building the same spec after the same
// change, each on a builder that starts empty (a new GitHub-hosted runner), with every byte between
// the builder or the action and the package index, the GitHub cache service and the registry going
// through a shaping proxy (bench/lib/shaper.mjs) with a fixed latency per request and a fixed
// bandwidth: the network model of bench/README.md, the same for every side.
//
// Peers, all run as the bundled action so that they share the Dockerfile, context and names:
//   none    no cache: what `pyflyte` does on a fresh runner (check the registry, build what is missing)
//   layers  layer cache only: `--cache-to type=gha,mode=max` and a build on every run, which is what
//           docker/build-push-action gives a user with flytekit's Dockerfile (`force: true`)
//   action  the action's default settings
// Scenarios, each from a state its own earlier run left (image pushed, caches saved by the post step):
//   nothing changed; +1 requirement; a changed file under `copy`; +1 requirement on a spec whose
//   requirements pull ≥ 300 MB of wheels (made by bench/make_heavy_wheels.py from the index's own).
// Reported per cell: main and post step wall time, and the bytes that crossed each proxy.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fmtBytes,
  fmtMs,
  fmtRatio,
  imagesOf,
  infra,
  REPO_ROOT,
  runAction,
  runStandalone,
  startServer,
  stopChild,
  tempDir,
} from './lib/common.mjs';
import { startShaper } from './lib/shaper.mjs';
import builderLib from '../scripts/lib/builder.cjs';

const { startBuilder } = builderLib;

/** The network model: one place, quoted by bench/README.md. */
export const MODEL = {
  index: { latencyMs: 30, mbps: 40 },
  cache: { latencyMs: 20, mbps: 80 },
  registry: { latencyMs: 20, mbps: 60 },
};

export const PEERS = {
  // compression-level 6: BuildKit's own gzip level, which pyflyte and docker/build-push-action get.
  none: { label: 'no cache', inputs: { cache: 'none', 'cache-mounts': 'false', 'compression-level': '6' } },
  layers: {
    label: 'layer cache (gha, mode=max)',
    inputs: { cache: 'gha', 'cache-mounts': 'false', force: 'true', 'compression-level': '6' },
  },
  action: { label: 'action defaults', inputs: {} },
  // Not a peer: the action with its cache mounts on, to show what they cost and save.
  mounts: { label: 'action, `cache-mounts: true`', inputs: { 'cache-mounts': 'true' } },
};
const RIVALS = ['none', 'layers'];

const CACHE_SERVER = path.join(REPO_ROOT, 'scripts/gha-cache/server.mjs');
const TOOLS_DIR = process.env.IMAGESPEC_TOOLS_DIR || '/var/cache/imagespec-action';
// What the Dockerfiles and the mount copy builds pull, copied into the benchmark's own registry from
// the seed images' OCI layout (scripts/lib/seed.sh), so that no shared server is involved.
const SEED_IMAGES = {
  python: 'library/python:3.11-slim-bookworm',
  debian: 'library/debian:bookworm-slim',
  uv: 'astral-sh/uv:0.5.1',
  micromamba: 'mambaorg/micromamba:2.0.3-debian12-slim',
};

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** A registry of the benchmark's own (Debian's docker-registry), so that its images go with it. */
async function startRegistry(dir, layout) {
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${path.join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) =>
      http.get(`${url}/v2/`, (r) => (r.resume(), resolve(r.statusCode === 200))).on('error', () => resolve(false)),
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [tag, ref] of Object.entries(SEED_IMAGES)) {
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://127.0.0.1:${port}/${ref}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  return {
    url,
    stop: () => stopChild(child),
  };
}

/** A static server for a PEP 503 index directory (`simple/<project>/index.html`, `files/`). */
async function startIndex(root) {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    let file = path.join(root, rel);
    if (!file.startsWith(root + path.sep) && file !== root) return res.writeHead(403).end();
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const st = fs.statSync(file);
      // As PyPI: files are immutable, project pages may be cached for 10 minutes; an ETag lets a
      // client revalidate without downloading again.
      const etag = `"${st.size}-${Math.round(st.mtimeMs)}"`;
      const headers = {
        etag,
        'cache-control': file.endsWith('.html') ? 'max-age=600, public' : 'max-age=365000000, immutable, public',
        'content-type': file.endsWith('.html') ? 'text/html' : 'application/octet-stream',
      };
      if (req.headers['if-none-match'] === etag) return res.writeHead(304, headers).end();
      res.writeHead(200, { ...headers, 'content-length': st.size });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/**
 * The seed index plus the heavy wheels, as links in `dir`. The heavy wheels are made once per
 * machine (about 45 s for the full set) and kept under the tools directory.
 */
function prepareIndex(dir, seedRoot, tiny) {
  const count = tiny ? 2 : 11;
  const python = infra().IMAGESPEC_FLYTEKIT_PYTHON ?? 'python3';
  const files = fs.readdirSync(path.join(seedRoot, 'files'));
  const pick = (prefix) =>
    path.join(
      seedRoot,
      'files',
      files.find((f) => f.startsWith(`${prefix}-`)),
    );
  const sources = tiny ? [pick('pyyaml')] : [pick('numpy'), pick('grpcio'), pick('cryptography')];
  const heavyDir = path.join(
    TOOLS_DIR,
    'bench-heavy',
    `v1-${count}-${sources
      .map((s) => path.basename(s))
      .join('+')
      .slice(0, 200)}`,
  );
  if (!fs.existsSync(path.join(heavyDir, '.done'))) {
    fs.rmSync(heavyDir, { recursive: true, force: true });
    execFileSync(python, [path.join(REPO_ROOT, 'bench/make_heavy_wheels.py'), heavyDir, String(count), ...sources], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    fs.writeFileSync(path.join(heavyDir, '.done'), '');
  }
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'simple'), { recursive: true });
  for (const f of files) fs.symlinkSync(path.join(seedRoot, 'files', f), path.join(dir, 'files', f));
  for (const p of fs.readdirSync(path.join(seedRoot, 'simple'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    fs.mkdirSync(path.join(dir, 'simple', p.name));
    fs.copyFileSync(path.join(seedRoot, 'simple', p.name, 'index.html'), path.join(dir, 'simple', p.name, 'index.html'));
  }
  const heavy = [];
  let heavyBytes = 0;
  for (const f of fs.readdirSync(heavyDir).filter((x) => x.endsWith('.whl'))) {
    const project = f.split('-')[0].replace(/_/g, '-');
    fs.symlinkSync(path.join(heavyDir, f), path.join(dir, 'files', f));
    fs.mkdirSync(path.join(dir, 'simple', project));
    fs.writeFileSync(
      path.join(dir, 'simple', project, 'index.html'),
      `<!DOCTYPE html><html><body><a href="../../files/${f}">${f}</a><br/></body></html>\n`,
    );
    heavy.push(project);
    heavyBytes += fs.statSync(path.join(heavyDir, f)).size;
  }
  execFileSync(python, [path.join(REPO_ROOT, 'bench/index_metadata.py'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { heavy: heavy.sort(), heavyBytes };
}

const SCENARIOS = [
  { id: 'nothing', label: 'nothing changed' },
  { id: 'plus1', label: '+1 requirement' },
  { id: 'copy', label: 'changed file under `copy`' },
  { id: 'heavy', label: '+1 requirement, ≥ 300 MB of wheels' },
];

/** The spec's files in `ws`, before (`changed: false`) or after the scenario's change. */
function writeSpec(ws, { registry, index, tiny, heavy }, scenario, changed) {
  fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(ws, 'app.yaml'),
    [
      'name: app',
      `registry: ${registry}`,
      'python_version: "3.11"',
      'base_image: python:3.11-slim-bookworm',
      'python_exec: /usr/local/bin/python',
      `pip_index: ${index}`,
      'requirements: requirements.txt',
      'copy:',
      '  - src',
      // tiny (the smoke test): the requirements without their ~100 dependencies
      ...(tiny ? ['pip_extra_args: --no-deps'] : []),
      '',
    ].join('\n'),
  );
  const reqs = ['pyyaml', 'requests', 'flytekit', ...(scenario === 'heavy' ? heavy : [])];
  // numpy: a package no other requirement pulls in (tiny: six, small, and not installed before either).
  if (changed && (scenario === 'plus1' || scenario === 'heavy')) reqs.push(tiny ? 'six' : 'numpy');
  fs.writeFileSync(path.join(ws, 'requirements.txt'), `${reqs.join('\n')}\n`);
  fs.writeFileSync(path.join(ws, 'src', 'app.py'), `VERSION = ${changed && scenario === 'copy' ? 2 : 1}\n`);
}

export async function run({ tiny = false } = {}) {
  if (!fs.existsSync(CACHE_SERVER)) throw new Error(`${CACHE_SERVER} is missing: the benchmark needs the cache-service stand-in`);
  const work = tempDir('network');
  const seedRoot = path.join(TOOLS_DIR, 'seed', 'pypi');
  const { heavy, heavyBytes } = prepareIndex(path.join(work, 'index'), seedRoot, tiny);
  const index = await startIndex(path.join(work, 'index'));
  const registry = await startRegistry(path.join(work, 'registry'), path.join(TOOLS_DIR, 'seed', 'oci'));
  const shapers = {
    index: await startShaper(index.url, MODEL.index),
    registry: await startShaper(registry.url, MODEL.registry),
    cache: undefined,
  };
  const builder = startBuilder(path.join(work, 'builder'), `imagespec-bench-net-${process.pid}`, {
    IMAGESPEC_REGISTRY_MIRROR: shapers.registry.hostport,
  });
  const token = execFileSync(process.execPath, [CACHE_SERVER, '--mint-token', 'refs/heads/main'], { encoding: 'utf8' }).trim();
  const servers = [];
  try {
    const cells = [];
    for (const scenario of SCENARIOS) {
      // One cache service, registry repository and workspace per peer, so the peers never share a
      // cache entry or an image; the same RUNNER_TEMP path for both runs of a peer, emptied, as on
      // GitHub-hosted runners (@actions/cache's entry version hashes the saved paths).
      const peers = [];
      for (const [peer, { inputs }] of Object.entries(PEERS)) {
        const dir = path.join(work, `${scenario.id}-${peer}`);
        fs.mkdirSync(path.join(dir, 'ws'), { recursive: true });
        const svc = await startServer(CACHE_SERVER, ['--port', '0', '--dir', path.join(dir, 'cache')], 'cache server');
        servers.push(svc);
        peers.push({
          peer,
          inputs: { specs: 'app.yaml', mode: 'build', ...inputs },
          dir,
          ws: path.join(dir, 'ws'),
          cacheUrl: svc.info.url,
        });
      }
      const job = async (p, changed) => {
        writeSpec(
          p.ws,
          { registry: `${shapers.registry.hostport}/${scenario.id}-${p.peer}`, index: `${shapers.index.url}/simple`, tiny, heavy },
          scenario.id,
          changed,
        );
        builder.empty();
        if (shapers.cache) await shapers.cache.stop();
        shapers.cache = await startShaper(p.cacheUrl, MODEL.cache);
        const runnerTemp = path.join(p.dir, 'runner-temp');
        fs.rmSync(runnerTemp, { recursive: true, force: true });
        fs.mkdirSync(runnerTemp);
        const stepEnv = {
          ...builder.env,
          ACTIONS_RESULTS_URL: `${shapers.cache.url}/`,
          ACTIONS_RUNTIME_TOKEN: token,
          ACTIONS_CACHE_SERVICE_V2: 'True',
          RUNNER_TEMP: runnerTemp,
        };
        for (const s of Object.values(shapers)) s.reset();
        const main = await runAction({ workspace: p.ws, inputs: p.inputs, env: stepEnv });
        const images = imagesOf(main);
        const fail = (what, r) =>
          new Error(`${scenario.id}/${p.peer}: ${what} (exit ${r.exitCode})\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
        if (main.exitCode !== 0 || !['built', 'exists'].includes(images[0]?.status)) throw fail(`main step: ${images[0]?.status}`, main);
        const post = await runAction({ workspace: p.ws, inputs: p.inputs, env: stepEnv, step: 'post', state: main.state });
        if (post.exitCode !== 0) throw fail('post step', post);
        const bytes = Object.fromEntries(Object.entries(shapers).map(([k, s]) => [k, s.stats()]));
        return {
          mainMs: main.ms,
          postMs: post.ms,
          ms: main.ms + post.ms,
          status: images[0].status,
          restoredMounts: /cache mounts: restored/.test(main.stdout),
          savedMounts: /cache mounts: saved/.test(post.stdout),
          bytes,
        };
      };
      for (const p of peers) await job(p, false); // the earlier run whose state the measured one starts from
      if (scenario.id === 'nothing') {
        // Nothing changes state here, so the runs repeat: the median of five, the peers in turn.
        const runs = new Map(peers.map((p) => [p, []]));
        for (let i = 0; i < (tiny ? 1 : 5); i++) for (const p of peers) runs.get(p).push(await job(p, false));
        for (const [p, rs] of runs) cells.push({ scenario: scenario.id, peer: p.peer, samples: rs.length, ...medianRun(rs) });
      } else {
        for (const p of peers) cells.push({ scenario: scenario.id, peer: p.peer, samples: 1, ...(await job(p, true)) });
      }
    }
    return report(cells, heavyBytes);
  } finally {
    builder.stop();
    for (const s of Object.values(shapers)) await s?.stop();
    for (const s of servers) await s.stop();
    await index.stop();
    await registry.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The run of median main+post time. */
const medianRun = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[runs.length >> 1];

const traffic = (b) =>
  `${fmtBytes(b.index.down)} / ${fmtBytes(b.cache.down)} ↓ ${fmtBytes(b.cache.up)} ↑ / ${fmtBytes(b.registry.down)} ↓ ${fmtBytes(b.registry.up)} ↑`;

function report(cells, heavyBytes) {
  const rows = [];
  const detail = ['| scenario | peer | main + post | post step | index ↓ / cache ↓↑ / registry ↓↑ |', '| --- | --- | --- | --- | --- |'];
  for (const scenario of SCENARIOS) {
    const row = Object.fromEntries(cells.filter((c) => c.scenario === scenario.id).map((c) => [c.peer, c]));
    for (const peer of Object.keys(PEERS)) {
      const c = row[peer];
      detail.push(`| ${scenario.label} | ${PEERS[peer].label} | ${fmtMs(c.ms)} | ${fmtMs(c.postMs)} | ${traffic(c.bytes)} |`);
    }
    const others = RIVALS.map((p) => row[p]);
    const best = Math.min(...others.map((c) => c.ms));
    rows.push({
      bench: `network: ${scenario.label}`,
      measure: 'main+post wall time (post) vs the faster peer',
      value: `${fmtMs(row.action.ms)} (${fmtMs(row.action.postMs)})`,
      baseline: `${fmtMs(row.none.ms)} no cache, ${fmtMs(row.layers.ms)} layer cache`,
      ratio: fmtRatio(row.action.ms / best),
      target: 'fastest',
      met: row.action.ms <= best,
      data: { cells: Object.values(row), heavyBytes },
    });
  }
  rows.push({ markdown: detail.join('\n'), data: { model: MODEL } });
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
