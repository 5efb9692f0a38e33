import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildxArgs, BuildxOptions } from './buildxArgs';
import { PreparedContext, writeContext } from './context';
import { quoted } from '../util/logSafe';

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

/** Linux refuses one argument over 128 KiB (MAX_ARG_STRLEN); ours are far shorter when sane. */
export const ARG_MAX_LENGTH = 16 * 1024;
/** The whole argv, well under ARG_MAX (and E2BIG) even with a large environment. */
export const ARGV_MAX_LENGTH = 256 * 1024;
/** The temporary directory of one build: a fixed-length name, whatever the image key. */
const TMP_PREFIX = 'imagespec-build-';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ARG_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The buildx argv of one image, its context and metadata file in `dir`. */
export function buildArgsFor(ctx: PreparedContext, settings: BuildSettings, dir: string, perBuild: PerBuild = {}): string[] {
  const platform = ctx.image.spec.values.platform.kind === 'str' ? ctx.image.spec.values.platform.value : 'linux/amd64';
  return buildxArgs({
    ...settings,
    ...perBuild,
    platform,
    tag: ctx.image.image,
    contextDir: path.join(dir, 'context'),
    metadataFile: path.join(dir, 'metadata.json'),
    cacheKey: ctx.image.key,
  });
}

/**
 * What is wrong with an argv, or undefined: a control character (NUL cannot be passed at all, the
 * others would reach the log), an argument or a whole command line the kernel would refuse.
 * Checked for every image before the first build, with the temporary paths at their real length.
 */
export function argvProblem(args: readonly string[]): string | undefined {
  let total = 0;
  for (const a of args) {
    if (ARG_CONTROL.test(a)) return `the buildx argument ${quoted(a)} contains a control character`;
    if (a.length > ARG_MAX_LENGTH) return `a buildx argument is longer than ${ARG_MAX_LENGTH} characters: ${quoted(a, 60)}`;
    total += Buffer.byteLength(a) + 1;
  }
  return total > ARGV_MAX_LENGTH ? `the buildx command line is longer than ${ARGV_MAX_LENGTH} bytes` : undefined;
}

/** A stand-in for the temporary directory `buildOne` will create, as long as the real one. */
export function sampleBuildDir(tmpRoot = os.tmpdir()): string {
  return path.join(tmpRoot, `${TMP_PREFIX}XXXXXX`);
}

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
  const dir = fs.mkdtempSync(path.join(tmpRoot, TMP_PREFIX));
  try {
    writeContext(ctx, path.join(dir, 'context'));
    const metadataFile = path.join(dir, 'metadata.json');
    const args = buildArgsFor(ctx, settings, dir, perBuild);
    const problem = argvProblem(args);
    if (problem) return { ok: false, durationMs: Date.now() - started, error: problem };
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
