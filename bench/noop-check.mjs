// Benchmark 1, no-op check: N specs whose images all exist, in the token-auth registry behind the
// fault proxy adding 20 ms to every request (a nearby cloud registry). The bundled action in
// `mode: check` against the lower bound measured in the same run: bench/lib/min-client.mjs making the
// same HEAD requests with the same auth exchange (challenge, one token per repository) at the same
// concurrency. Both are timed from spawn to exit, alternately, median of several runs. Peak RSS of the
// action at a small and the full N shows whether memory stays flat.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMb, fmtMs, fmtRatio, imagesOf, infra, median, REPO_ROOT, runAction, runNode, runStandalone, tempDir } from './lib/common.mjs';
import { pushTags, startProxy } from './lib/registry.mjs';

export const DELAY_MS = 20;
export const TARGET_RATIO = 1.3;
/** Peak RSS at full N over peak RSS at the small N: "flat" allows this much. */
export const FLAT_RSS_RATIO = 1.25;

export async function run({ tiny = false } = {}) {
  const n = tiny ? 5 : 500;
  const small = tiny ? 2 : 100;
  const repos = tiny ? 2 : 20; // realistic: several images per repository, one token each
  const runs = tiny ? 1 : 7;
  const concurrency = 8; // the action's default `concurrency` input
  const env = infra();
  const user = env.REGISTRY_USER;
  const password = env.REGISTRY_PASSWORD;

  const proxy = await startProxy(`http://${env.REGISTRY_TOKEN}`);
  const work = tempDir('noop');
  try {
    await proxy.setRules([{ action: 'delay', delayMs: DELAY_MS }]);
    // Specs: distinct packages so every tag differs; the registry is the proxy, so tags depend on its port.
    fs.mkdirSync(path.join(work, 'specs'));
    for (let i = 0; i < n; i++) {
      const yaml = [
        `name: app-${String(i % repos).padStart(2, '0')}`,
        `registry: ${proxy.hostport}/bench`,
        'python_version: "3.11"',
        'packages:',
        '  - numpy==1.26.4',
        `  - bench-pkg-${i}==1.0`,
        'env:',
        `  INDEX: "${i}"`,
        '',
      ].join('\n');
      fs.writeFileSync(path.join(work, 'specs', `s${String(i).padStart(3, '0')}.yaml`), yaml);
    }
    const all = 'specs/*.yaml';
    // The first `small` spec files, by a glob on their numbers (s000 … s099).
    const firstSmall = Array.from({ length: small }, (_, i) => `specs/s${String(i).padStart(3, '0')}.yaml`).join('\n');

    // Make every image exist: compute the tags (plan), push them straight to the registry.
    const plan = await runAction({ workspace: work, inputs: { specs: all, mode: 'plan' } });
    const refs = imagesOf(plan).map((im) => im.image);
    if (refs.length !== n) throw new Error(`plan found ${refs.length} specs, expected ${n}`);
    const byRepo = new Map();
    for (const ref of refs) {
      const rest = ref.slice(proxy.hostport.length + 1);
      const repo = rest.slice(0, rest.lastIndexOf(':'));
      if (!byRepo.has(repo)) byRepo.set(repo, []);
      byRepo.get(repo).push(rest.slice(rest.lastIndexOf(':') + 1));
    }
    for (const [repo, tags] of byRepo) await pushTags(env.REGISTRY_TOKEN, repo, tags, { user, password });

    // Credentials as docker/login-action leaves them.
    const dockerConfig = path.join(work, 'docker');
    fs.mkdirSync(dockerConfig);
    const auth = Buffer.from(`${user}:${password}`).toString('base64');
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [proxy.hostport]: { auth } } }));
    const actionEnv = { DOCKER_CONFIG: dockerConfig };
    const inputs = (specs) => ({ specs, mode: 'check', concurrency: String(concurrency), 'on-unknown': 'fail' });
    const jobFile = path.join(work, 'job.json');
    fs.writeFileSync(jobFile, JSON.stringify({ refs, concurrency, user, password }));

    const checkAction = (r, count) => {
      const images = imagesOf(r);
      const exists = images.filter((im) => im.status === 'exists').length;
      if (r.exitCode !== 0 || exists !== count) {
        throw new Error(`action check: exit ${r.exitCode}, ${exists}/${count} exist\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
      }
      return exists;
    };
    const checkMin = (r) => {
      const out = JSON.parse(r.stdout);
      if (r.exitCode !== 0 || out.exists !== n) throw new Error(`minimal client: exit ${r.exitCode}, ${r.stdout}${r.stderr}`);
      return out;
    };

    // Warm-up (file cache, registry, token server), then alternate so drift hits both sides alike.
    checkAction(await runAction({ workspace: work, inputs: inputs(all), env: actionEnv }), n);
    checkMin(await runNode(path.join(REPO_ROOT, 'bench/lib/min-client.mjs'), { args: [jobFile] }));
    const actionMs = [];
    const minMs = [];
    let actionRequests = 0;
    let minRequests = 0;
    let minOut;
    let actionExists = 0;
    for (let i = 0; i < runs; i++) {
      await proxy.resetStats();
      const m = await runNode(path.join(REPO_ROOT, 'bench/lib/min-client.mjs'), { args: [jobFile] });
      minOut = checkMin(m);
      minMs.push(m.ms);
      minRequests = (await proxy.stats()).requests;
      await proxy.resetStats();
      const a = await runAction({ workspace: work, inputs: inputs(all), env: actionEnv });
      actionExists = checkAction(a, n);
      actionMs.push(a.ms);
      actionRequests = (await proxy.stats()).requests;
    }
    // Memory, in separate runs with the RSS probe preloaded.
    const rssSmall = await runAction({ workspace: work, inputs: inputs(firstSmall), env: actionEnv, rss: true });
    checkAction(rssSmall, small);
    const rssFull = await runAction({ workspace: work, inputs: inputs(all), env: actionEnv, rss: true });
    checkAction(rssFull, n);

    const a = median(actionMs);
    const b = median(minMs);
    // Each action run is paired with the minimal client's run just before it: on a shared machine
    // the load changes from minute to minute, much less between two neighbouring runs.
    const ratio = median(actionMs.map((ms, i) => ms / minMs[i]));
    const rssRatio = rssFull.maxRssKb / rssSmall.maxRssKb;
    const bench = `no-op check (${n} specs, +${DELAY_MS} ms/request)`;
    return [
      {
        bench,
        measure: `wall time, concurrency ${concurrency} (medians of ${runs} pairs)`,
        value: fmtMs(a),
        baseline: `${fmtMs(b)} minimal client`,
        ratio: fmtRatio(ratio),
        target: `≤ ${TARGET_RATIO.toFixed(2)}×`,
        met: ratio <= TARGET_RATIO,
        data: { actionMs, minMs, ratio },
      },
      {
        bench,
        measure: 'images found / requests via proxy',
        value: `${actionExists}/${n} exist, ${actionRequests} requests`,
        baseline: `${minOut.exists}/${n} exist, ${minRequests} requests`,
        data: { actionExists, minExists: minOut.exists, n, actionRequests, minRequests, tokens: minOut.tokens },
      },
      {
        bench,
        measure: `peak RSS, ${small} → ${n} specs`,
        value: `${fmtMb(rssSmall.maxRssKb)} → ${fmtMb(rssFull.maxRssKb)}`,
        ratio: fmtRatio(rssRatio),
        target: `flat (≤ ${FLAT_RSS_RATIO.toFixed(2)}×)`,
        met: rssRatio <= FLAT_RSS_RATIO,
        data: { rssSmallKb: rssSmall.maxRssKb, rssFullKb: rssFull.maxRssKb },
      },
    ];
  } finally {
    await proxy.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runStandalone(run);
