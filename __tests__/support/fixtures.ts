/** Small helpers the end-to-end tests share: workspaces on disk, the infra's environment, registry probes. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './runner';

/** A fresh directory holding `files` (relative path → content; parent directories are created). */
export function workspace(files: Record<string, string>, prefix = 'ws-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Copy what `scripts/infra.sh env` prints into process.env; fails when the builder is not set up. */
export function loadInfraEnv(): void {
  for (const line of execFileSync('bash', [path.join(REPO_ROOT, 'scripts/infra.sh'), 'env'], { encoding: 'utf8' }).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) process.env[line.slice(0, i)] = line.slice(i + 1);
  }
  if (!process.env.BUILDX_BUILDER) throw new Error('scripts/infra.sh env printed no BUILDX_BUILDER');
}

/** Every manifest type a registry may hold for a tag, as the action's own check asks for them. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Whether a plain-HTTP registry has `host/repo:tag`. */
export async function tagExists(image: string): Promise<boolean> {
  const [, host, repo, tag] = /^([^/]+)\/(.+):([^:]+)$/.exec(image)!;
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  return r.status === 200;
}
