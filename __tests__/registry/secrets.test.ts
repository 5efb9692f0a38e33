/**
 * No credential may reach a log line, a result or an error message — also when a registry or a
 * token server echoes it back in an error body. Real registries plus the fault proxy acting as a
 * hostile registry.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkImages, CheckOptions, ImageCheckResult } from '../../src/registry';
import { b64, dockerConfig, FaultProxy, FIXTURE_TAGS as T, Registries, startProxy, startRegistries, tempDir } from './support/infra';

let R: Registries;
let echo: FaultProxy;
beforeAll(async () => {
  R = startRegistries();
  echo = await startProxy(R.plain); // its rules answer everything itself: a fake, echoing registry
});
afterAll(async () => {
  await echo?.stop();
});

interface Run {
  results: ImageCheckResult[];
  logs: string[];
  secrets: string[];
}

async function run(
  refs: Parameters<typeof checkImages>[0],
  env: Record<string, string | undefined>,
  extra: CheckOptions = {},
): Promise<Run> {
  const logs: string[] = [];
  const secrets: string[] = [];
  const results = await checkImages(refs, {
    timeoutMs: 5000,
    retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 40 },
    env: { PATH: process.env.PATH, HOME: tempDir('home'), ...env },
    log: (l) => logs.push(l),
    setSecret: (s) => secrets.push(s),
    ...extra,
  });
  return { results, logs, secrets };
}

/** Every text the caller could print: log lines and the whole results, as JSON. */
function everything(r: Run): string[] {
  return [...r.logs, JSON.stringify(r.results)];
}

function expectClean(r: Run, forbidden: string[]): void {
  for (const text of everything(r)) {
    for (const secret of forbidden) expect(text.includes(secret) ? `${secret} leaked in: ${text}` : 'clean').toBe('clean');
  }
}

test('real registries: passwords, Basic values, identity and bearer tokens are registered and never printed', async () => {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: R.user,
    password: R.password,
    access_type: 'offline',
    service: R.tokenService,
  });
  const refresh = ((await (await fetch(R.tokenRealm, { method: 'POST', body: form })).json()) as { refresh_token: string }).refresh_token;
  const basic = b64(`${R.user}:${R.password}`);
  const cfg = dockerConfig({ auths: { [R.tls]: { auth: basic }, [R.token]: { auth: b64(`${R.user}:`), identitytoken: refresh } } });
  const r = await run(
    [
      `${R.tls}/${R.repo}:${T.ociManifest}`,
      `${R.tls}/${R.repo}:nope`,
      { ref: `${R.tls}/${R.repo}:${T.ociIndex}`, platforms: 'linux/amd64,linux/arm64' },
      `${R.token}/${R.repo}:${T.dockerV2}`,
      `${R.token}/${R.repo}:nope`,
      { ref: `${R.token}/${R.repo}:${T.partialList}`, platforms: 'linux/amd64,linux/arm64' },
    ],
    { DOCKER_CONFIG: cfg, NODE_EXTRA_CA_CERTS: R.tlsCa },
  );
  expect(r.results.map((x) => x.result.status)).toEqual(['exists', 'missing', 'exists', 'exists', 'missing', 'missing']);
  // what reached setSecret: the password, the Basic value, the refresh token and issued JWTs
  expect(r.secrets).toEqual(expect.arrayContaining([R.password, basic, refresh]));
  const jwts = r.secrets.filter((s) => /^eyJ/.test(s));
  expect(jwts.length).toBeGreaterThanOrEqual(1);
  expectClean(r, [R.password, basic, refresh, ...jwts]);
  expect(r.logs.length).toBeGreaterThan(5);
});

test('wrong credentials: the rejection messages name the source, not the secret', async () => {
  const wrong = `wrong-${crypto.randomBytes(8).toString('hex')}`;
  const cfg = dockerConfig({ auths: { [R.tls]: { auth: b64(`${R.user}:${wrong}`) }, [R.token]: { auth: b64(`${R.user}:${wrong}`) } } });
  const r = await run([`${R.tls}/${R.repo}:${T.ociManifest}`, `${R.token}/${R.repo}:${T.ociManifest}`], {
    DOCKER_CONFIG: cfg,
    NODE_EXTRA_CA_CERTS: R.tlsCa,
  });
  expect(r.results.map((x) => x.result.status)).toEqual(['unknown', 'unknown']);
  expectClean(r, [wrong, b64(`${R.user}:${wrong}`)]);
});

describe('a registry that echoes credentials back', () => {
  const user = 'echo-user';
  const password = `p@ss:w/rd"${crypto.randomBytes(6).toString('hex')}`;
  const basic = b64(`${user}:${password}`);
  const echoBody = '{"errors":[{"code":"DENIED","message":"header {{authorization}} means {{authorization.decoded}}"}]}';

  function config(): string {
    return dockerConfig({ auths: { [echo.hostport]: { auth: basic } } });
  }

  test('Basic: error bodies quoting the Authorization header, decoded or not', async () => {
    await echo.setRules([
      { path: '^/v2/$', action: 'respond', status: 401, headers: { 'www-authenticate': 'Basic realm="echo"' } },
      { path: '/manifests/bad-request$', action: 'respond', status: 400, body: echoBody },
      { path: '/manifests/server-error$', action: 'respond', status: 500, body: echoBody },
      {
        path: '/manifests/plain-text$',
        method: 'GET',
        action: 'respond',
        status: 502,
        headers: { 'content-type': 'text/plain' },
        body: 'upstream said {{authorization.decoded}}',
      },
      { path: '/manifests/plain-text$', method: 'HEAD', action: 'respond', status: 502 },
    ]);
    const r = await run(
      [`${echo.hostport}/x/app:bad-request`, `${echo.hostport}/x/app:server-error`, `${echo.hostport}/x/app:plain-text`],
      {
        DOCKER_CONFIG: config(),
      },
    );
    // The password holds a '"', so the echoed body is broken JSON: it is quoted raw, redacted.
    const body = `{"errors":[{"code":"DENIED","message":"header Basic *** means ${user}:***"}]}`;
    expect(r.results.map((x) => x.result)).toEqual([
      { status: 'unknown', reason: `manifest bad-request of ${echo.hostport}/x/app: unexpected HTTP 400: ${body}` },
      { status: 'unknown', reason: `manifest server-error of ${echo.hostport}/x/app: server error HTTP 500 after 3 attempts: ${body}` },
      {
        status: 'unknown',
        reason: `manifest plain-text of ${echo.hostport}/x/app: server error HTTP 502 after 3 attempts: upstream said ${user}:***`,
      },
    ]);
    expectClean(r, [password, basic, encodeURIComponent(password)]);
    expect(r.secrets).toEqual(expect.arrayContaining([password, basic]));
  });

  test('Bearer: a token echoed by the registry, a password echoed by the token server', async () => {
    const token = `opaque-token-${crypto.randomBytes(8).toString('hex')}`;
    await echo.setRules([
      { path: '^/v2/$', action: 'respond', status: 401, headers: { 'www-authenticate': 'Bearer realm="{{self}}/token",service="echo"' } },
      {
        path: '^/token\\?.*scope=repository%3Ax%2Frefused',
        action: 'respond',
        status: 401,
        body: '{"details":"bad login {{authorization.decoded}}"}',
      },
      { path: '^/token', action: 'respond', status: 200, body: JSON.stringify({ token, expires_in: 60 }) },
      { path: '/manifests/', action: 'respond', status: 400, body: echoBody },
    ]);
    const r = await run([`${echo.hostport}/x/app:t`, `${echo.hostport}/x/refused:t`], { DOCKER_CONFIG: config() });
    expect(r.results.map((x) => x.result)).toEqual([
      { status: 'unknown', reason: `manifest t of ${echo.hostport}/x/app: unexpected HTTP 400: DENIED: header Bearer *** means` },
      {
        status: 'unknown',
        reason: expect.stringMatching(
          /^token server 127\.0\.0\.1:\d+ refused a token with credentials from .* \(HTTP 401\): \{"details":"bad login echo-user:\*\*\*"\}$/,
        ),
      },
    ]);
    expect(r.secrets).toEqual(expect.arrayContaining([token, password, basic]));
    expectClean(r, [token, password, basic]);
  });

  test('a credential helper that prints the secret on failure', async () => {
    const bin = tempDir('leaky-helper');
    const secret = `helper-secret-${crypto.randomBytes(6).toString('hex')}`;
    fs.writeFileSync(
      path.join(bin, 'docker-credential-leaky'),
      `#!/bin/sh\nread -r s\necho '{"Username":"u","Secret":"${secret}"}'\necho "failed for ${secret}" >&2\nexit 2\n`,
      { mode: 0o755 },
    );
    await echo.setRules([{ path: '^/v2/$', action: 'respond', status: 401, headers: { 'www-authenticate': 'Basic realm="echo"' } }]);
    const cfg = dockerConfig({ credHelpers: { [echo.hostport]: 'leaky' } });
    const r = await run([`${echo.hostport}/x/app:t`], { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` });
    expect(r.results[0].result).toEqual({
      status: 'unknown',
      reason: 'credential helper docker-credential-leaky exited with 2: {"Username":"u","Secret":"***"}',
    });
    expectClean(r, [secret]);
  });
});
