/**
 * Build mode under nektos/act, on Node 20 and Node 24: the examples built with the local BuildKit
 * and pushed to the local registry, a second run that builds nothing, a forced rebuild, and a
 * pull request from a fork (push: false, no credentials, the fail-on-missing gate failing its
 * step). The workflows assert outputs and outcomes themselves (__tests__/act/workflows/build.yml,
 * pull-request.yml); this test asserts act's exit status and every step's and job's result.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ActRun, NodeMajor, runAct, stepResults } from '../support/act';
import { loadInfraEnv } from '../support/fixtures';
import { REPO_ROOT } from '../support/runner';

jest.setTimeout(20 * 60 * 1000);

const REGISTRY = process.env.REGISTRY_PLAIN ?? '127.0.0.1:5000';

beforeAll(() => {
  // Idempotent: the servers are already up under scripts/test.sh; a failure here fails the tests.
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'start'], { stdio: 'ignore', timeout: 600_000 });
  loadInfraEnv();
}, 600_000);

/** The runner machine's set-up: the buildx state that knows the local builder. */
const hostEnv = (): Record<string, string> => ({ BUILDX_CONFIG: process.env.BUILDX_CONFIG! });
const vars = (node: NodeMajor, what: string) => ({
  REGISTRY,
  NAMESPACE: `act-${what}-n${node}-${Date.now()}`,
  BUILDER: process.env.BUILDX_BUILDER!,
});
const succeeded = (r: ActRun) => ({ exit: r.exitCode, log: r.exitCode === 0 ? '' : r.log.split('\n').slice(-120).join('\n') });

describe.each<NodeMajor>([20, 24])('Node %i', (node) => {
  test('build and push, then nothing to build, then a forced rebuild', async () => {
    const r = await runAct({ workflow: 'build.yml', node, vars: vars(node, 'build'), hostEnv: hostEnv() });
    expect(succeeded(r)).toEqual({ exit: 0, log: '' });
    expect(r.jobs.map((j) => [j.jobID, j.result])).toEqual([
      ['build', 'success'],
      ['again', 'success'],
      ['forced', 'success'],
    ]);
    for (const job of ['build', 'again', 'forced']) {
      expect(stepResults(r, job)).toMatchObject({ 'Main build': 'success', 'Main 3': 'success', 'Post build': 'success' });
    }
    expect(r.printed('build', '3')).toContain('ok: base digest in the registry');
    expect(r.printed('forced', '3')).toContain('ok: built');
  });

  test('a pull request from a fork: built without pushing; the gate fails its step', async () => {
    const r = await runAct({
      workflow: 'pull-request.yml',
      event: 'pull_request',
      payload: {
        number: 7,
        pull_request: { number: 7, head: { ref: 'patch-1', repo: { full_name: 'stranger/flyte-project' } }, base: { ref: 'main' } },
      },
      node,
      vars: vars(node, 'pr'),
      hostEnv: hostEnv(),
    });
    expect(succeeded(r)).toEqual({ exit: 0, log: '' });
    expect(stepResults(r, 'validate')).toMatchObject({ 'Main 1': 'success', 'Main build': 'success', 'Main 3': 'success' });
    expect(r.printed('validate', '3')).toContain('ok: nothing pushed');
    // The gate's own result is a failure; continue-on-error keeps the job going to assert it.
    expect(stepResults(r, 'gate')).toMatchObject({ 'Main gate': 'failure', 'Main 3': 'success' });
    expect(r.printed('gate', '3')).toContain('ok: gate outcome');
  });
});
