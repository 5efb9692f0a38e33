/**
 * Resilience through scripts/fault-proxy in front of the real plain registry: rate limits,
 * server errors, resets, slow answers, a closed port. Each case ends in the documented status
 * within a bounded time (upper bounds are loose: the machine has two cores).
 */
import { checkImages, CheckOptions, ImageStatus } from '../../src/registry';
import { closedPort, fakeClock, FaultProxy, FIXTURE_TAGS as T, Registries, startProxy, startRegistries, tempDir } from './support/infra';

let R: Registries;
let proxy: FaultProxy;
beforeAll(async () => {
  R = startRegistries();
  proxy = await startProxy(R.plain);
});
afterAll(async () => {
  await proxy?.stop();
});
beforeEach(async () => {
  await proxy.setRules([]);
  await proxy.resetStats();
});

const MANIFESTS = '/v2/.*/manifests/';
const opts: CheckOptions = {
  timeoutMs: 600,
  retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 400, retryAfterCapMs: 3000 },
  env: { PATH: process.env.PATH, HOME: tempDir('home') },
};

async function timed(ref: string, extra: CheckOptions = {}): Promise<{ s: ImageStatus; ms: number; logs: string[] }> {
  const logs: string[] = [];
  const t0 = Date.now();
  const [r] = await checkImages([ref], { ...opts, log: (l) => logs.push(l), ...extra });
  return { s: r.result, ms: Date.now() - t0, logs };
}

const ref = (tag: string = T.ociManifest) => `${proxy.hostport}/${R.repo}:${tag}`;
const manifestRequests = async () => (await proxy.stats()).log.filter((e) => /\/manifests\//.test(e.path));

test('pass-through: the proxy itself changes nothing', async () => {
  const { s } = await timed(ref());
  expect(s).toMatchObject({ status: 'exists' });
});

test('429 with Retry-After: 1 → waits about a second, then exists', async () => {
  await proxy.setRules([{ path: MANIFESTS, times: 1, action: 'respond', status: 429, headers: { 'retry-after': '1' } }]);
  const { s, ms, logs } = await timed(ref());
  expect(s).toMatchObject({ status: 'exists' });
  expect(ms).toBeGreaterThanOrEqual(950);
  expect(ms).toBeLessThan(4000);
  expect(logs.some((l) => /retrying HEAD .* in 1000 ms after HTTP 429 \(Retry-After 1\)/.test(l))).toBe(true);
  expect((await manifestRequests()).map((e) => `${e.method} ${e.status ?? e.action}`)).toEqual(['HEAD 429', 'HEAD 200']);
});

test('429 with a huge Retry-After is capped; persistent 429 → unknown after the attempt limit (fake clock)', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'respond', status: 429, headers: { 'retry-after': '3600' } }]);
  const clock = fakeClock();
  const { s, ms } = await timed(ref(), { clock });
  expect(s).toEqual({
    status: 'unknown',
    reason: `manifest ${T.ociManifest} of ${proxy.hostport}/${R.repo}: rate limited (HTTP 429) after 3 attempts`,
  });
  expect(clock.sleeps).toEqual([3000, 3000]);
  expect(ms).toBeLessThan(3000); // nothing really slept
});

test('500 once, then success → exists (HEAD 500 is asked again with GET)', async () => {
  await proxy.setRules([
    { path: MANIFESTS, times: 1, action: 'respond', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"boom"}]}' },
  ]);
  const { s, ms } = await timed(ref(T.ociIndex));
  expect(s).toMatchObject({ status: 'exists', mediaType: 'application/vnd.oci.image.index.v1+json' });
  expect(ms).toBeLessThan(3000);
  expect((await manifestRequests()).map((e) => `${e.method} ${e.status}`)).toEqual(['HEAD 500', 'GET 200']);
});

test('persistent 500 → unknown after bounded retries with the backoff schedule (fake clock, random 0.5)', async () => {
  await proxy.setRules([
    { path: MANIFESTS, action: 'respond', status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"storage backend down"}]}' },
  ]);
  const clock = fakeClock();
  const { s } = await timed(ref(), { clock, random: () => 0.5 });
  expect(s).toEqual({
    status: 'unknown',
    reason: `manifest ${T.ociManifest} of ${proxy.hostport}/${R.repo}: server error HTTP 500 after 4 attempts: UNKNOWN: storage backend down`,
  });
  expect(clock.sleeps).toEqual([75, 150]); // 100*(0.5+0.25), 200*(0.5+0.25)
  expect((await manifestRequests()).map((e) => e.method)).toEqual(['HEAD', 'GET', 'GET', 'GET']);
});

test('persistent 503 with the real clock stays within the backoff budget', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'respond', status: 503 }]);
  const { s, ms } = await timed(ref());
  expect(s).toMatchObject({ status: 'unknown', reason: expect.stringContaining('server error HTTP 503 after 4 attempts') });
  expect(ms).toBeLessThan(3000); // ≤ 100 + 200 ms of backoff plus four fast answers
});

test('Harbor-style 500 "artifact ... not found" → missing, without retries', async () => {
  await proxy.setRules([
    {
      path: MANIFESTS,
      action: 'respond',
      status: 500,
      body: `{"errors":[{"code":"UNKNOWN","message":"unknown: artifact ${R.repo}:abc not found"}]}`,
    },
  ]);
  const { s } = await timed(ref('abc'));
  expect(s).toEqual({
    status: 'missing',
    reason: `abc not found in ${proxy.hostport}/${R.repo} (HTTP 500, UNKNOWN: unknown: artifact ${R.repo}:abc not found)`,
  });
  expect((await manifestRequests()).map((e) => e.method)).toEqual(['HEAD', 'GET']);
});

test('Harbor-style 500 "repository ... not found" and 404 NOT_FOUND → missing', async () => {
  await proxy.setRules([
    {
      path: '/manifests/one$',
      action: 'respond',
      status: 500,
      body: `{"errors":[{"code":"UNKNOWN","message":"unknown: repository ${R.repo} not found"}]}`,
    },
    { path: '/manifests/two$', action: 'respond', status: 404, body: '{"errors":[{"code":"NOT_FOUND","message":"artifact not found"}]}' },
  ]);
  const results = await checkImages([ref('one'), ref('two')], opts);
  expect(results.map((r) => r.result.status)).toEqual(['missing', 'missing']);
});

test('403 → unknown at once (access denied is not "missing")', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'respond', status: 403 }]);
  const { s } = await timed(ref());
  expect(s).toEqual({ status: 'unknown', reason: `manifest ${T.ociManifest} of ${proxy.hostport}/${R.repo}: access denied (HTTP 403)` });
  expect(await manifestRequests()).toHaveLength(1);
});

test('HEAD not allowed (405) → GET answers', async () => {
  await proxy.setRules([{ method: 'HEAD', path: MANIFESTS, action: 'respond', status: 405 }]);
  const { s } = await timed(ref(T.dockerV2));
  expect(s).toMatchObject({ status: 'exists', digest: expect.stringMatching(/^sha256:/) });
});

test('connection reset once → retried → exists', async () => {
  await proxy.setRules([{ path: MANIFESTS, times: 1, action: 'reset' }]);
  const { s, ms } = await timed(ref());
  expect(s).toMatchObject({ status: 'exists' });
  expect(ms).toBeLessThan(3000);
});

test('connection reset every time → unknown after the attempt limit', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'reset' }]);
  const { s, ms } = await timed(ref());
  expect(s).toEqual({
    status: 'unknown',
    reason: expect.stringMatching(
      new RegExp(`^connection to ${proxy.hostport} (reset \\(ECONNRESET\\)|closed mid-response) \\(after 3 attempts\\)$`),
    ),
  });
  expect(ms).toBeLessThan(3000);
});

test('answer slower than the timeout → unknown (timeout) within attempts × timeout + backoff', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'delay', delayMs: 5000 }]);
  const { s, ms } = await timed(ref());
  expect(s).toEqual({ status: 'unknown', reason: `no complete answer from ${proxy.hostport} within 600 ms (after 3 attempts)` });
  expect(ms).toBeGreaterThanOrEqual(3 * 600);
  expect(ms).toBeLessThan(3 * 600 + 400 + 2000);
});

test('a slow answer inside the timeout is fine', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'delay', delayMs: 200 }]);
  const { s } = await timed(ref());
  expect(s).toMatchObject({ status: 'exists' });
});

test('server that never answers → unknown (timeout)', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'hang' }]);
  const { s, ms } = await timed(ref(), { retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 50 } });
  expect(s).toMatchObject({ status: 'unknown', reason: expect.stringContaining('within 600 ms (after 2 attempts)') });
  expect(ms).toBeLessThan(2 * 600 + 2000);
});

test('registry down (closed port) → unknown (connection refused), quickly', async () => {
  const port = await closedPort();
  const { s, ms } = await timed(`127.0.0.1:${port}/${R.repo}:x`);
  expect(s).toEqual({ status: 'unknown', reason: `connection refused by 127.0.0.1:${port} (ECONNREFUSED) (after 3 attempts)` });
  expect(ms).toBeLessThan(3000);
});

test('a down registry is probed once for all its images, not once per image', async () => {
  const port = await closedPort();
  const logs: string[] = [];
  const t0 = Date.now();
  const results = await checkImages(
    Array.from({ length: 40 }, (_, i) => `127.0.0.1:${port}/app${i}:t`),
    { ...opts, log: (l) => logs.push(l) },
  );
  expect(results.every((r) => r.result.status === 'unknown')).toBe(true);
  expect(logs.filter((l) => l.startsWith('GET http://')).length).toBe(3);
  expect(Date.now() - t0).toBeLessThan(3000);
});

test('plain HTTP is refused for a non-loopback token realm or redirect target (nothing is contacted)', async () => {
  await proxy.setRules([
    {
      path: '^/v2/$',
      action: 'respond',
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="http://auth.example.invalid/token",service="x"' },
    },
  ]);
  const { s } = await timed(ref());
  expect(s).toEqual({
    status: 'unknown',
    reason:
      'token request to auth.example.invalid failed: refusing plain HTTP to auth.example.invalid: only loopback hosts and hosts listed in insecure-registries may use http://',
  });
  await proxy.setRules([{ path: MANIFESTS, action: 'respond', status: 307, headers: { location: 'http://blobs.example.invalid/x' } }]);
  const { s: s2 } = await timed(ref());
  expect(s2).toMatchObject({ status: 'unknown', reason: expect.stringContaining('refusing plain HTTP to blobs.example.invalid') });
});

test('bounded parallelism: 500 checks with the default concurrency (8) use at most 8 connections', async () => {
  await proxy.setRules([{ path: MANIFESTS, action: 'delay', delayMs: 2 }]);
  const refs = Array.from({ length: 500 }, (_, i) => ref(i % 5 === 0 ? T.ociManifest : `absent-${i}`));
  const t0 = Date.now();
  const results = await checkImages(refs, opts);
  const ms = Date.now() - t0;
  expect(results.filter((r) => r.result.status === 'exists')).toHaveLength(100);
  expect(results.filter((r) => r.result.status === 'missing')).toHaveLength(400);
  const stats = await proxy.stats();
  expect(stats.maxInFlight).toBeLessThanOrEqual(8);
  // keep-alive: at most 8 sockets, not one per request; one HTTPS probe (a TLS hello) before
  expect(stats.connections).toBeLessThanOrEqual(8);
  expect(stats.badRequests).toBe(1);
  expect(stats.requests).toBe(new Set(refs).size + 1); // one HEAD per distinct reference + one GET /v2/
  expect(ms).toBeLessThan(30_000);
  process.stdout.write(`500 checks (${new Set(refs).size} distinct) through the proxy: ${ms} ms, ${stats.connections} connections\n`);
});
