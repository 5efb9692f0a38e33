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

/**
 * An interpreter of `scripts/infra.sh install`, named by `variable` (as `scripts/infra.sh env`
 * prints it). A test against it without it proves nothing: a missing variable is a failure, never a skip.
 */
export function interpreter(variable: string): string {
  const py = process.env[variable];
  if (!py) {
    throw new Error(
      `${variable} is not set: run \`bash scripts/infra.sh install\` and export what \`bash scripts/infra.sh env\` prints (scripts/test.sh does both)`,
    );
  }
  return py;
}

/** Every manifest type a registry may hold for a tag, as the action's own check asks for them. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The registry API addresses of `host/repo:tag` on a plain-HTTP test registry. */
function apiOf(image: string): { manifest: string; blob: (digest: string) => string } {
  const [, host, repo, tag] = /^([^/]+)\/(.+):([^:]+)$/.exec(image)!;
  return { manifest: `http://${host}/v2/${repo}/manifests/${tag}`, blob: (digest) => `http://${host}/v2/${repo}/blobs/${digest}` };
}

/** Whether a plain-HTTP registry has `host/repo:tag`. */
export async function tagExists(image: string): Promise<boolean> {
  const r = await fetch(apiOf(image).manifest, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  return r.status === 200;
}

/** The manifest or index a plain-HTTP registry holds for `host/repo:tag`. */
export async function fetchManifest<T>(image: string): Promise<T> {
  return (await (await fetch(apiOf(image).manifest, { headers: { accept: MANIFEST_ACCEPT } })).json()) as T;
}

/** A blob of the repository of `host/repo:tag` on a plain-HTTP registry. */
export async function fetchBlob(image: string, digest: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(apiOf(image).blob(digest))).arrayBuffer());
}
