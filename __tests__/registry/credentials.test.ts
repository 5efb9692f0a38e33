import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CredentialDeps,
  CredentialError,
  dockerConfigPath,
  HelperResult,
  lookupCredentials,
  normalizeConfigKey,
} from '../../src/registry/credentials';
import { Redactor } from '../../src/registry/redact';
import { b64, tempDir } from './support/infra';

function deps(config: unknown, helpers: Record<string, (url: string) => HelperResult> = {}) {
  const calls: Array<{ helper: string; url: string }> = [];
  const d: Partial<CredentialDeps> = {
    env: { DOCKER_CONFIG: '/cfg' },
    homedir: () => '/home/u',
    readFile: async (f) => {
      if (f !== '/cfg/config.json') throw new Error(`unexpected read ${f}`);
      return config === undefined ? undefined : typeof config === 'string' ? config : JSON.stringify(config);
    },
    runHelper: async (helper, url) => {
      calls.push({ helper, url });
      const h = helpers[helper];
      if (!h) throw Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
      return h(url);
    },
  };
  return { d, calls };
}

const ok = (user: string, secret: string): HelperResult => ({
  code: 0,
  stdout: JSON.stringify({ ServerURL: 'x', Username: user, Secret: secret }),
  stderr: '',
});

describe('dockerConfigPath / normalizeConfigKey', () => {
  test('DOCKER_CONFIG wins, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' }, () => '/h')).toBe('/x/config.json');
    expect(dockerConfigPath({}, () => '/h')).toBe('/h/.docker/config.json');
    expect(dockerConfigPath({ DOCKER_CONFIG: '' }, () => '/h')).toBe('/h/.docker/config.json');
  });
  test.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://Reg.Example:5000/v2/', 'reg.example:5000'],
    ['ghcr.io', 'ghcr.io'],
  ])('%s → %s', (k, want) => expect(normalizeConfigKey(k)).toBe(want));
});

describe('lookupCredentials', () => {
  test('no config file / empty file → anonymous', async () => {
    expect(await lookupCredentials('ghcr.io', new Redactor(), deps(undefined).d)).toBeUndefined();
    expect(await lookupCredentials('ghcr.io', new Redactor(), deps('').d)).toBeUndefined();
  });

  test('auths.auth (base64 user:password), registered as secrets', async () => {
    const secrets: string[] = [];
    const r = new Redactor((s) => secrets.push(s));
    const c = await lookupCredentials('ghcr.io', r, deps({ auths: { 'ghcr.io': { auth: b64('me:pa:ss') } } }).d);
    expect(c).toEqual({ username: 'me', password: 'pa:ss', source: '/cfg/config.json auths["ghcr.io"]' });
    expect(secrets).toEqual(expect.arrayContaining(['pa:ss', b64('me:pa:ss')]));
  });

  test('keys with scheme/path match; Docker Hub under https://index.docker.io/v1/', async () => {
    const cfg = { auths: { 'https://reg.example:5000/v1/': { auth: b64('a:b') }, 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } };
    expect(await lookupCredentials('reg.example:5000', new Redactor(), deps(cfg).d)).toMatchObject({ username: 'a', password: 'b' });
    expect(await lookupCredentials('docker.io', new Redactor(), deps(cfg).d)).toMatchObject({ username: 'hub', password: 'pw' });
    expect(await lookupCredentials('other.example', new Redactor(), deps(cfg).d)).toBeUndefined();
  });

  test('identitytoken and registrytoken entries', async () => {
    const cfg = { auths: { 'a.io': { auth: b64('u:'), identitytoken: 'idtok' }, 'b.io': { registrytoken: 'regtok' } } };
    expect(await lookupCredentials('a.io', new Redactor(), deps(cfg).d)).toMatchObject({ username: 'u', identityToken: 'idtok' });
    expect(await lookupCredentials('b.io', new Redactor(), deps(cfg).d)).toMatchObject({ registryToken: 'regtok' });
  });

  test('credHelpers first, then credsStore, then auths', async () => {
    const cfg = {
      credHelpers: { 'gcr.example': 'gcr' },
      credsStore: 'desktop',
      auths: { 'gcr.example': { auth: b64('file:user') }, 'plain.example': { auth: b64('p:q') } },
    };
    const { d, calls } = deps(cfg, {
      gcr: () => ok('oauth2accesstoken', 'gcr-secret'),
      desktop: () => ({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' }),
    });
    expect(await lookupCredentials('gcr.example', new Redactor(), d)).toEqual({
      username: 'oauth2accesstoken',
      password: 'gcr-secret',
      source: 'docker-credential-gcr',
    });
    // credsStore says "not found": fall back to the file entry
    expect(await lookupCredentials('plain.example', new Redactor(), d)).toMatchObject({ username: 'p', password: 'q' });
    expect(calls).toEqual([
      { helper: 'gcr', url: 'gcr.example' },
      { helper: 'desktop', url: 'plain.example' },
    ]);
  });

  test('helper answering Username <token> gives an identity token; Docker Hub asks for the v1 URL', async () => {
    const { d, calls } = deps({ credsStore: 'x' }, { x: () => ok('<token>', 'refresh') });
    expect(await lookupCredentials('docker.io', new Redactor(), d)).toEqual({ identityToken: 'refresh', source: 'docker-credential-x' });
    expect(calls[0].url).toBe('https://index.docker.io/v1/');
  });

  test('helper failures are errors without the secret; a missing helper is named', async () => {
    const r = new Redactor();
    const { d } = deps(
      { credHelpers: { 'a.io': 'broken', 'b.io': 'absent' } },
      { broken: () => ({ code: 3, stdout: JSON.stringify({ Secret: 'leaked-secret-value' }), stderr: 'boom leaked-secret-value' }) },
    );
    const e1 = await lookupCredentials('a.io', r, d).catch((e: Error) => e);
    expect(e1).toBeInstanceOf(CredentialError);
    expect((e1 as Error).message).toMatch(/docker-credential-broken exited with 3/);
    expect((e1 as Error).message).not.toContain('leaked-secret-value');
    await expect(lookupCredentials('b.io', r, d)).rejects.toThrow('credential helper docker-credential-absent not found on PATH');
  });

  test('malformed config.json and auth fields are errors', async () => {
    await expect(lookupCredentials('a.io', new Redactor(), deps('{nope').d)).rejects.toThrow(/cannot parse \/cfg\/config.json/);
    await expect(lookupCredentials('a.io', new Redactor(), deps({ auths: { 'a.io': { auth: b64('nocolon') } } }).d)).rejects.toThrow(
      /not base64 of "user:password"/,
    );
  });

  test('a real docker-credential-test helper on a temporary PATH', async () => {
    const bin = tempDir('cred-bin');
    const log = path.join(bin, 'calls.log');
    fs.writeFileSync(
      path.join(bin, 'docker-credential-test'),
      `#!/bin/sh
read -r server
echo "$1 $server" >> "${log}"
case "$server" in
  helper.example) printf '{"ServerURL":"%s","Username":"robot","Secret":"s3cr3t-from-helper"}\\n' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
      { mode: 0o755 },
    );
    const cfgDir = tempDir('cred-cfg');
    fs.writeFileSync(
      path.join(cfgDir, 'config.json'),
      JSON.stringify({ credHelpers: { 'helper.example': 'test', 'other.example': 'test' } }),
    );
    const env = { PATH: `${bin}:/usr/bin:/bin`, DOCKER_CONFIG: cfgDir };
    const secrets: string[] = [];
    const r = new Redactor((s) => secrets.push(s));
    expect(await lookupCredentials('helper.example', r, { env })).toEqual({
      username: 'robot',
      password: 's3cr3t-from-helper',
      source: 'docker-credential-test',
    });
    expect(secrets).toContain('s3cr3t-from-helper');
    expect(await lookupCredentials('other.example', r, { env })).toBeUndefined();
    expect(fs.readFileSync(log, 'utf8')).toBe('get helper.example\nget other.example\n');
  });
});
