/**
 * mode: check through the bundled action, against the real registries of scripts/lib/registry.sh:
 * images pushed with real tools report `exists`, others `missing`; credentials come from a Docker
 * config.json; gates and on-unknown decide the step's outcome.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyFixture, FIXTURE_TAGS, Registries, startRegistries } from '../registry/support/infra';
import { imagesOf, runStep, StepResult } from '../support/runner';
import { workspace as makeWorkspace } from '../support/fixtures';

const workspace = (files: Record<string, string>): string => makeWorkspace(files, 'check-');

let reg: Registries;
beforeAll(() => {
  reg = startRegistries();
});

async function step(ws: string, extra: Record<string, string>, env: Record<string, string> = {}): Promise<StepResult> {
  return runStep({ workspace: ws, with: { specs: '*.yaml', ...extra }, env });
}

test('plain registry: a pushed OCI index exists, an unpushed tag is missing', async () => {
  const unique = `r${Date.now()}`;
  const ws = workspace({
    'present.yaml': `name: check-present-${unique}\nregistry: ${reg.plain}/e2e\n`,
    'absent.yaml': `name: check-absent-${unique}\nregistry: ${reg.plain}/e2e\n`,
  });
  const planned = imagesOf(await step(ws, { mode: 'plan' }));
  const present = planned.find((i) => i.key === 'present')!.image;
  copyFixture(reg, FIXTURE_TAGS.ociIndex, present, ['--all']);

  const r = await step(ws, { mode: 'check' });
  expect(r.exitCode).toBe(0);
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey.present.status).toBe('exists');
  expect(byKey.present.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(byKey.absent.status).toBe('missing');
  expect(JSON.parse(r.outputs.missing)).toEqual([byKey.absent.image]);
  expect(JSON.parse(r.outputs.existing)).toEqual([present]);
  expect(r.summary).toMatch(/\| absent \| .* \| missing/);
  // Request logs are debug lines, written only when the runner shows them (RUNNER_DEBUG=1).
  expect(r.stdout).not.toContain('::debug::');
  const debug = await step(ws, { mode: 'check' }, { RUNNER_DEBUG: '1' });
  expect(debug.stdout).toMatch(/^::debug::HEAD http:\/\/.*\/manifests\/.* -> 200 in \d+ ms$/m);

  const gate = await step(ws, { mode: 'check', 'fail-on-missing': 'true' });
  expect(gate.exitCode).toBe(1);
  const ann = gate.annotations.filter((a) => a.level === 'error' && a.props.file);
  expect(ann.map((a) => a.props.file)).toEqual(['absent.yaml']);
  expect(ann[0].props.line).toBe('1');
  expect(
    imagesOf(gate)
      .map((i) => i.status)
      .sort(),
  ).toEqual(['exists', 'missing']);
});

test('TLS + Basic auth: credentials from DOCKER_CONFIG, CA from NODE_EXTRA_CA_CERTS; nothing secret is printed', async () => {
  const unique = `t${Date.now()}`;
  const ws = workspace({ 'img.yaml': `name: tls-${unique}\nregistry: ${reg.tls}/e2e\n` });
  const image = imagesOf(await step(ws, { mode: 'plan' }))[0].image;
  copyFixture(reg, FIXTURE_TAGS.dockerV2, image, ['--dest-creds', `${reg.user}:${reg.password}`]);

  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'dockercfg-'));
  const auth = Buffer.from(`${reg.user}:${reg.password}`).toString('base64');
  fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [reg.tls]: { auth } } }));
  const env = { DOCKER_CONFIG: config, NODE_EXTRA_CA_CERTS: reg.tlsCa };

  const r = await step(ws, { mode: 'check' }, env);
  expect(r.exitCode).toBe(0);
  expect(imagesOf(r)[0].status).toBe('exists');
  // `::add-mask::` is how a secret reaches the runner's masker; the runner never shows those lines.
  const shown = (t: string) =>
    t
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
  expect(r.masks).toContain(reg.password);
  const everything = [shown(r.stdout), shown(r.stderr), r.summary, JSON.stringify(r.outputs)].join('\n');
  expect(everything).not.toContain(reg.password);
  expect(everything).not.toContain(auth);

  // Without credentials the registry refuses: unknown, and on-unknown decides.
  const anon = { NODE_EXTRA_CA_CERTS: reg.tlsCa, DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'empty-')) };
  const failed = await step(ws, { mode: 'check' }, anon);
  expect(failed.exitCode).toBe(1);
  expect(imagesOf(failed)[0].status).toBe('unknown');
  expect(failed.annotations.some((a) => a.level === 'error' && a.props.file === 'img.yaml')).toBe(true);
  const skipped = await step(ws, { mode: 'check', 'on-unknown': 'skip' }, anon);
  expect(skipped.exitCode).toBe(0);
  expect(skipped.annotations.some((a) => a.level === 'warning')).toBe(true);
});

test('token registry: credentials from a credential helper, a Docker manifest list, a multi-platform spec', async () => {
  const unique = `h${Date.now()}`;
  const ws = workspace({ 'multi.yaml': `name: multi-${unique}\nregistry: ${reg.token}/e2e\nplatform: linux/amd64,linux/arm64\n` });
  const image = imagesOf(await step(ws, { mode: 'plan' }))[0].image;
  copyFixture(reg, FIXTURE_TAGS.dockerList, image, ['--all', '--dest-creds', `${reg.user}:${reg.password}`]);

  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-'));
  fs.writeFileSync(
    path.join(bin, 'docker-credential-e2e'),
    `#!/bin/sh\nread -r server\nprintf '{"ServerURL":"%s","Username":"${reg.user}","Secret":"${reg.password}"}' "$server"\n`,
    { mode: 0o755 },
  );
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'dockercfg-'));
  fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [reg.token]: 'e2e' } }));
  const r = await step(ws, { mode: 'check' }, { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` });
  expect(r.exitCode).toBe(0);
  expect(imagesOf(r)[0].status).toBe('exists');
  expect(r.masks).toContain(reg.password);

  // The partial list covers amd64 only: missing, naming the absent platform.
  const partialWs = workspace({ 'multi.yaml': `name: partial-${unique}\nregistry: ${reg.token}/e2e\nplatform: linux/amd64,linux/arm64\n` });
  const partial = imagesOf(await step(partialWs, { mode: 'plan' }))[0].image;
  copyFixture(reg, FIXTURE_TAGS.partialList, partial, ['--all', '--dest-creds', `${reg.user}:${reg.password}`]);
  const p = await step(partialWs, { mode: 'check' }, { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` });
  expect(imagesOf(p)[0]).toMatchObject({ status: 'missing' });
  expect(imagesOf(p)[0].reason).toContain('linux/arm64');
});

test('a spec without a registry cannot be checked: unknown with that reason', async () => {
  const ws = workspace({ 'local.yaml': 'name: only-local\n' });
  const r = await step(ws, { mode: 'check', 'on-unknown': 'build' });
  expect(r.exitCode).toBe(0);
  const [img] = imagesOf(r);
  expect(img.status).toBe('unknown');
  expect(img.reason).toMatch(/registry/);
});

test('builder: noop images are not checked', async () => {
  const ws = workspace({ 'n.yaml': 'name: n\nbuilder: noop\nbase_image: ghcr.io/acme/prebuilt:1.0\n' });
  const r = await step(ws, { mode: 'check' });
  expect(r.exitCode).toBe(0);
  expect(imagesOf(r)[0]).toMatchObject({ status: 'skipped', image: 'ghcr.io/acme/prebuilt:1.0' });
});

test('a pull request from a fork (no secrets): anonymous pull tokens, and the gate still tells built from missing', async () => {
  const unique = `f${Date.now()}`;
  const ws = workspace({
    'built.yaml': `name: fork-built-${unique}\nregistry: ${reg.token}/${reg.repo.split('/')[0]}\n`,
    'unbuilt.yaml': `name: fork-unbuilt-${unique}\nregistry: ${reg.token}/${reg.repo.split('/')[0]}\n`,
  });
  const built = imagesOf(await step(ws, { mode: 'plan' })).find((i) => i.key === 'built')!.image;
  copyFixture(reg, FIXTURE_TAGS.dockerV2, built, ['--dest-creds', `${reg.user}:${reg.password}`]);

  // What a fork's pull_request job has: no Docker credentials at all.
  const fork = {
    DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'no-creds-')),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REF: 'refs/pull/7/merge',
  };
  const gate = await step(ws, { mode: 'check', 'fail-on-missing': 'true' }, fork);
  expect(gate.exitCode).toBe(1);
  expect(imagesOf(gate).map((i) => [i.key, i.status])).toEqual([
    ['built', 'exists'],
    ['unbuilt', 'missing'],
  ]);
  expect(gate.annotations.filter((a) => a.level === 'error' && a.props.file).map((a) => a.props.file)).toEqual(['unbuilt.yaml']);
  expect(JSON.parse(gate.outputs.matrix).include.map((e: { key: string }) => e.key)).toEqual(['unbuilt']);
});
