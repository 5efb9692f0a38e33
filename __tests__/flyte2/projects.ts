/** Flyte 2 projects written to disk for the tests, and the oracle (sdk_uris.py). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { interpreter } from '../support/fixtures';

export { dedent, writeProject } from '../exact/projects';

/** The Flyte 2 SDK's venv of `scripts/infra.sh install`. */
export const flyte2Python = (): string => interpreter('IMAGESPEC_FLYTE2_PYTHON');

/** Environment name → URI, computed by the SDK's `Image.uri` directly (no loader, no planner). */
export function sdkUris(cwd: string, modules: string[], env: Record<string, string> = {}): Record<string, string> {
  const out = execFileSync(flyte2Python(), ['-B', path.join(__dirname, 'sdk_uris.py'), cwd, ...modules], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, PYTHONDONTWRITEBYTECODE: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as Record<string, string>;
}
