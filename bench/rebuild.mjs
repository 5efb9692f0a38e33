// Benchmark 4, rebuild: with a real BuildKit and the local registry, the bundled action builds an
// example spec on a builder that starts empty (a new GitHub-hosted runner), its post step saves the
// caches; then one line is added to the spec's requirements, the builder is emptied again and the
// action runs again, with the layer cache (`cache: gha`) and the cache mounts (`cache-mounts: true`,
// saved through @actions/cache) restored from the GitHub cache-service stand-in
// (scripts/gha-cache/server.mjs), as in CI. Reported: main+post wall time of both runs and their
// ratio, and the bytes each downloaded from the package index (through a byte-counting proxy) and
// from the cache service. Base-image layers come from the local registry mirror and are not counted.
//
// The builder is a BuildKit daemon of the benchmark's own (scripts/lib/buildkit.sh with its own
// INFRA_DIR), so emptying it leaves the shared `imagespec` builder and other users' caches alone.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes, fmtMs, fmtRatio, imagesOf, infra, REPO_ROOT, runAction, runStandalone, startServer, tempDir } from './lib/common.mjs';
import { request, startProxy } from './lib/registry.mjs';
import builderLib from '../scripts/lib/builder.cjs';

const { startBuilder } = builderLib;

const CACHE_SERVER = path.join(REPO_ROOT, 'scripts/gha-cache/server.mjs');
const BLOB_PATH_RE = /\/actions-cache\/(\d+)$/;

async function startCacheServer(dir) {
  const { info, stop } = await startServer(CACHE_SERVER, ['--port', '0', '--dir', dir], 'cache server');
  const { url } = info;
  const token = execFileSync(process.execPath, [CACHE_SERVER, '--mint-token', 'refs/heads/main'], { encoding: 'utf8' }).trim();
  const get = async (p) => JSON.parse((await request(new URL(p, url).href)).body.toString());
  return {
    env: { ACTIONS_RESULTS_URL: url, ACTIONS_RUNTIME_TOKEN: token, ACTIONS_CACHE_SERVICE_V2: 'True' },
    entries: () => get('_control/entries'),
    requests: () => get('_control/requests'),
    stop,
  };
}

/** buildx plain progress: `#N <name>` … `#N DONE 1.2s` → the slowest steps, e.g. `RUN uv pip install 12.3 s`. */
function slowestSteps(log, count = 4) {
  const names = new Map();
  const secs = new Map();
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const done = /^DONE (\d+(?:\.\d+)?)s$/.exec(m[2]);
    if (done) secs.set(m[1], (secs.get(m[1]) ?? 0) + Number(done[1]));
    else if (
      !names.has(m[1]) &&
      !/^(sha256:|CACHED|\d|extracting|resolve|preparing|writing|naming|pushing|exporting layers|ERROR)/.test(m[2])
    )
      names.set(m[1], m[2]);
  }
  return [...secs]
    .map(([id, s]) => ({ step: (names.get(id) ?? `#${id}`).replace(/\s+/g, ' ').slice(0, 60), seconds: s }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count);
}

/** uv's "Prepared N packages": how many packages the install step had to download and unpack. */
const prepared = (log) => Number(/Prepared (\d+) packages? in/.exec(log)?.[1] ?? 0);

export async function run({ tiny = false } = {}) {
  if (!fs.existsSync(CACHE_SERVER)) throw new Error(`${CACHE_SERVER} is missing: the rebuild benchmark needs the cache-service stand-in`);
  const env = infra();
  const work = tempDir('rebuild');
  const ws = path.join(work, 'ws');
  fs.mkdirSync(ws);
  const proxy = await startProxy(new URL(env.IMAGESPEC_PIP_INDEX).origin);
  const svc = await startCacheServer(path.join(work, 'cache'));
  const builder = startBuilder(path.join(work, 'builder'), `imagespec-bench-${process.pid}`);
  try {
    // A fresh name per run: the tag must be missing from the registry both times.
    const name = `bench-rebuild-${Date.now().toString(36)}`;
    const index = `http://${proxy.hostport}${new URL(env.IMAGESPEC_PIP_INDEX).pathname}`;
    fs.writeFileSync(
      path.join(ws, 'app.yaml'),
      [
        `name: ${name}`,
        `registry: ${env.REGISTRY_PLAIN}/bench`,
        'python_version: "3.11"',
        'base_image: python:3.11-slim-bookworm',
        'python_exec: /usr/local/bin/python',
        `pip_index: ${index}`,
        'requirements: requirements.txt',
        // tiny (the smoke test): flytekit and the requirements without their ~100 dependencies
        ...(tiny ? ['pip_extra_args: --no-deps'] : []),
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(ws, 'requirements.txt'), 'pyyaml\nrequests\n');
    const inputs = { specs: 'app.yaml', mode: 'build', cache: 'gha', 'cache-mounts': 'true' };

    // The same RUNNER_TEMP path both times, emptied, as on GitHub-hosted runners: @actions/cache's
    // entry version hashes the saved paths, which live under it.
    const runnerTemp = path.join(work, 'runner-temp');
    const job = async () => {
      fs.rmSync(runnerTemp, { recursive: true, force: true });
      fs.mkdirSync(runnerTemp);
      const stepEnv = { ...builder.env, ...svc.env, RUNNER_TEMP: runnerTemp };
      await proxy.resetStats();
      const before = (await svc.requests()).length;
      const main = await runAction({ workspace: ws, inputs, env: stepEnv });
      const images = imagesOf(main);
      if (main.exitCode !== 0 || images[0]?.status !== 'built') {
        throw new Error(
          `build failed (exit ${main.exitCode}, ${images[0]?.status})\n${main.stdout.slice(-4000)}\n${main.stderr.slice(-2000)}`,
        );
      }
      const indexBytes = (await proxy.stats()).bytes;
      const post = await runAction({ workspace: ws, inputs, env: stepEnv, step: 'post', state: main.state });
      if (post.exitCode !== 0)
        throw new Error(`post step failed (exit ${post.exitCode})\n${post.stdout.slice(-3000)}\n${post.stderr.slice(-3000)}`);
      // Bytes restored from the cache service during the main step: the blobs it read, by entry size.
      const entries = new Map((await svc.entries()).map((e) => [String(e.id), e]));
      const reads = new Set(
        (await svc.requests())
          .slice(before)
          .filter((r) => r.method === 'GET' && BLOB_PATH_RE.test(r.path))
          .map((r) => BLOB_PATH_RE.exec(r.path)[1]),
      );
      const readBytes = (mounts) =>
        [...reads]
          .map((id) => entries.get(id))
          .filter((e) => e && e.key.startsWith('imagespec-mounts') === mounts)
          .reduce((n, e) => n + e.size, 0);
      const mountBytes = readBytes(true); // the cache-mount archive (@actions/cache)
      const layerBytes = readBytes(false); // BuildKit's layer cache (type=gha)
      const cacheBytes = mountBytes + layerBytes;
      return {
        mainMs: main.ms,
        postMs: post.ms,
        ms: main.ms + post.ms,
        indexBytes,
        cacheBytes,
        mountBytes,
        layerBytes,
        prepared: prepared(main.stdout),
        slowest: slowestSteps(main.stdout),
        restoredMounts: /cache mounts: restored/.test(main.stdout),
        image: images[0].image,
        log: `--- main\n${main.stdout}\n${main.stderr}\n--- post\n${post.stdout}\n${post.stderr}`,
      };
    };

    const cold = await job();
    // One line more in the requirements; a new, empty runner.
    // numpy: a package no earlier requirement pulls in (tiny: six, small, and not installed before either).
    fs.appendFileSync(path.join(ws, 'requirements.txt'), tiny ? 'six\n' : 'numpy\n');
    builder.empty();
    const warm = await job();
    if (!warm.restoredMounts) {
      const grep = (log) =>
        log
          .split('\n')
          .filter((l) => /cache|warning|error/i.test(l))
          .slice(0, 40)
          .join('\n');
      throw new Error(`the second run did not restore the cache mounts\n${grep(cold.log)}\n=== second run\n${grep(warm.log)}`);
    }
    delete cold.log;
    delete warm.log;

    const ratio = warm.ms / cold.ms;
    const bench = 'rebuild (1 spec, +1 requirement)';
    return [
      {
        bench,
        measure: 'main+post wall time, empty builder',
        value: `${fmtMs(warm.ms)} rebuild`,
        baseline: `${fmtMs(cold.ms)} cold build`,
        ratio: fmtRatio(ratio),
        data: { cold, warm, ratio },
      },
      {
        bench,
        measure: 'main / post step',
        value: `${fmtMs(warm.mainMs)} / ${fmtMs(warm.postMs)}`,
        baseline: `${fmtMs(cold.mainMs)} / ${fmtMs(cold.postMs)}`,
      },
      {
        bench,
        measure: 'downloaded: package index / cache (mounts + layers)',
        value: `${fmtBytes(warm.indexBytes)} (${warm.prepared} pkg) / ${fmtBytes(warm.mountBytes)} + ${fmtBytes(warm.layerBytes)}`,
        baseline: `${fmtBytes(cold.indexBytes)} (${cold.prepared} pkg) / ${fmtBytes(cold.mountBytes)} + ${fmtBytes(cold.layerBytes)}`,
        ratio: cold.indexBytes ? fmtRatio(warm.indexBytes / cold.indexBytes) : '',
      },
    ];
  } finally {
    builder.stop();
    await svc.stop();
    await proxy.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
