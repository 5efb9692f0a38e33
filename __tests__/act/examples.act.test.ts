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
import { parseDocument } from 'yaml';
import { ActRun, runAct, stepResults } from '../support/act';
import { loadInfraEnv } from '../support/fixtures';
import { REPO_ROOT } from '../support/runner';
import { execFileSync } from 'node:child_process';

jest.setTimeout(30 * 60 * 1000);

const EXAMPLES = path.join(REPO_ROOT, 'examples', 'workflows');
const REGISTRY = '127.0.0.1:5000';

type Obj = Record<string, unknown>;
type Step = Obj & { uses?: string; run?: string; with?: Obj; name?: string };
type Job = Obj & { steps: Step[] };

/** Why each rewrite is needed; the test names these, so a reader sees what did not run as written. */
export const SUBSTITUTIONS = {
  action: 'acme/imagespec-action@v1 is this repository: `uses: ./`',
  specs:
    'the specs are examples/*.yaml (the ones the demo builds), pushed to a namespace of this run on the local registry: specs *.yaml, working-directory examples',
  login: 'docker/login-action cannot be downloaded here (act runs offline); a stand-in writes the same Docker config entry',
  buildx:
    "docker/setup-buildx-action cannot be downloaded; the runner machine's builder is the local BuildKit, and a stand-in checks it answers",
  python: 'actions/setup-python cannot be downloaded; a stand-in puts the flytekit virtualenv of scripts/lib/python.sh on PATH',
  pip: 'pip may not install from the network in a test: --no-index, so it only confirms flytekit 1.16.24 is installed',
  register:
    'pyflyte register needs a Flyte cluster (flyte.example.com); the step instead checks that IMAGE_ARGS splits into the --image key=image words pyflyte takes',
  remote:
    'the remote BuildKit is reached over mutual TLS with certificates from secrets; the local BuildKit listens on tcp://127.0.0.1:1234 without TLS, so the builder named remote is created without certificates',
} as const;
type Substitution = keyof typeof SUBSTITUTIONS;

const CHECKOUT = /^actions\/checkout@/;

/** Rewrites an example for this machine; returns the workflow text and the substitutions made. */
export function rewriteExample(text: string, namespace: string): { text: string; made: Substitution[] } {
  const wf = parseDocument(text).toJS() as { jobs: Record<string, Job> };
  const made = new Set<Substitution>();
  const replaceUses = (s: Step, from: RegExp, to: string, why: Substitution) => {
    if (typeof s.uses === 'string' && from.test(s.uses)) {
      s.uses = to;
      made.add(why);
    }
  };
  for (const job of Object.values(wf.jobs)) {
    const steps: Step[] = [];
    for (const s of job.steps) {
      replaceUses(s, /^acme\/imagespec-action@/, './', 'action');
      replaceUses(s, /^docker\/login-action@/, './__tests__/act/stubs/docker-login', 'login');
      replaceUses(s, /^docker\/setup-buildx-action@/, './__tests__/act/stubs/setup-buildx', 'buildx');
      replaceUses(s, /^actions\/setup-python@/, './__tests__/act/stubs/setup-python', 'python');
      if (s.uses === './' && s.with?.specs === 'flyte/images/*.yaml') {
        s.with = { ...s.with, specs: '*.yaml', 'working-directory': 'examples' };
        made.add('specs');
      }
      if (typeof s.run === 'string' && /^pip install flytekit==/.test(s.run)) {
        s.run = s.run.replace('pip install ', 'pip install --no-index ');
        made.add('pip');
      }
      if (typeof s.run === 'string' && /^pyflyte register /m.test(s.run)) {
        s.run = [
          'pyflyte --help >/dev/null',
          '# IMAGE_ARGS is split into words on purpose, as the example does',
          'set -- $IMAGE_ARGS',
          '[ $# -gt 0 ] || { echo "::error::IMAGE_ARGS is empty"; exit 1; }',
          'while [ $# -gt 0 ]; do',
          '  [ "$1" = --image ] && [[ "$2" =~ ^[a-z][a-z0-9_-]*=[^=]+:[A-Za-z0-9_.-]+$ ]] || { echo "::error::not an --image key=image pair: $1 $2"; exit 1; }',
          '  echo "pyflyte would get --image $2"; shift 2',
          'done',
        ].join('\n');
        made.add('register');
      }
      if (s.name === 'Connect to the remote BuildKit') {
        if (!/--driver-opt "cacert=/.test(String(s.run))) throw new Error('the remote-builder example no longer connects over mutual TLS');
        s.run = 'docker buildx create --name remote --driver remote tcp://127.0.0.1:1234\ndocker buildx inspect --bootstrap remote';
        delete s.env;
        made.add('remote');
      }
      steps.push(s);
      if (typeof s.uses === 'string' && CHECKOUT.test(s.uses)) {
        steps.push({
          name: 'the examples push to a namespace of this run (test set-up)',
          env: { REGISTRY, NAMESPACE: namespace },
          run: '__tests__/act/use-namespace.sh',
        });
      }
    }
    job.steps = steps;
  }
  const out = parseDocument('');
  out.contents = out.createNode(wf) as typeof out.contents;
  return { text: out.toString({ lineWidth: 0 }), made: [...made].sort() };
}

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
  const r = await runAct({
    workflow: wf,
    event: opts.event,
    payload: opts.payload as Obj | undefined,
    inputs: opts.inputs as Record<string, string> | undefined,
    node: 24,
    hostEnv: { BUILDX_CONFIG: buildxConfig, IMAGESPEC_FLYTEKIT_PYTHON: process.env.IMAGESPEC_FLYTEKIT_PYTHON ?? '' },
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
    'force-rebuild.yml',
    'pull-request.yml',
    'push-main.yml',
    'remote-builder.yml',
  ]);
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
      .filter(([, v]) => v === 'skipped')
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
