/**
 * The rewrite that lets the example workflows run under act (no servers needed): after it, every
 * step uses this repository, a stand-in of it, or actions/checkout (which act replaces with a copy
 * of the work tree); each example needs exactly the substitutions listed, each with a reason.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../support/runner';
import { rewriteExample, SUBSTITUTIONS } from './rewriteExample';

const EXAMPLES = path.join(REPO_ROOT, 'examples', 'workflows');

test.each([
  ['fan-out.yml', ['action', 'buildx', 'login', 'pip', 'python', 'register', 'specs']],
  ['flyte2-project.yml', ['action', 'buildx', 'deploy', 'flyte2-project', 'login', 'pip', 'python']],
  ['force-rebuild.yml', ['action', 'buildx', 'login', 'specs']],
  ['pull-request.yml', ['action', 'buildx', 'login', 'specs']],
  ['push-main.yml', ['action', 'buildx', 'login', 'pip', 'python', 'register', 'specs']],
  ['python-project.yml', ['action', 'buildx', 'login', 'pip', 'python', 'python-specs', 'register']],
  ['remote-builder.yml', ['action', 'login', 'remote', 'specs']],
])('%s runs under act with: %j', (file, expected) => {
  const { text, made } = rewriteExample(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'), 'act-ns');
  expect(made).toEqual(expected);
  for (const s of made) expect(SUBSTITUTIONS[s]).toMatch(/\w/);
  const wf = parseDocument(text).toJS() as { jobs: Record<string, { steps: Array<{ uses?: string; run?: string }> }> };
  for (const job of Object.values(wf.jobs)) {
    for (const step of job.steps) {
      if (step.uses !== undefined) expect(step.uses).toMatch(/^(\.\/|\.\/__tests__\/act\/stubs\/[a-z-]+|actions\/checkout@[0-9a-f]{40})$/);
    }
    // Right after every checkout, the specs move to this run's namespace.
    job.steps.forEach((step, i) => {
      if (step.uses?.startsWith('actions/checkout@')) expect(job.steps[i + 1].run).toBe('__tests__/act/use-namespace.sh');
    });
  }
  expect(text).not.toContain('acme/imagespec-action');
  expect(text).not.toMatch(/pyflyte register/);
  expect(text).not.toMatch(/flyte deploy (?!--dry-run )/);
});

test('a remote-builder example that no longer connects over mutual TLS stops the rewrite', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'remote-builder.yml'), 'utf8').replace(/--driver-opt "cacert=[^"]*"/, '');
  expect(() => rewriteExample(text, 'ns')).toThrow(/mutual TLS/);
});

test('the register stand-in takes what image-args holds: YAML keys and Python ids, also one that starts with "-"', () => {
  const { text } = rewriteExample(fs.readFileSync(path.join(EXAMPLES, 'python-project.yml'), 'utf8'), 'act-ns');
  const wf = parseDocument(text).toJS() as { jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }> };
  const script = Object.values(wf.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.name === 'Register the workflows with the images')!.run!;
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pyflyte-stub-'));
  fs.writeFileSync(path.join(bin, 'pyflyte'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const run = (args: string) =>
    spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}`, IMAGE_ARGS: args }, encoding: 'utf8' });
  try {
    const image = (tag: string) => `127.0.0.1:5000/ns/base:${tag}`;
    expect(run(`--image base=${image('v1')} --image -0kMlqg7a3A8as7klo78NA=${image('_0kMlqg7a3A8as7klo78NA')}`).status).toBe(0);
    expect(run(`--image eZcrD7DSyHYDX3J5kksmIA=${image('eZcrD7DSyHYDX3J5kksmIA')}`).status).toBe(0);
    // Not a key nor an id; and a missing image.
    expect(run(`--image -x=${image('v1')}`).status).not.toBe(0);
    expect(run('--image base=').status).not.toBe(0);
    expect(run('').status).not.toBe(0);
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
});
