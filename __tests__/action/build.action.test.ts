/**
 * mode: build through the bundled action with the real buildx, BuildKit and registry of
 * scripts/infra.sh: the examples are built and pushed, a second run builds nothing, a one-line
 * change rebuilds only that image from cached layers.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchBlob, fetchManifest, loadInfraEnv, tagExists } from '../support/fixtures';
import { imagesOf, REPO_ROOT, runStep, StepResult } from '../support/runner';

const REGISTRY = '127.0.0.1:5000';
/** The examples, in a fresh workspace, pushing to a repository namespace of their own. */
function examplesWorkspace(): { ws: string; ns: string } {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'build-e2e-'));
  const ns = `e2e-${Date.now()}`;
  fs.cpSync(path.join(REPO_ROOT, 'examples'), ws, { recursive: true });
  for (const f of ['base.yaml', 'app.yaml']) {
    const p = path.join(ws, f);
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(`registry: ${REGISTRY}/flyte`, `registry: ${REGISTRY}/${ns}`));
  }
  return { ws, ns };
}

function build(ws: string, extra: Record<string, string> = {}): Promise<StepResult> {
  return runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'build', ...extra }, env: process.env as Record<string, string> });
}

/** A successful step, or a failure that shows what the action printed. */
function succeeded(r: StepResult): StepResult {
  if (r.exitCode !== 0) throw new Error(`step failed (exit ${r.exitCode}):\n${r.stdout.split('\n').slice(-40).join('\n')}\n${r.stderr}`);
  return r;
}

/** The image config the registry holds for a tag (single-platform manifest). */
async function imageConfig(image: string): Promise<{ config: { Env?: string[] } }> {
  const manifest = await fetchManifest<{ config: { digest: string } }>(image);
  return JSON.parse((await fetchBlob(image, manifest.config.digest)).toString('utf8')) as { config: { Env?: string[] } };
}

beforeAll(() => {
  // Idempotent: the servers are already up under scripts/test.sh; a failure here fails the tests.
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'start'], { stdio: 'ignore', timeout: 600_000 });
  loadInfraEnv();
}, 600_000);

test('build, then nothing to build, then only the changed image, from cached layers', async () => {
  const { ws } = examplesWorkspace();

  const first = succeeded(await build(ws));
  const images = Object.fromEntries(imagesOf(first).map((i) => [i.key, i]));
  expect(images.base.status).toBe('built');
  expect(images.app.status).toBe('built');
  expect(images.app.digest).toMatch(/^sha256:/);
  expect(JSON.parse(first.outputs.built).sort()).toEqual([images.app.image, images.base.image].sort());
  expect(first.groups).toEqual([`Building base: ${images.base.image}`, `Building app: ${images.app.image}`]);
  // The app's commands import the installed packages inside the image; the build fails otherwise.
  expect(first.stdout).toContain('imports ok');
  for (const i of [images.base, images.app]) {
    const cfg = await imageConfig(i.image);
    expect(cfg.config.Env).toContain(`_F_IMG_ID=${i.id}`);
  }
  // The app was built FROM the base spec's image.
  expect(first.stdout).toContain(`FROM ${images.base.image}`);

  const second = await build(ws);
  expect(second.exitCode).toBe(0);
  expect(imagesOf(second).map((i) => i.status)).toEqual(['exists', 'exists']);
  expect(JSON.parse(second.outputs.built)).toEqual([]);
  expect(second.groups).toEqual([]);

  const app = path.join(ws, 'app.yaml');
  fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
  const third = await build(ws);
  expect(third.exitCode).toBe(0);
  const after = Object.fromEntries(imagesOf(third).map((i) => [i.key, i]));
  expect(after.base.status).toBe('exists');
  expect(after.app.status).toBe('built');
  expect(after.app.image).not.toBe(images.app.image);
  expect(third.groups).toEqual([`Building app: ${after.app.image}`]);
  expect(third.stdout).toMatch(/CACHED/);
}, 900_000);

test('push: false builds without pushing; force rebuilds what exists', async () => {
  const { ws } = examplesWorkspace();
  fs.rmSync(path.join(ws, 'app.yaml'));
  const dry = succeeded(await build(ws, { push: 'false' }));
  const [img] = imagesOf(dry);
  expect(img).toMatchObject({ status: 'built', reason: 'not pushed (push: false)' });
  expect(await tagExists(img.image)).toBe(false);

  const pushed = await build(ws);
  expect(imagesOf(pushed)[0].status).toBe('built');
  expect(await tagExists(img.image)).toBe(true);
  const forced = await build(ws, { force: 'true' });
  expect(imagesOf(forced)[0].status).toBe('built');
  const flytekitEnv = await runStep({
    workspace: ws,
    with: { specs: '*.yaml', mode: 'build' },
    env: { ...(process.env as Record<string, string>), FLYTE_FORCE_PUSH_IMAGE_SPEC: 'yes' },
  });
  expect(imagesOf(flytekitEnv)[0].status).toBe('built');
}, 900_000);

test('push: false builds a repository base spec and the image on it, pushing neither', async () => {
  const { ws } = examplesWorkspace();
  const r = succeeded(await build(ws, { push: 'false' }));
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey.base).toMatchObject({ status: 'built', reason: 'not pushed (push: false)' });
  expect(byKey.app).toMatchObject({ status: 'built', reason: 'not pushed (push: false)' });
  // app's FROM named the unpushed base; buildx took it from the OCI layout of base's build.
  expect(r.stdout).toMatch(new RegExp(`\\[context ${byKey.base.image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] OCI load from client`));
  expect(await tagExists(byKey.base.image)).toBe(false);
  expect(await tagExists(byKey.app.image)).toBe(false);
}, 900_000);

test('an unsafe spec stops the run before anything is built or pushed', async () => {
  const { ws } = examplesWorkspace();
  fs.appendFileSync(path.join(ws, 'app.yaml'), 'apt_packages:\n  - "curl; rm -rf /"\n');
  const r = await build(ws);
  expect(r.exitCode).toBe(1);
  expect(r.groups).toEqual([]);
  const err = r.annotations.find((a) => a.level === 'error' && a.props.file === 'app.yaml');
  expect(err?.props.title).toContain('apt_packages');
  expect(r.stdout).toContain('nothing was built or pushed');
  const planned = imagesOf(await runStep({ workspace: ws, with: { specs: '*.yaml', mode: 'plan' } }));
  for (const i of planned) expect(await tagExists(i.image)).toBe(false);
});

test('a failing build fails the step, still reports every image, and builds the others', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'build-fail-'));
  const ns = `e2e-fail-${Date.now()}`;
  const common = `registry: ${REGISTRY}/${ns}\nbase_image: python:3.11-slim-bookworm\npython_exec: /usr/local/bin/python\npip_index: http://127.0.0.1:3141/simple\n`;
  fs.writeFileSync(path.join(ws, 'broken.yaml'), `name: broken\n${common}commands:\n  - "exit 3"\n`);
  fs.writeFileSync(path.join(ws, 'fine.yaml'), `name: fine\n${common}`);
  const r = await build(ws);
  expect(r.exitCode).toBe(1);
  const byKey = Object.fromEntries(imagesOf(r).map((i) => [i.key, i]));
  expect(byKey.broken.status).toBe('failed');
  expect(byKey.fine.status).toBe('built');
  expect(await tagExists(byKey.broken.image)).toBe(false);
  expect(r.summary).toContain('failed');
  expect(r.annotations.some((a) => a.level === 'error' && a.props.file === 'broken.yaml')).toBe(true);
}, 900_000);
