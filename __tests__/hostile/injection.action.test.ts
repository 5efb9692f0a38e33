/**
 * Hostile input through the bundled action (issue 11: workflow-command injection, image keys,
 * registry answers that are not manifests, validation before the first build, bounded credential
 * sources). Generated variants of each family; every case checks all the runner reads: no line of
 * stdout or stderr is a workflow command that foreign text started.
 *
 * Registries here are the fault proxy (scripts/fault-proxy) answering on its own, like a captive
 * portal would, on an ephemeral loopback port. Builds go to a stand-in `docker` on PATH that only
 * records its arguments: these cases are about what happens before any real build (the real
 * builds are in __tests__/action/build.action.test.ts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { closedPort, FaultProxy, startProxy } from '../registry/support/infra';
import { workspace } from '../support/fixtures';
import { imagesOf, parseCommand, runStep, StepResult } from '../support/runner';
import { fcSeed } from '../differential/oracle';

const SEED = fcSeed();
const RUNS = Number(process.env.IMAGESPEC_HOSTILE_RUNS ?? 6);
const MARK = 'PWNED';

/** Line breaks of every kind, then a workflow command carrying the mark. */
const payload: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('\n', '\r', '\r\n', '\n  ', '\u2028', '\u0085'),
    fc.constantFrom('::warning::', '::error file=x.yaml,line=1::', '::add-mask::', '::stop-commands::', '##[error]', '::notice::'),
  )
  .map(([nl, cmd]) => `${nl}${cmd}${MARK}`);

/** Whether foreign text made a workflow command: the runner would act on any of these lines. */
function expectNoInjection(r: StepResult): void {
  for (const line of `${r.stdout}\n${r.stderr}`.split(/\r\n|\r|\n/)) {
    expect(line.includes('##[') ? `legacy command: ${line}` : 'ok').toBe('ok');
    const cmd = parseCommand(line.trimStart());
    if (!cmd) continue;
    expect(['stop-commands', 'add-matcher', 'echo', 'notice'].includes(cmd.name) ? `command ${cmd.name}: ${line}` : 'ok').toBe('ok');
    expect(cmd.data.startsWith(MARK) ? `injected: ${line}` : 'ok').toBe('ok');
    if (cmd.name === 'add-mask') expect(cmd.data).not.toContain(MARK);
    expect(JSON.stringify(cmd.props)).not.toContain(MARK.toLowerCase());
  }
  for (const a of r.annotations) expect(a.message.startsWith(MARK)).toBe(false);
}

/** A `docker` that records its argv (one JSON line a call) and succeeds. */
function fakeDocker(): { bin: string; calls: () => string[][] } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'));
  const log = path.join(bin, 'calls.jsonl');
  fs.writeFileSync(
    path.join(bin, 'docker'),
    `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
    { mode: 0o755 },
  );
  return {
    bin,
    calls: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[])
        : [],
  };
}

/** A spec file name git allows but a shell and the runner's log do not like. */
function tryWrite(file: string, text: string): boolean {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return true;
  } catch {
    return false;
  }
}

describe('workflow-command injection from the repository', () => {
  test.each(['plan', 'check', 'build'])('a spec file name with a line break and a command is refused in %s mode, escaped', async (mode) => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const ws = workspace({ 'ok.yaml': 'name: ok\nregistry: localhost:1/x\n' });
        if (!tryWrite(path.join(ws, `a${p}.yaml`), 'name: a\n')) return;
        const docker = fakeDocker();
        const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode }, env: { PATH: `${docker.bin}:${process.env.PATH}` } });
        expect(r.exitCode).toBe(1);
        expect(r.annotations.some((a) => a.level === 'error' && a.message.includes('no valid image key'))).toBe(true);
        expectNoInjection(r);
        expect(docker.calls()).toEqual([]);
        expect(r.outputs).toEqual({});
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('a directory name with a line break and a command: planned, every line escaped', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const ws = workspace({});
        if (!tryWrite(path.join(ws, `d${p}`, 'app.yaml'), 'name: app\nregistry: ghcr.io/acme\n')) return;
        // fast-glob's `**` does not descend into such directories; one level of `*` does.
        const r = await runStep({ workspace: ws, with: { specs: '*/app.yaml', mode: 'plan' } });
        expect(r.exitCode).toBe(0);
        expectNoInjection(r);
        const [rec] = imagesOf(r);
        expect(rec.key).toBe('app');
        expect(rec.file).toBe(`d${p}/app.yaml`);
        expect(r.outputs['image-args']).toMatch(/^--image app=ghcr\.io\/acme\/app:[A-Za-z0-9_.-]+$/);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('a platform with a line break and a command is refused on its line, in every mode, before anything runs', async () => {
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom('plan', 'check', 'build'), async (p, mode) => {
        const ws = workspace({ 'app.yaml': `name: app\nregistry: localhost:1/x\nplatform: ${JSON.stringify(`linux/amd64x${p}`)}\n` });
        const docker = fakeDocker();
        const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode }, env: { PATH: `${docker.bin}:${process.env.PATH}` } });
        expect(r.exitCode).toBe(1);
        const err = r.annotations.find((a) => a.level === 'error' && a.props.file === 'app.yaml');
        expect(err?.props.line).toBe('3');
        // A U+0085 is a line break to PyYAML: then the YAML reader refuses it, on the same line.
        expect(err?.message).toMatch(/platform|line break/);
        expectNoInjection(r);
        expect(docker.calls()).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test.each(['builder', 'host-machine', 'cache-ref', 'only', 'python-version', 'insecure-registries'])(
    'input %s with a line break and a command is refused before anything runs',
    async (input) => {
      await fc.assert(
        fc.asyncProperty(payload, async (p) => {
          const ws = workspace({ 'app.yaml': 'name: app\nregistry: localhost:1/x\n' });
          const docker = fakeDocker();
          const r = await runStep({
            workspace: ws,
            with: { specs: '*.yaml', mode: 'build', [input]: `a${p}`, ...(input === 'cache-ref' ? { cache: 'registry' } : {}) },
            env: { PATH: `${docker.bin}:${process.env.PATH}` },
          });
          expect(r.exitCode).toBe(1);
          expect(r.annotations.some((a) => a.level === 'error' && a.message.startsWith(`input '${input}'`))).toBe(true);
          expectNoInjection(r);
          expect(docker.calls()).toEqual([]);
        }),
        { seed: SEED, numRuns: Math.max(2, RUNS / 2) },
      );
    },
  );
});

describe('image keys and outputs', () => {
  test('an argument-injecting file name is refused; nothing reaches image-args', async () => {
    const ws = workspace({ 'app.yaml': 'name: app\n', 'zz --image app=attacker:pwned --image y.yaml': 'name: zz\n' });
    const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'plan' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toEqual({});
    expect(r.annotations[0].message).toContain('zz --image app=attacker:pwned --image y.yaml');
  });

  test('generated file names: either refused, or every output is inert (keys and images are plain words)', async () => {
    const stem = fc.stringMatching(/^[A-Za-z0-9_.$`'"(); |&<>*?~#!-]{1,30}$/);
    await fc.assert(
      fc.asyncProperty(stem, async (s) => {
        // Dot files are not matched by `*` (as in a shell).
        if (s.startsWith('.')) return;
        const ws = workspace({});
        if (!tryWrite(path.join(ws, `${s}.yaml`), 'name: app\nregistry: ghcr.io/acme\n')) return;
        const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'plan' } });
        expectNoInjection(r);
        if (r.exitCode !== 0) {
          expect(r.annotations[0].message).toContain('no valid image key');
          return;
        }
        expect(r.outputs['image-args']).toMatch(/^--image [A-Za-z0-9_][A-Za-z0-9_.-]*=[a-z0-9./_:-]+:[A-Za-z0-9_.-]+$/);
        const matrix = JSON.parse(r.outputs.matrix) as { include: Array<{ key: string }> };
        expect(matrix.include.map((m) => m.key)).toEqual([s]);
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  test('names flytekit computes that are no image reference stay out of image-args, with a warning', async () => {
    const formats = fc.constantFrom(
      '{spec_hash}$(id)',
      '{spec_hash} --image x=y',
      '{spec_hash};id',
      '{spec_hash}`id`',
      '{{x}}-{spec_hash}',
    );
    await fc.assert(
      fc.asyncProperty(formats, async (f) => {
        const ws = workspace({
          'app.yaml': 'name: app\nregistry: ghcr.io/acme\n',
          'bad.yaml': `name: bad\nregistry: ghcr.io/acme\ntag_format: ${JSON.stringify(f)}\n`,
        });
        const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'plan' } });
        expect(r.exitCode).toBe(0);
        expectNoInjection(r);
        expect(r.outputs['image-args']).toMatch(/^--image app=ghcr\.io\/acme\/app:[A-Za-z0-9_.-]+$/);
        expect(r.annotations.find((a) => a.level === 'warning')?.props.file).toBe('bad.yaml');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('a 240-character file name is refused before anything runs', async () => {
    const ws = workspace({ 'a.yaml': 'name: a\n', [`${'k'.repeat(240)}.yaml`]: 'name: k\n' });
    const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'build' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toContain('no valid image key');
    expect(r.stderr).not.toMatch(/ENAMETOOLONG|at .*\(/);
  });
});

describe('registry answers that are not manifests', () => {
  let portal: FaultProxy;
  beforeAll(async () => {
    portal = await startProxy(`127.0.0.1:${await closedPort()}`);
  });
  afterAll(() => portal?.stop());

  const answer = async (headers: Record<string, string>, body = '') => {
    await portal.setRules([
      { path: '^/v2/$', action: 'respond', status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
      { path: '/manifests/', action: 'respond', status: 200, headers, body },
    ]);
  };
  const check = (ws: string, extra: Record<string, string> = {}) =>
    runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'check', ...extra } });

  test.each([
    ['text/html', { 'content-type': 'text/html; charset=utf-8' }, '<html>Sign in to the Wi-Fi</html>'],
    ['application/json', { 'content-type': 'application/json' }, '{}'],
    ['no content type', {}, ''],
    ['text/plain with a digest', { 'content-type': 'text/plain', 'docker-content-digest': `sha256:${'a'.repeat(64)}` }, 'ok'],
    ['a content type with a command', { 'content-type': 'text/html ::warning::PWNED ##[error]x' }, ''],
  ])('200 with %s is unknown with the reason, never exists', async (_name, headers, body) => {
    await answer(headers as Record<string, string>, body);
    const ws = workspace({ 'app.yaml': `name: app\nregistry: ${portal.hostport}/acme\n` });
    const r = await check(ws, { 'on-unknown': 'skip' });
    expectNoInjection(r);
    const [rec] = imagesOf(r);
    expect(rec.status).toBe('unknown');
    expect(rec.reason).toMatch(/not one of the manifest types/);
    expect(JSON.parse(r.outputs.existing)).toEqual([]);
    // The default (on-unknown: fail) fails the step.
    expect((await check(ws)).exitCode).toBe(1);
  });

  test('200 with a manifest type the request accepted is exists', async () => {
    await answer({ 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': `sha256:${'b'.repeat(64)}` });
    const ws = workspace({ 'app.yaml': `name: app\nregistry: ${portal.hostport}/acme\n` });
    const [rec] = imagesOf(await check(ws));
    expect(rec.status).toBe('exists');
  });

  test('a HEAD without a type is asked again with GET, whose manifest type decides', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    await portal.setRules([
      { path: '^/v2/$', action: 'respond', status: 200, body: '{}' },
      { method: 'HEAD', path: '/manifests/', action: 'respond', status: 200, headers: {} },
      {
        method: 'GET',
        path: '/manifests/',
        action: 'respond',
        status: 200,
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      },
    ]);
    const ws = workspace({ 'app.yaml': `name: app\nregistry: ${portal.hostport}/acme\n` });
    const [rec] = imagesOf(await check(ws));
    expect(rec.status).toBe('exists');
    expect(rec.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('generated content types: exists only for the four manifest types', async () => {
    const types = fc.oneof(
      fc.constantFrom('text/html', 'application/json', 'application/octet-stream', 'application/vnd.oci.image.layer.v1.tar', ''),
      fc.constantFrom('application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'),
      fc.stringMatching(/^[a-z]{1,8}\/[a-z.+-]{1,20}$/),
    );
    await fc.assert(
      fc.asyncProperty(types, async (t) => {
        await answer(t ? { 'content-type': t } : {});
        const ws = workspace({ 'app.yaml': `name: app\nregistry: ${portal.hostport}/acme\n` });
        const [rec] = imagesOf(await check(ws, { 'on-unknown': 'skip' }));
        const manifest = /^application\/vnd\.(oci\.image\.(index|manifest)\.v1|docker\.distribution\.manifest\.(list\.)?v2)\+json$/.test(t);
        expect(rec.status).toBe(manifest ? 'exists' : 'unknown');
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });
});

describe('validation before the first build', () => {
  let portal: FaultProxy;
  beforeAll(async () => {
    portal = await startProxy(`127.0.0.1:${await closedPort()}`);
    await portal.setRules([
      { path: '^/v2/$', action: 'respond', status: 200, body: '{}' },
      {
        path: '/manifests/',
        action: 'respond',
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}',
      },
    ]);
  });
  afterAll(() => portal?.stop());

  const sixSpecs = (bad: string) => {
    const files: Record<string, string> = {};
    for (const k of ['a', 'b', 'c', 'd', 'e']) files[`${k}.yaml`] = `name: ${k}\nregistry: ${portal.hostport}/acme\n`;
    files['zz.yaml'] = `name: zz\nregistry: ${portal.hostport}/acme\n${bad}`;
    return workspace(files);
  };

  test.each([
    ['a platform with a blank', "platform: 'linux/amd64 x'\n"],
    ['a platform with NUL', 'platform: "linux/amd64\\0"\n'],
    ['a 200 KB platform', `platform: "linux/${'a'.repeat(200_000)}"\n`],
    ['a tag_format that is no image reference', 'tag_format: "{spec_hash} x"\n'],
    ['a 200 KB env key', `env:\n  ? ${'K'.repeat(200_000)}\n  : v\n`],
    ['a 5,000-character env key', `env:\n  ? ${'K'.repeat(5000)}\n  : v\n`],
    ['a 200 KB entrypoint item', `entrypoint: ["${'e'.repeat(200_000)}"]\n`],
    [
      'apt packages that make a line BuildKit cannot read',
      `apt_packages: [${Array.from({ length: 20 }, () => 'p'.repeat(4000)).join(', ')}]\n`,
    ],
  ])('six specs, one with %s: refused with an annotation, nothing built or pushed', async (_name, bad) => {
    const ws = sixSpecs(bad);
    const docker = fakeDocker();
    const r = await runStep({
      workspace: ws,
      with: { specs: '*.yaml', mode: 'build', 'cache-mounts': 'false' },
      env: { PATH: `${docker.bin}:${process.env.PATH}` },
    });
    expect(r.exitCode).toBe(1);
    expect(docker.calls()).toEqual([]);
    const err = r.annotations.find((a) => a.level === 'error');
    expect(err?.props.file).toBe('zz.yaml');
    expect(err?.message).toMatch(/platform|image reference|longer than|BuildKit|not a valid/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectNoInjection(r);
  });

  test('the same six specs, all fine: six builds with plain argv', async () => {
    const ws = sixSpecs('');
    const docker = fakeDocker();
    const r = await runStep({
      workspace: ws,
      with: { specs: '*.yaml', mode: 'build', 'cache-mounts': 'false' },
      env: { PATH: `${docker.bin}:${process.env.PATH}` },
    });
    expect(r.exitCode).toBe(0);
    expect(docker.calls()).toHaveLength(6);
    // The [command] line the runner shows is the action's own, escaped; the tool's echo is off.
    expect(r.stdout.match(/^\[command\]docker buildx build /gm)).toHaveLength(6);
  });

  test("mode: '' is refused, not a silent build", async () => {
    const ws = sixSpecs('');
    const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: '' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toContain("input 'mode' is empty");
  });

  test('pip-secret-mounts from a FIFO is refused at once', async () => {
    const ws = sixSpecs('');
    execFileSync('mkfifo', [path.join(ws, 'netrc')]);
    const t = Date.now();
    const r = await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'build', 'pip-secret-mounts': 'netrc:/root/.netrc' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toContain('is not a regular file');
    expect(Date.now() - t).toBeLessThan(30_000);
  });
});

describe('credential sources are bounded', () => {
  let portal: FaultProxy;
  beforeAll(async () => {
    portal = await startProxy(`127.0.0.1:${await closedPort()}`);
    await portal.setRules([{ action: 'respond', status: 401, headers: { 'www-authenticate': 'Basic realm="r"' }, body: '' }]);
  });
  afterAll(() => portal?.stop());

  test('config.json as a FIFO: the check ends with unknown and the reason, no hang', async () => {
    const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    execFileSync('mkfifo', [path.join(cfg, 'config.json')]);
    const ws = workspace({ 'app.yaml': `name: app\nregistry: ${portal.hostport}/acme\n` });
    const r = await runStep({
      workspace: ws,
      with: { specs: '*.yaml', mode: 'check', 'on-unknown': 'skip' },
      env: { DOCKER_CONFIG: cfg },
      timeoutMs: 60_000,
    });
    const [rec] = imagesOf(r);
    expect(rec.status).toBe('unknown');
    expect(rec.reason).toContain('not a regular file');
  });
});
