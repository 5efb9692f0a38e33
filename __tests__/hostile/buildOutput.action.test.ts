/**
 * What BuildKit prints comes from the repository too: it echoes Dockerfile lines (a spec's
 * `commands`) and the output of RUN steps. Through the bundled action with the real buildx,
 * BuildKit and registry of scripts/infra.sh, a spec whose commands print workflow commands (at
 * the start of a line, after a line break, the legacy `##[` form) builds, and no line of the step's
 * log is a command that the spec made.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadInfraEnv, workspace } from '../support/fixtures';
import { imagesOf, parseCommand, REPO_ROOT, runStep } from '../support/runner';

beforeAll(() => {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'start'], { stdio: 'ignore', timeout: 600_000 });
  loadInfraEnv();
}, 600_000);

test('workflow commands printed by a build are escaped in the step log', async () => {
  const ns = `hostile-${Date.now()}`;
  const ws = workspace({
    'out.yaml': [
      'name: out',
      `registry: 127.0.0.1:5000/${ns}`,
      'python_version: "3.11"',
      'base_image: python:3.11-slim-bookworm',
      'python_exec: /usr/local/bin/python',
      'pip_index: http://127.0.0.1:3141/simple',
      'packages: [pyyaml]',
      'commands:',
      `  - "printf '::warning::PWNED-1\\\\n##[error]PWNED-2\\\\n  ::add-mask::PWNED-3\\\\n'"`,
      `  - "echo '::stop-commands::PWNED-4'"`,
      '',
    ].join('\n'),
  });
  const r = await runStep({
    workspace: ws,
    with: { specs: '*.yaml', mode: 'build', push: 'false', 'cache-mounts': 'false' },
    env: process.env as Record<string, string>,
  });
  if (r.exitCode !== 0) throw new Error(`step failed:\n${r.stdout.split('\n').slice(-40).join('\n')}\n${r.stderr}`);
  expect(imagesOf(r)[0].status).toBe('built');
  // The RUN output reached the log (escaped), so the check below looked at it.
  expect(r.stdout).toMatch(/PWNED-1/);
  for (const line of `${r.stdout}\n${r.stderr}`.split(/\r\n|\r|\n/)) {
    expect(line.includes('##[') ? `legacy command: ${line}` : 'ok').toBe('ok');
    const cmd = parseCommand(line.trimStart());
    if (cmd) expect(line.includes('PWNED') ? `injected: ${line}` : 'ok').toBe('ok');
  }
  expect(r.annotations.filter((a) => a.message.includes('PWNED'))).toEqual([]);
  expect(r.masks.filter((m) => m.includes('PWNED'))).toEqual([]);
}, 900_000);
