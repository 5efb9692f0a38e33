/**
 * Grammars checked before any registry request or build: action inputs, image keys, platforms,
 * argv, Dockerfile line lengths, and the bounded credential sources. Generated variants of each
 * family, plus the examples from issue 11.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { checkSecretSources, readInputs } from '../../src/action/inputs';
import { argvProblem } from '../../src/docker/run';
import { checkDockerfileLines, LIMITS } from '../../src/docker/sanitize';
import { findSpecFiles } from '../../src/discover/specFiles';
import { KEY_RE } from '../../src/plan/keys';
import { InputError } from '../../src/errors';
import { lookupCredentials, spawnHelper } from '../../src/registry/credentials';
import { platformProblem } from '../../src/registry/platform';
import { Redactor } from '../../src/registry/redact';
import { logSafe } from '../../src/util/logSafe';
import { commandish, injectedLines } from './support';
import { fcSeed } from '../differential/oracle';

const SEED = fcSeed();
const reader = (values: Record<string, string>) => (name: string) => values[name];
const inputs = (values: Record<string, string>) => readInputs(reader({ specs: '*.yaml', ...values }), { GITHUB_WORKSPACE: '/ws' }, '/ws');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'validation-'));

describe('action inputs', () => {
  test.each(['mode', 'on-unknown', 'cache', 'push', 'force', 'fail-fast', 'fail-on-missing', 'cache-mounts', 'concurrency'])(
    "an explicit empty '%s' is refused, not a silent default",
    (name) => {
      expect(() => inputs({ [name]: '' })).toThrow(`input '${name}' is empty`);
    },
  );

  test.each([
    '*',
    '0.0.0.0/0',
    '10.0.0.0/8',
    'http://example.com',
    'https://r.io:5000',
    'a b',
    '$(pwn)',
    '`id`',
    'r.io/path',
    'r.io:99999',
    'r.io:',
    '-r.io',
    '[::1',
    'r.io;x',
  ])('insecure-registries %j is refused with a clear error', (entry) => {
    expect(() => inputs({ 'insecure-registries': `ok.internal:5000\n${entry}` })).toThrow(/is not a registry host|control characters/);
  });

  test('insecure-registries takes host and host:port, IPv6 in brackets', () => {
    expect(inputs({ 'insecure-registries': 'Reg.internal, 10.1.2.3:5000\n[::1]:5000' }).insecureRegistries).toEqual([
      'reg.internal',
      '10.1.2.3:5000',
      '[::1]:5000',
    ]);
  });

  test('generated insecure-registries entries: accepted only when they are host[:port]', () => {
    fc.assert(
      fc.property(commandish, (s) => {
        let ok = true;
        try {
          inputs({ 'insecure-registries': s });
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          ok = false;
        }
        if (ok) for (const e of s.split(/[\n,]/).map((x) => x.trim())) expect(e === '' || /^[A-Za-z0-9.[\]:-]+$/.test(e)).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  test.each([
    ['builder', 'a\nb'],
    ['builder', 'a b'],
    ['builder', '--help'],
    ['cache-ref', 'ghcr.io/a/b:tag'],
    ['cache-ref', 'http://x/y'],
    ['only', 'a b'],
    ['only', '$(id)'],
    ['host-machine', 'x86_64\n::warning::x'],
    ['python-version', '3.11; id'],
    ['flytekit-version', '1.0 ; id'],
    ['specs', 'a.yaml\0'],
    ['pip-secret-mounts', '.netrc:/root/.netrc,x'],
    ['pip-secret-mounts', 'a\u0007b:/root/.netrc'],
  ])('%s %j is refused before anything runs', (name, value) => {
    expect(() => inputs({ [name]: value, ...(name === 'cache-ref' ? { cache: 'registry' } : {}) })).toThrow(InputError);
  });

  test('generated builders, keys and cache refs never pass with a control character or blank', () => {
    fc.assert(
      fc.property(commandish, fc.constantFrom('builder', 'only', 'cache-ref', 'host-machine'), (v, name) => {
        try {
          inputs({ [name]: v });
        } catch {
          return;
        }
        expect(logSafe(v.trim())).toBe(v.trim());
        expect(v.trim()).not.toMatch(/\s|::|##\[/);
      }),
      { seed: SEED, numRuns: 800 },
    );
  });

  test('pip-secret-mounts sources: a missing file, a directory, a FIFO, /dev/zero and a huge file are refused', () => {
    const ws = tmp();
    fs.mkdirSync(path.join(ws, 'dir'));
    execFileSync('mkfifo', [path.join(ws, 'fifo')]);
    fs.writeFileSync(path.join(ws, 'big'), Buffer.alloc(600 * 1024));
    fs.writeFileSync(path.join(ws, '.netrc'), 'machine x login u password p\n');
    const check = (src: string) => () => checkSecretSources([{ src: path.resolve(ws, src), target: '/root/.netrc' }], ws);
    expect(check('missing')).toThrow('does not exist');
    expect(check('dir')).toThrow('is not a regular file');
    expect(check('fifo')).toThrow('is not a regular file');
    expect(check('/dev/zero')).toThrow('is not a regular file');
    expect(check('big')).toThrow('larger than');
    expect(check('.netrc')).not.toThrow();
    fs.rmSync(ws, { recursive: true, force: true });
  });
});

describe('image keys', () => {
  test('file names that give no valid key are refused, naming the file escaped', async () => {
    const ws = tmp();
    const names = [
      'zz --image app=attacker:pwned --image y.yaml',
      'a\n::warning::X.yaml',
      `${'k'.repeat(240)}.yaml`,
      '-x.yaml',
      '$(id).yaml',
    ];
    for (const n of names) {
      const dir = fs.mkdtempSync(path.join(ws, 'd'));
      fs.writeFileSync(path.join(dir, 'ok.yaml'), 'name: ok\n');
      fs.writeFileSync(path.join(dir, n), 'name: x\n');
      const err = await findSpecFiles('*.yaml', dir).then(
        () => undefined,
        (e: unknown) => e as InputError,
      );
      expect(err).toBeInstanceOf(InputError);
      expect(err!.message).toContain('no valid image key');
      expect(err!.message).not.toMatch(/[\n\r]/);
      expect(injectedLines(err!.message)).toEqual([]);
    }
    fs.rmSync(ws, { recursive: true, force: true });
  });

  test('generated file names: a key is accepted only when it is a shell-inert word', async () => {
    const ws = tmp();
    await fc.assert(
      fc.asyncProperty(commandish, async (stem) => {
        if (stem === '' || stem.includes('/') || stem.includes('\0') || Buffer.byteLength(stem) > 200) return;
        const dir = fs.mkdtempSync(path.join(ws, 'd'));
        try {
          fs.writeFileSync(path.join(dir, `${stem}.yaml`), 'name: x\n');
        } catch {
          return; // names the file system refuses ('.', '..')
        }
        try {
          const files = await findSpecFiles('*.yaml', dir);
          for (const f of files) expect(f.key).toMatch(KEY_RE);
          for (const f of files) expect(f.key).not.toMatch(/[^A-Za-z0-9_.-]/);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
    fs.rmSync(ws, { recursive: true, force: true });
  });
});

describe('platform grammar', () => {
  test.each(['linux/amd64', 'linux/arm64/v8', 'linux/amd64,linux/arm64', 'linux/arm/v7,linux/386', 'windows/amd64'])(
    '%j is accepted',
    (p) => expect(platformProblem(p)).toBeUndefined(),
  );
  test.each([
    'linux/amd64x\n::warning::X',
    'linux/amd64 x',
    'linux/amd64\0',
    'linux',
    'linux/amd64/v8/x',
    'linux/amd64, linux/arm64',
    'linux/amd64,',
    '',
    '--push',
  ])('%j is refused', (p) => expect(platformProblem(p)).toBeDefined());
  test('a 200 KB platform is refused', () => expect(platformProblem(`linux/${'a'.repeat(200_000)}`)).toMatch(/longer than/));

  test('generated platforms: accepted ones are os/arch[/variant] lists of plain words', () => {
    fc.assert(
      fc.property(commandish, (s) => {
        if (platformProblem(s) === undefined) expect(s).toMatch(/^[A-Za-z0-9_/,-]+$/);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('argv and Dockerfile limits', () => {
  test('argv: control characters, long arguments and long command lines are found', () => {
    expect(argvProblem(['buildx', 'build', '--platform', 'linux/amd64'])).toBeUndefined();
    expect(argvProblem(['--platform', 'linux/amd64\0'])).toMatch(/control character/);
    expect(argvProblem(['--platform', 'a\n::warning::x'])).toMatch(/control character/);
    expect(argvProblem(['--tag', 'x'.repeat(20_000)])).toMatch(/longer than/);
    expect(argvProblem(Array.from({ length: 40 }, () => 'x'.repeat(10_000)))).toMatch(/command line is longer/);
  });

  test('a Dockerfile line over the BuildKit limit is refused, naming the field', () => {
    expect(() => checkDockerfileLines(`FROM x\nRUN apt-get install -y ${'a '.repeat(40_000)}\n`)).toThrow(/BuildKit/);
    try {
      checkDockerfileLines(`ENTRYPOINT ["${'a'.repeat(LIMITS.line)}"]`);
    } catch (e) {
      expect((e as { field?: string }).field).toBe('entrypoint');
    }
    expect(() => checkDockerfileLines(`FROM x\nRUN ${'a'.repeat(LIMITS.line - 4)}\n`)).not.toThrow();
  });
});

describe('credential sources are bounded', () => {
  const helperDir = () => {
    const dir = tmp();
    const helper = (name: string, body: string) => {
      const f = path.join(dir, `docker-credential-${name}`);
      fs.writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    };
    helper('sleeps', 'sleep 600');
    helper('grandchild', '(sleep 600) &\necho "{\\"Username\\":\\"u\\",\\"Secret\\":\\"s\\"}"');
    helper('floods', 'yes x');
    helper('ok', 'cat >/dev/null; echo "{\\"Username\\":\\"u\\",\\"Secret\\":\\"s3cret\\"}"');
    return dir;
  };

  test('a helper that never answers is killed at the timeout, with its children', async () => {
    const dir = helperDir();
    const env = { PATH: `${dir}:${process.env.PATH}` };
    const t = Date.now();
    await expect(spawnHelper('sleeps', 'r.io', env, { timeoutMs: 500, maxOutputBytes: 1024 })).rejects.toThrow('no answer within');
    expect(Date.now() - t).toBeLessThan(5000);
  });

  test('a helper that leaves a child holding its output still answers', async () => {
    const dir = helperDir();
    const t = Date.now();
    const r = await spawnHelper('grandchild', 'r.io', { PATH: `${dir}:${process.env.PATH}` }, { timeoutMs: 10_000, maxOutputBytes: 1024 });
    expect(r.stdout).toContain('Secret');
    expect(Date.now() - t).toBeLessThan(5000);
  });

  test('a helper that prints without end is stopped at the output cap', async () => {
    const dir = helperDir();
    await expect(
      spawnHelper('floods', 'r.io', { PATH: `${dir}:${process.env.PATH}` }, { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 }),
    ).rejects.toThrow('bytes of output');
  });

  test('config.json as a FIFO, a directory or a huge file fails fast with a reason; a normal one works', async () => {
    const dir = tmp();
    const lookup = (d: string) => lookupCredentials('r.io', new Redactor(), { env: { DOCKER_CONFIG: d } });
    execFileSync('mkfifo', [path.join(dir, 'config.json')]);
    await expect(lookup(dir)).rejects.toThrow('not a regular file');
    const d2 = tmp();
    fs.mkdirSync(path.join(d2, 'config.json'));
    await expect(lookup(d2)).rejects.toThrow(/not a regular file|EISDIR/);
    const d3 = tmp();
    fs.writeFileSync(path.join(d3, 'config.json'), `{"auths":{},"x":"${'a'.repeat(2 * 1024 * 1024)}"}`);
    await expect(lookup(d3)).rejects.toThrow('larger than');
    const d4 = tmp();
    fs.writeFileSync(path.join(d4, 'config.json'), JSON.stringify({ auths: { 'r.io': { auth: Buffer.from('u:p').toString('base64') } } }));
    await expect(lookup(d4)).resolves.toMatchObject({ username: 'u', password: 'p' });
  });
});
