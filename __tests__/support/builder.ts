/**
 * A BuildKit daemon of a test's own (same pinned buildkitd and registry mirrors as the shared one
 * of scripts/lib/buildkit.sh, its own state directory and buildx builder), so a test can empty it
 * the way a new GitHub-hosted runner starts empty without disturbing other tests' builds.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './runner';

export interface TestBuilder {
  /** BUILDX_BUILDER, BUILDX_CONFIG and BUILDKIT_HOST for the action's environment. */
  env: Record<string, string>;
  /** Stop the daemon, delete its state (every layer and cache mount) and start it again. */
  empty(): void;
  stop(): void;
}

export function startTestBuilder(name: string): TestBuilder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `builder-${name}-`));
  const script = path.join(REPO_ROOT, 'scripts', 'lib', 'buildkit.sh');
  const run = (cmd: string): string =>
    execFileSync('bash', [script, cmd], {
      env: { ...process.env, INFRA_DIR: dir, IMAGESPEC_BUILDKIT_TCP: 'off', IMAGESPEC_BUILDX_BUILDER: name },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  run('start');
  const env = Object.fromEntries(
    run('env')
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2))
      .filter(([k]) => ['BUILDX_BUILDER', 'BUILDX_CONFIG', 'BUILDKIT_HOST'].includes(k)),
  );
  return {
    env,
    empty() {
      run('stop');
      fs.rmSync(path.join(dir, 'buildkit', 'root'), { recursive: true, force: true });
      run('start');
    },
    stop() {
      run('stop');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
