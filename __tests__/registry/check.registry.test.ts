/**
 * checkImages against real registries (distribution 2.8) on 127.0.0.1, holding images pushed by
 * skopeo/buildah in all four manifest forms: plain HTTP, HTTPS + htpasswd, Bearer token auth.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { checkImages, CheckOptions, ImageStatus, MEDIA_TYPES } from '../../src/registry';
import { b64, dockerConfig, FIXTURE_TAGS as T, Registries, startRegistries, tempDir } from './support/infra';

let R: Registries;
beforeAll(() => {
  R = startRegistries();
});

/** An environment that never sees the developer's own ~/.docker or CA settings. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('home'), ...extra };
}

const fast: CheckOptions = { timeoutMs: 5000, retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100 } };

async function one(ref: string, opts: CheckOptions = {}, platforms?: string): Promise<ImageStatus> {
  const [r] = await checkImages([{ ref, platforms }], { ...fast, env: env(), ...opts });
  return r.result;
}

describe('plain HTTP registry (loopback)', () => {
  test.each([
    [T.ociManifest, MEDIA_TYPES.ociManifest],
    [T.dockerV2, MEDIA_TYPES.dockerManifest],
    [T.ociIndex, MEDIA_TYPES.ociIndex],
    [T.dockerList, MEDIA_TYPES.dockerList],
  ])('%s exists as %s', async (tag, mediaType) => {
    const s = await one(`${R.plain}/${R.repo}:${tag}`);
    expect(s).toEqual({ status: 'exists', mediaType, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });

  test('the digest is the registry’s own (Docker list not converted to a child or to schema 1)', async () => {
    const s = await one(`${R.plain}/${R.repo}:${T.dockerList}`);
    const curlDigest = await new Promise<string | undefined>((resolve, reject) => {
      http
        .request(
          `http://${R.plain}/v2/${R.repo}/manifests/${T.dockerList}`,
          { method: 'HEAD', headers: { accept: MEDIA_TYPES.dockerList }, agent: false },
          (res) => {
            res.resume();
            resolve(res.headers['docker-content-digest'] as string | undefined);
          },
        )
        .on('error', reject)
        .end();
    });
    expect(s.status === 'exists' && s.digest).toBe(curlDigest);
  });

  test('absent tag and absent repository → missing', async () => {
    expect(await one(`${R.plain}/${R.repo}:no-such-tag`)).toEqual({
      status: 'missing',
      reason: `no-such-tag not found in ${R.plain}/${R.repo} (HTTP 404)`,
    });
    expect(await one(`${R.plain}/imagespec-test/no-such-repo:t`)).toMatchObject({ status: 'missing' });
  });

  test('a digest reference', async () => {
    const s = await one(`${R.plain}/${R.repo}:${T.ociIndex}`);
    expect(s.status).toBe('exists');
    const digest = s.status === 'exists' ? s.digest! : '';
    expect(await one(`${R.plain}/${R.repo}@${digest}`)).toMatchObject({ status: 'exists', digest });
    expect(await one(`${R.plain}/${R.repo}@sha256:${'0'.repeat(64)}`)).toMatchObject({ status: 'missing' });
  });

  test('many references at once keep their order; duplicates are answered once', async () => {
    const refs = [T.ociManifest, 'nope-1', T.dockerV2, 'nope-2', T.ociManifest].map((t) => `${R.plain}/${R.repo}:${t}`);
    const logs: string[] = [];
    const results = await checkImages(refs, { ...fast, env: env(), log: (l) => logs.push(l), concurrency: 2 });
    expect(results.map((r) => [r.ref, r.result.status])).toEqual([
      [refs[0], 'exists'],
      [refs[1], 'missing'],
      [refs[2], 'exists'],
      [refs[3], 'missing'],
      [refs[4], 'exists'],
    ]);
    expect(logs.filter((l) => l.startsWith(`HEAD http://${R.plain}/v2/${R.repo}/manifests/${T.ociManifest}`))).toHaveLength(1);
    // one HTTPS probe, then plain HTTP for good
    expect(logs.filter((l) => l.includes('using plain HTTP'))).toHaveLength(1);
  });
});

describe('multi-platform specs', () => {
  const both = 'linux/amd64,linux/arm64';
  test.each([T.ociIndex, T.dockerList])('%s covering amd64+arm64 → exists with its platforms', async (tag) => {
    expect(await one(`${R.plain}/${R.repo}:${tag}`, {}, both)).toMatchObject({
      status: 'exists',
      platforms: ['linux/amd64', 'linux/arm64'],
    });
  });

  test.each([T.partialIndex, T.partialList])('%s with only amd64 → missing, naming linux/arm64', async (tag) => {
    expect(await one(`${R.plain}/${R.repo}:${tag}`, {}, both)).toEqual({
      status: 'missing',
      reason: 'the image exists but lacks platform linux/arm64 (it has linux/amd64)',
      absentPlatforms: ['linux/arm64'],
    });
  });

  test('single-platform manifests are judged by their config', async () => {
    expect(await one(`${R.plain}/${R.repo}:${T.arm64Manifest}`, {}, both)).toMatchObject({
      status: 'missing',
      absentPlatforms: ['linux/amd64'],
    });
    expect(await one(`${R.plain}/${R.repo}:${T.dockerV2}`, {}, [both, 'linux/arm/v7'].join(','))).toMatchObject({
      status: 'missing',
      absentPlatforms: ['linux/arm64', 'linux/arm/v7'],
    });
  });

  test('one platform needs no index read; a bad platform string is unknown', async () => {
    expect(await one(`${R.plain}/${R.repo}:${T.partialIndex}`, {}, 'linux/arm64')).toMatchObject({ status: 'exists' });
    expect(await one(`${R.plain}/${R.repo}:${T.ociIndex}`, {}, 'linux')).toEqual({
      status: 'unknown',
      reason: 'invalid platform "linux": expected os/arch[/variant]',
    });
  });

  test('a missing tag stays missing without platforms', async () => {
    expect(await one(`${R.plain}/${R.repo}:nope`, {}, both)).toEqual({
      status: 'missing',
      reason: `nope not found in ${R.plain}/${R.repo} (HTTP 404)`,
    });
  });
});

describe('HTTPS + Basic auth registry', () => {
  const caEnv = () => ({ NODE_EXTRA_CA_CERTS: R.tlsCa });

  test('credentials from config.json auths.auth', async () => {
    const cfg = dockerConfig({ auths: { [R.tls]: { auth: b64(`${R.user}:${R.password}`) } } });
    const opts = { env: env({ DOCKER_CONFIG: cfg, ...caEnv() }) };
    expect(await one(`${R.tls}/${R.repo}:${T.ociManifest}`, opts)).toMatchObject({ status: 'exists', mediaType: MEDIA_TYPES.ociManifest });
    expect(await one(`${R.tls}/${R.repo}:${T.dockerList}`, opts, 'linux/amd64,linux/arm64')).toMatchObject({ status: 'exists' });
    expect(await one(`${R.tls}/${R.repo}:absent`, opts)).toMatchObject({ status: 'missing' });
  });

  test('credentials from a credential helper (docker-credential-test on a temporary PATH)', async () => {
    const bin = tempDir('helper');
    fs.writeFileSync(
      path.join(bin, 'docker-credential-test'),
      `#!/bin/sh\nread -r server\n[ "$server" = "${R.tls}" ] || { echo "credentials not found in native keychain"; exit 1; }\n` +
        `printf '{"ServerURL":"%s","Username":"${R.user}","Secret":"${R.password}"}' "$server"\n`,
      { mode: 0o755 },
    );
    const cfg = dockerConfig({ credHelpers: { [R.tls]: 'test' } });
    const opts = { env: env({ DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}`, ...caEnv() }) };
    expect(await one(`${R.tls}/${R.repo}:${T.dockerV2}`, opts)).toMatchObject({ status: 'exists' });
  });

  test('no credentials → unknown (401), naming the config file looked at', async () => {
    const cfgDir = tempDir('empty-cfg');
    const s = await one(`${R.tls}/${R.repo}:${T.ociManifest}`, { env: env({ DOCKER_CONFIG: cfgDir, ...caEnv() }) });
    expect(s).toEqual({
      status: 'unknown',
      reason: `manifest ${T.ociManifest} of ${R.tls}/${R.repo}: authentication required (HTTP 401) and no credentials for ${R.tls} in ${cfgDir}/config.json`,
    });
  });

  test('wrong password → unknown (401, credentials not accepted)', async () => {
    const cfg = dockerConfig({ auths: { [R.tls]: { auth: b64(`${R.user}:wrong-password`) } } });
    const s = await one(`${R.tls}/${R.repo}:${T.ociManifest}`, { env: env({ DOCKER_CONFIG: cfg, ...caEnv() }) });
    expect(s.status).toBe('unknown');
    expect(s.status === 'unknown' && s.reason).toMatch(/credentials from .*config\.json auths\[.*\] were not accepted \(HTTP 401\)/);
  });

  test('CA passed as an option works like NODE_EXTRA_CA_CERTS', async () => {
    const cfg = dockerConfig({ auths: { [R.tls]: { auth: b64(`${R.user}:${R.password}`) } } });
    const s = await one(`${R.tls}/${R.repo}:${T.ociIndex}`, { env: env({ DOCKER_CONFIG: cfg }), ca: [fs.readFileSync(R.tlsCa, 'utf8')] });
    expect(s).toMatchObject({ status: 'exists' });
  });

  test('without the CA → unknown with a TLS reason, and no fallback to plain HTTP', async () => {
    const logs: string[] = [];
    const s = await one(`${R.tls}/${R.repo}:${T.ociManifest}`, { env: env(), log: (l) => logs.push(l) });
    expect(s).toEqual({
      status: 'unknown',
      reason: `TLS error from https://${R.tls}: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS`,
    });
    expect(logs.some((l) => l.includes(`http://${R.tls}`))).toBe(false);
  });
});

describe('Bearer token registry', () => {
  test('anonymous pull: exists and missing', async () => {
    const logs: string[] = [];
    const opts = { log: (l: string) => logs.push(l) };
    expect(await one(`${R.token}/${R.repo}:${T.ociIndex}`, opts)).toMatchObject({ status: 'exists', mediaType: MEDIA_TYPES.ociIndex });
    expect(await one(`${R.token}/${R.repo}:gone`, opts)).toMatchObject({ status: 'missing' });
    expect(logs.filter((l) => /got a token for repository:imagespec-test\/app:pull .* anonymously/.test(l))).toHaveLength(2);
  });

  test('user/password from config.json: token fetched with Basic credentials, cached per scope', async () => {
    const cfg = dockerConfig({ auths: { [R.token]: { auth: b64(`${R.user}:${R.password}`) } } });
    const logs: string[] = [];
    const results = await checkImages(
      [T.ociManifest, T.dockerV2, T.ociIndex, 'missing-tag']
        .map((t) => `${R.token}/${R.repo}:${t}`)
        .concat(`${R.token}/imagespec-test/other:x`),
      { ...fast, env: env({ DOCKER_CONFIG: cfg }), log: (l) => logs.push(l) },
    );
    expect(results.map((r) => r.result.status)).toEqual(['exists', 'exists', 'exists', 'missing', 'missing']);
    const fetched = logs.filter((l) => l.startsWith('got a token'));
    expect(fetched).toHaveLength(2); // one per repository scope
    expect(fetched.every((l) => l.includes('with credentials from'))).toBe(true);
  });

  test('identity token (OAuth2 refresh token) from config.json', async () => {
    // What `docker login` does: password grant with access_type=offline → refresh_token.
    const form = new URLSearchParams({
      grant_type: 'password',
      username: R.user,
      password: R.password,
      access_type: 'offline',
      service: R.tokenService,
      client_id: 'test',
      scope: '',
    });
    const res = await fetch(R.tokenRealm, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const refresh = ((await res.json()) as { refresh_token?: string }).refresh_token;
    expect(refresh).toMatch(/^rt\./);
    const cfg = dockerConfig({ auths: { [R.token]: { auth: b64(`${R.user}:`), identitytoken: refresh } } });
    const logs: string[] = [];
    const s = await one(
      `${R.token}/${R.repo}:${T.dockerList}`,
      { env: env({ DOCKER_CONFIG: cfg }), log: (l) => logs.push(l) },
      'linux/amd64,linux/arm64',
    );
    expect(s).toMatchObject({ status: 'exists', platforms: ['linux/amd64', 'linux/arm64'] });
    expect(logs.some((l) => l.startsWith('POST ') && l.includes('/token -> 200'))).toBe(true);

    const bad = dockerConfig({ auths: { [R.token]: { identitytoken: 'rt.bogus.token' } } });
    const s2 = await one(`${R.token}/${R.repo}:${T.dockerList}`, { env: env({ DOCKER_CONFIG: bad }) });
    expect(s2).toEqual({
      status: 'unknown',
      reason: expect.stringMatching(/^token server 127\.0\.0\.1:\d+ refused a token with credentials from .* \(HTTP 401\)/),
    });
  });

  test('wrong password at the token server → unknown', async () => {
    const cfg = dockerConfig({ auths: { [R.token]: { auth: b64(`${R.user}:not-it`) } } });
    const s = await one(`${R.token}/${R.repo}:${T.ociManifest}`, { env: env({ DOCKER_CONFIG: cfg }) });
    expect(s.status === 'unknown' && s.reason).toMatch(/refused a token .* \(HTTP 401\).*incorrect username or password/);
  });
});

describe('references the checker will not guess about', () => {
  test('no registry host → unknown (nothing is contacted)', async () => {
    const logs: string[] = [];
    const results = await checkImages(['flyteorg/flytekit:abc', 'myimage:tag'], { env: env(), log: (l) => logs.push(l) });
    expect(results.map((r) => r.result)).toEqual([
      {
        status: 'unknown',
        reason:
          '"flyteorg/flytekit:abc" names no registry host (Docker would read it as docker.io/flyteorg/flytekit); cannot check where it would be pushed',
      },
      {
        status: 'unknown',
        reason:
          '"myimage:tag" names no registry host (Docker would read it as docker.io/library/myimage); cannot check where it would be pushed',
      },
    ]);
    expect(logs.filter((l) => /^(GET|HEAD|POST) /.test(l))).toEqual([]);
  });

  test('invalid reference → unknown', async () => {
    expect(await one(`${R.plain}/Upper/Case:t`)).toEqual({
      status: 'unknown',
      reason: `invalid image reference: repository name must be lowercase: "${R.plain}/Upper/Case:t"`,
    });
  });
});
