// A BuildKit daemon and buildx builder of a caller's own, in `dir`, started, emptied and stopped
// through buildkit.sh (same pinned buildkitd and registry mirrors as the shared one, no TCP port).
// For the tests and benchmarks that must start from an empty builder, as a new GitHub-hosted
// runner does, without disturbing builds on the shared builder.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const BUILDKIT_SH = path.join(__dirname, 'buildkit.sh');

/**
 * `extraEnv`: more of buildkit.sh's knobs, e.g. IMAGESPEC_REGISTRY_MIRROR for a builder that pulls
 * through a proxy.
 * @returns {{ env: Record<string, string>, empty(): void, stop(): void }}
 */
function startBuilder(dir, name, extraEnv = {}) {
  const run = (cmd) =>
    execFileSync('bash', [BUILDKIT_SH, cmd], {
      env: { ...process.env, INFRA_DIR: dir, IMAGESPEC_BUILDKIT_TCP: 'off', IMAGESPEC_BUILDX_BUILDER: name, ...extraEnv },
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
    // No layer, no cache mount left: restarting on an empty root is certain to leave nothing behind.
    empty() {
      run('stop');
      fs.rmSync(path.join(dir, 'buildkit', 'root'), { recursive: true, force: true });
      run('start');
    },
    stop() {
      run('stop');
    },
  };
}

module.exports = { startBuilder };
