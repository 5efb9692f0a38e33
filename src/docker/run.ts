import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildxArgs, BuildxOptions } from './buildxArgs';
import { PreparedContext, writeContext } from './context';

/** Runs a command, streaming its output; resolves with the exit code. `@actions/exec` in the action. */
export type Exec = (command: string, args: string[]) => Promise<number>;

export interface BuildOutcome {
  ok: boolean;
  digest?: string;
  durationMs: number;
  error?: string;
}

/** Everything buildx needs besides the context: the same for every image of a run. */
export type BuildSettings = Omit<
  BuildxOptions,
  'platform' | 'tag' | 'contextDir' | 'metadataFile' | 'cacheKey' | 'output' | 'buildContexts'
>;

/** What differs between the builds of one run. */
export type PerBuild = Pick<BuildxOptions, 'output' | 'buildContexts'>;

/**
 * Build (and push) one image: write its context to a fresh temporary directory, run
 * `docker buildx build`, read the pushed digest back from the metadata file.
 */
export async function buildOne(
  ctx: PreparedContext,
  settings: BuildSettings,
  exec: Exec,
  tmpRoot = os.tmpdir(),
  perBuild: PerBuild = {},
): Promise<BuildOutcome> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(tmpRoot, `imagespec-${ctx.image.key}-`));
  try {
    const contextDir = path.join(dir, 'context');
    writeContext(ctx, contextDir);
    const metadataFile = path.join(dir, 'metadata.json');
    const platform = ctx.image.spec.values.platform.kind === 'str' ? ctx.image.spec.values.platform.value : 'linux/amd64';
    const args = buildxArgs({
      ...settings,
      ...perBuild,
      platform,
      tag: ctx.image.image,
      contextDir,
      metadataFile,
      cacheKey: ctx.image.key,
    });
    const code = await exec('docker', args);
    if (code !== 0) return { ok: false, durationMs: Date.now() - started, error: `docker buildx build exited with ${code}` };
    let digest: string | undefined;
    try {
      const meta = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
      if (typeof meta['containerimage.digest'] === 'string') digest = meta['containerimage.digest'];
    } catch {
      // A build without an image export (push: false) writes no digest; that is not a failure.
    }
    return { ok: true, digest, durationMs: Date.now() - started };
  } catch (e) {
    return { ok: false, durationMs: Date.now() - started, error: e instanceof Error ? e.message : String(e) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
