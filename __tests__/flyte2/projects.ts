/** Flyte 2 projects written to disk for the tests, and the oracle (sdk_uris.py). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export { dedent, writeProject } from '../exact/projects';

export function flyte2Python(): string {
  const py = process.env.IMAGESPEC_FLYTE2_PYTHON;
  if (!py) {
    throw new Error(
      'IMAGESPEC_FLYTE2_PYTHON is not set: run `bash scripts/infra.sh install` and export what `bash scripts/infra.sh env` prints',
    );
  }
  return py;
}

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
