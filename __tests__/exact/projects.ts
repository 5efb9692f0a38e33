/** Small Flyte projects written to disk for the exact engine's tests, and the pyflyte oracle. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flytekitPython } from '../differential/oracle';

export { flytekitPython };

/** Writes `files` (path → content, dedented) under a fresh temporary folder; returns the folder. */
export function writeProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exact-project-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, dedent(content));
  }
  return dir;
}

export function dedent(s: string): string {
  const lines = s.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** Task name → image, from `pyflyte package` itself (pyflyte_package.py). */
export function pyflytePackage(
  cwd: string,
  root: string,
  copy: 'all' | 'none',
  pkgs: string[],
  env: Record<string, string> = {},
): Record<string, string> {
  const out = execFileSync(flytekitPython(), [path.join(__dirname, 'pyflyte_package.py'), cwd, root, copy, ...pkgs], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(out) as { images?: Record<string, string>; error?: string };
  if (!parsed.images) throw new Error(`pyflyte package failed:\n${parsed.error}`);
  return parsed.images;
}
