/**
 * A BuildKit daemon of a test's own (scripts/lib/builder.cjs, shared with the benchmarks), so a
 * test can empty it the way a new GitHub-hosted runner starts empty without disturbing other
 * tests' builds on the shared builder.
 */
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

// A CommonJS helper shared with the benchmarks, loaded at run time from the checkout.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startBuilder } = require(path.join(REPO_ROOT, 'scripts', 'lib', 'builder.cjs')) as {
  startBuilder: (dir: string, name: string) => TestBuilder;
};

export function startTestBuilder(name: string): TestBuilder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `builder-${name}-`));
  const builder = startBuilder(dir, name);
  return {
    ...builder,
    stop() {
      builder.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `#N [stage k/n] RUN …` steps of buildx's plain progress output, and whether each was CACHED. */
export function runSteps(log: string): Array<{ name: string; cached: boolean }> {
  const names = new Map<string, string>();
  const cached = new Set<string>();
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (\[.*)$/.exec(line);
    if (m && !names.has(m[1])) names.set(m[1], m[2]);
    const c = /^#(\d+) CACHED$/.exec(line);
    if (c) cached.add(c[1]);
  }
  return [...names].filter(([, n]) => / RUN /.test(n)).map(([id, name]) => ({ name, cached: cached.has(id) }));
}
