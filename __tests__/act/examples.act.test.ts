/**
 * The example workflows of examples/workflows (shown verbatim in the README) run under nektos/act
 * on Node 24, against the local registry and BuildKit, so a workflow a user copies is a workflow
 * that ran. Each is rewritten only where this machine differs from GitHub, and every rewrite is
 * listed with its reason in SUBSTITUTIONS; a test fails when an example changes so that a rewrite
 * no longer applies (the rewrite then says it found nothing to replace).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActRun, runAct, stepResults } from '../support/act';
import { loadInfraEnv, tagExists } from '../support/fixtures';
import { REPO_ROOT } from '../support/runner';
import { Obj, rewriteExample } from './rewriteExample';
import { execFileSync } from 'node:child_process';

jest.setTimeout(30 * 60 * 1000);

const EXAMPLES = path.join(REPO_ROOT, 'examples', 'workflows');

let tmp: string;
let buildxConfig: string;
beforeAll(() => {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'start'], { stdio: 'ignore', timeout: 600_000 });
  loadInfraEnv();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'act-examples-'));
  // A copy of the buildx state, so the remote-builder example's `buildx create` changes only it.
  buildxConfig = path.join(tmp, 'buildx');
  fs.cpSync(process.env.BUILDX_CONFIG!, buildxConfig, { recursive: true });
}, 600_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function runExample(file: string, opts: { event: 'push' | 'pull_request' | 'workflow_dispatch'; namespace: string } & Obj) {
  const { text, made } = rewriteExample(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'), opts.namespace);
  const wf = path.join(tmp, file);
  fs.writeFileSync(wf, text);
  const inputs = opts.inputs as Record<string, string> | undefined;
  const r = await runAct({
    workflow: wf,
    event: opts.event,
    // workflow_dispatch inputs travel in the payload, as GitHub sends them; act reads them there.
    payload: (opts.payload as Obj | undefined) ?? (inputs ? { inputs } : undefined),
    node: 24,
    hostEnv: {
      BUILDX_CONFIG: buildxConfig,
      IMAGESPEC_FLYTEKIT_PYTHON: process.env.IMAGESPEC_FLYTEKIT_PYTHON ?? '',
      IMAGESPEC_FLYTE2_PYTHON: process.env.IMAGESPEC_FLYTE2_PYTHON ?? '',
    },
  });
  return { r, made };
}

const tail = (r: ActRun) => (r.exitCode === 0 ? '' : r.log.split('\n').slice(-120).join('\n'));
const ns = (what: string) => `act-example-${what}-${Date.now()}`;
const statusesOf = (r: ActRun, job: string, step: string) =>
  (JSON.parse(r.outputs(job, step).images ?? '[]') as Array<{ key: string; status: string }>).map((i) => `${i.key}:${i.status}`);

test('every example workflow is run below or named here with its reason', () => {
  expect(fs.readdirSync(EXAMPLES).sort()).toEqual([
    'fan-out.yml',
    'flyte2-project.yml',
    'force-rebuild.yml',
    'pull-request.yml',
    'push-main.yml',
    'python-project.yml',
    'remote-builder.yml',
  ]);
});

test('python-project.yml: builds the images the tasks use, never the unused one; the register step gets them by spec id', async () => {
  const namespace = ns('python');
  const { r, made } = await runExample('python-project.yml', { event: 'push', namespace });
  expect(made).toEqual(['action', 'buildx', 'login', 'pip', 'python', 'python-specs', 'register']);
  expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
  expect(statusesOf(r, 'images', 'images')).toEqual([
    'workflows.images.base_image:built',
    'workflows.images.numpy_image:built',
    'workflows.images.experimental_image:unused',
  ]);
  const images = JSON.parse(r.outputs('images', 'images').images ?? '[]') as Array<{ key: string; id: string; image: string }>;
  const register = r.steps.find((s) => s.jobID === 'images' && s.step === 'Register the workflows with the images');
  expect(register?.result).toBe('success');
  const printed = r.printed('images', register!.stepID);
  for (const i of images.filter((x) => x.key !== 'workflows.images.experimental_image')) {
    expect(i.image.startsWith(`127.0.0.1:5000/${namespace}/flyte-py-base:`)).toBe(true);
    expect(printed).toContain(`pyflyte would get --image ${i.id}=${i.image}`);
  }
  expect(printed).not.toContain('flyte-py-experimental');
});

test('flyte2-project.yml: the flyte SDK builds the missing image, never the string one; flyte deploy then finds it', async () => {
  const namespace = ns('flyte2');
  const { r, made } = await runExample('flyte2-project.yml', { event: 'push', namespace });
  expect(made).toEqual(['action', 'buildx', 'deploy', 'flyte2-project', 'login', 'pip', 'python']);
  expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
  const out = r.outputs('images', 'images');
  // keyed by environment name: the string image is used as named, never checked or built
  expect(statusesOf(r, 'images', 'images')).toEqual(['report:external', 'etl:built']);
  const map = JSON.parse(out['image-map']) as Record<string, string>;
  expect(map.report).toBe('ghcr.io/acme/reporting:1.4.0');
  expect(map.etl).toMatch(new RegExp(`^127\\.0\\.0\\.1:5000/${namespace}/flyte2-etl:[0-9a-f]{32}$`));
  expect(JSON.parse(out.built)).toEqual([map.etl]);
  expect(JSON.parse(out.matrix).include.map((m: { key: string }) => m.key)).toEqual(['etl']);
  expect(await tagExists(map.etl)).toBe(true);
  expect(await tagExists('127.0.0.1:5000/acme/reporting:1.4.0')).toBe(false);
  expect(out['flyte2-deploy-args']).toBe('--copy-style loaded_modules');
  // the deploy step ran the SDK's own check on the pushed image and would build nothing
  const deploy = r.steps.find((s) => s.jobID === 'images' && s.step === 'Deploy the environments');
  expect(deploy?.result).toBe('success');
  expect(r.printed('images', deploy!.stepID)).toContain(`Image ${map.etl} already exists, skipping build`);
});

describe('push-main.yml, then force-rebuild.yml on the same images', () => {
  const namespace = ns('main');
  test('push-main.yml: builds and pushes both images; the register step gets them', async () => {
    const { r, made } = await runExample('push-main.yml', { event: 'push', namespace });
    expect(made).toEqual(['action', 'buildx', 'login', 'pip', 'python', 'register', 'specs']);
    expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
    expect(statusesOf(r, 'images', 'images')).toEqual(['app:built', 'base:built']);
    const register = r.steps.find((s) => s.jobID === 'images' && s.step === 'Register the workflows with the images');
    expect(register?.result).toBe('success');
    expect(r.printed('images', register!.stepID)).toMatch(
      /pyflyte would get --image app=127\.0\.0\.1:5000\/act-example-main-\d+\/flyte-app:/,
    );
  });

  test('force-rebuild.yml with force: rebuilds both, without the layer cache', async () => {
    const { r, made } = await runExample('force-rebuild.yml', { event: 'workflow_dispatch', inputs: { force: 'true' }, namespace });
    expect(made).toEqual(['action', 'buildx', 'login', 'specs']);
    expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
    const step = r.steps.find((s) => s.jobID === 'images' && s.stage === 'Main' && s.step === './')!;
    expect(statusesOf(r, 'images', step.stepID)).toEqual(['app:built', 'base:built']);
    expect(r.printed('images', step.stepID, 'Main')).not.toContain('type=gha');
  });

  test('force-rebuild.yml without force: nothing to build', async () => {
    const { r } = await runExample('force-rebuild.yml', { event: 'workflow_dispatch', inputs: { force: 'false' }, namespace });
    expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
    const step = r.steps.find((s) => s.jobID === 'images' && s.stage === 'Main' && s.step === './')!;
    expect(statusesOf(r, 'images', step.stepID)).toEqual(['app:exists', 'base:exists']);
  });
});

test('fan-out.yml: the check job finds both missing, one build job per image, then register', async () => {
  const { r, made } = await runExample('fan-out.yml', { event: 'push', namespace: ns('fan') });
  expect(made).toEqual(['action', 'buildx', 'login', 'pip', 'python', 'register', 'specs']);
  expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
  expect(statusesOf(r, 'plan', 'images')).toEqual(['app:missing', 'base:missing']);
  expect(r.jobs.map((j) => [j.jobID, j.matrix.key ?? null, j.result]).sort()).toEqual([
    ['build', 'app', 'success'],
    ['build', 'base', 'success'],
    ['plan', null, 'success'],
    ['register', null, 'success'],
  ]);
});

test('pull-request.yml from a fork: validate builds without pushing; the gate job fails on the missing images', async () => {
  const { r, made } = await runExample('pull-request.yml', {
    event: 'pull_request',
    namespace: ns('pr'),
    payload: {
      number: 7,
      pull_request: { number: 7, head: { ref: 'patch-1', repo: { full_name: 'stranger/flyte-project' } }, base: { ref: 'main' } },
    },
  });
  expect(made).toEqual(['action', 'buildx', 'login', 'specs']);
  // The gate is meant to fail here: nothing was pushed, so both images are missing.
  expect(r.exitCode).not.toBe(0);
  expect(r.jobs.map((j) => [j.jobID, j.result]).sort()).toEqual([
    ['gate', 'failure'],
    ['validate', 'success'],
  ]);
  // A fork: the login steps were skipped.
  expect(
    Object.entries(stepResults(r, 'validate'))
      .filter(([k, v]) => k.startsWith('Main ') && v === 'skipped')
      .map(([k]) => k),
  ).toEqual(['Main 2']);
  const build = r.steps.find((s) => s.jobID === 'validate' && s.stage === 'Main' && s.step === './')!;
  expect(
    JSON.parse(r.outputs('validate', build.stepID).images).map((i: { status: string; reason?: string }) => [i.status, i.reason]),
  ).toEqual([
    ['built', 'not pushed (push: false)'],
    ['built', 'not pushed (push: false)'],
  ]);
  const gate = r.steps.find((s) => s.jobID === 'gate' && s.stage === 'Main' && s.step === './')!;
  expect(gate.result).toBe('failure');
  expect(statusesOf(r, 'gate', gate.stepID)).toEqual(['app:missing', 'base:missing']);
});

test('remote-builder.yml: builds on the builder named remote', async () => {
  const { r, made } = await runExample('remote-builder.yml', { event: 'push', namespace: ns('remote') });
  expect(made).toEqual(['action', 'login', 'remote', 'specs']);
  expect({ exit: r.exitCode, log: tail(r) }).toEqual({ exit: 0, log: '' });
  const step = r.steps.find((s) => s.jobID === 'images' && s.stage === 'Main' && s.step === './')!;
  expect(statusesOf(r, 'images', step.stepID)).toEqual(['app:built', 'base:built']);
  expect(r.printed('images', step.stepID, 'Main')).toContain('buildx build --builder remote');
});
