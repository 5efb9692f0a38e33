import * as core from './core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTool, runTool } from './runTool';
import { SpecError } from '../errors';
import { argvProblem, buildArgsFor, buildOne, BuildSettings, Exec, sampleBuildDir } from '../docker/run';
import { checkImageRef } from '../docker/sanitize';
import { fieldWhere } from '../imagespec/postInit';
import { prepareContext, PreparedContext } from '../docker/context';
import type { PlannedImage } from '../plan/plan';
import type { ImageRecord } from './outputs';
import type { Inputs } from './inputs';
import { annotationProps } from './report';
import { needsBuild } from './decide';
import { loadCacheMounts } from './loadCacheMounts';
import type { CacheBackend } from '../docker/buildxArgs';

export interface BuildModeOptions {
  cwd: string;
  repoRoot: string;
  defaultPythonVersion: string;
  flytekitVersion: string;
  secretMounts?: Array<{ id: string; target: string }>;
  failFast: boolean;
  settings: BuildSettings;
  exec: Exec;
  tmpRoot?: string;
  /** The spec file as annotations name it (relative to the repository root). */
  annotationFile: (p: PlannedImage) => string;
}

/** Base specs first, so a child's FROM names an image that was just pushed. Input order otherwise. */
export function buildOrder(images: PlannedImage[]): PlannedImage[] {
  const byKey = new Map(images.map((p) => [p.key, p]));
  const done = new Set<string>();
  const out: PlannedImage[] = [];
  const visit = (p: PlannedImage) => {
    if (done.has(p.key)) return;
    done.add(p.key);
    if (p.baseKey) visit(byKey.get(p.baseKey)!);
    out.push(p);
  };
  images.forEach(visit);
  return out;
}

/**
 * Render every context before building anything: a spec that cannot be built safely stops the
 * run before the first push. Returns the errors, or the contexts by key.
 */
export function prepareAll(
  images: PlannedImage[],
  needed: Set<string>,
  o: BuildModeOptions,
): { contexts: Map<string, PreparedContext>; errors: SpecError[] } {
  const contexts = new Map<string, PreparedContext>();
  const errors: SpecError[] = [];
  const byKey = new Map(images.map((p) => [p.key, p]));
  for (const p of images) {
    if (!needed.has(p.key)) continue;
    try {
      const base = p.baseKey ? byKey.get(p.baseKey)!.image : undefined;
      const ctx = prepareContext(p, base, {
        cwd: o.cwd,
        repoRoot: o.repoRoot,
        defaultPythonVersion: o.defaultPythonVersion,
        flytekitVersion: o.flytekitVersion,
        secretMounts: o.secretMounts,
      });
      checkBuildArgs(ctx, base, o);
      contexts.set(p.key, ctx);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      errors.push(e);
    }
  }
  return { contexts, errors };
}

/**
 * The image's own reference and the buildx argv it will get, checked now (with temporary paths as
 * long as the real ones) so that no build starts when a later one could not.
 */
function checkBuildArgs(ctx: PreparedContext, base: string | undefined, o: BuildModeOptions): void {
  const p = ctx.image;
  const at = (field: 'name' | 'platform') => fieldWhere(p.spec, field, p.spec.values[field]);
  try {
    checkImageRef(p.image, 'name');
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new SpecError(
      `the image name ${e.message.replace(/^not a valid image reference/, 'is not a valid image reference')}`,
      at('name'),
    );
  }
  const layouts = path.join(o.tmpRoot ?? os.tmpdir(), 'imagespec-layouts-XXXXXX');
  const args = buildArgsFor(ctx, o.settings, sampleBuildDir(o.tmpRoot), {
    output: o.settings.push ? undefined : `type=oci,dest=${path.join(layouts, p.key)},tar=false`,
    buildContexts: base ? [[base, `oci-layout://${layouts}/${p.baseKey ?? ''}@sha256:${'0'.repeat(64)}`]] : undefined,
  });
  const problem = argvProblem(args);
  if (problem) throw new SpecError(problem, at('platform'));
}

/**
 * Build what needs building, in dependency order, one at a time (BuildKit parallelises inside a
 * build; two cores gain nothing from two builds). Records are updated in place.
 */
export async function buildMissing(
  order: PlannedImage[],
  records: Map<string, ImageRecord>,
  contexts: Map<string, PreparedContext>,
  o: BuildModeOptions,
): Promise<void> {
  let stop = false;
  // Without push, a base image built here is in no registry for its children's FROM to pull: it is
  // kept as an OCI layout and handed to them as a named build context instead.
  const layouts = new Map<string, string>();
  const layoutRoot = o.settings.push ? undefined : fs.mkdtempSync(path.join(o.tmpRoot ?? os.tmpdir(), 'imagespec-layouts-'));
  const isBaseOfAnother = (key: string) => order.some((c) => c.baseKey === key && contexts.has(c.key));
  try {
    for (const p of order) {
      const ctx = contexts.get(p.key);
      if (!ctx) continue;
      const r = records.get(p.key)!;
      const base = p.baseKey ? records.get(p.baseKey) : undefined;
      if (base && (base.status === 'failed' || base.status === 'cancelled')) {
        Object.assign(r, { status: 'cancelled', reason: `its base image ${base.key} was not built` });
        continue;
      }
      if (stop) {
        Object.assign(r, { status: 'cancelled', reason: 'an earlier build failed and fail-fast is set' });
        continue;
      }
      core.startGroup(`Building ${p.key}: ${p.image}`);
      let outcome;
      try {
        const ociDir = layoutRoot && isBaseOfAnother(p.key) ? path.join(layoutRoot, p.key) : undefined;
        const baseLayout = p.baseKey ? layouts.get(p.baseKey) : undefined;
        outcome = await buildOne(ctx, o.settings, o.exec, o.tmpRoot, {
          output: ociDir ? `type=oci,dest=${ociDir},tar=false` : undefined,
          buildContexts: baseLayout && base ? [[base.image, `oci-layout://${baseLayout}`]] : undefined,
        });
        if (outcome.ok && ociDir && outcome.digest) layouts.set(p.key, `${ociDir}@${outcome.digest}`);
      } finally {
        core.endGroup();
      }
      if (outcome.ok) {
        Object.assign(r, {
          status: 'built',
          digest: outcome.digest,
          durationMs: outcome.durationMs,
          reason: o.settings.push ? undefined : 'not pushed (push: false)',
        });
        core.info(
          `${p.key}: built ${p.image}${outcome.digest ? ` (${outcome.digest})` : ''} in ${(outcome.durationMs / 1000).toFixed(1)} s`,
        );
      } else {
        Object.assign(r, { status: 'failed', reason: outcome.error, durationMs: outcome.durationMs });
        core.error(`${p.image}: build failed: ${outcome.error}`, { title: `Build of ${p.key} failed`, file: o.annotationFile(p) });
        if (o.failFast) stop = true;
      }
    }
  } finally {
    if (layoutRoot) fs.rmSync(layoutRoot, { recursive: true, force: true });
  }
}

/** Whether the runner gave this action the GitHub Actions cache service's credentials. */
export const hasCacheService = (env: NodeJS.ProcessEnv): boolean =>
  Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL));

/** buildx drivers that can export a cache; the Docker engine's own `docker` driver cannot. */
const CACHE_EXPORTING_DRIVERS = new Set(['docker-container', 'remote', 'kubernetes']);

/**
 * The layer cache the builds use. `auto` takes the GitHub cache where it works: the runner gives
 * actions its credentials (never `run:` steps, and local runs have none) and the builder's driver
 * can export; otherwise it builds without one, and says why in an info line. An explicit `gha`
 * without credentials gets a warning, since buildx would drop that cache silently.
 */
export function layerCache(
  cache: Inputs['cache'],
  env: NodeJS.ProcessEnv,
  driver: string | undefined,
): { cache: CacheBackend; note?: { level: 'info' | 'warning'; text: string } } {
  if (cache === 'none' || cache === 'registry') return { cache };
  if (!hasCacheService(env)) {
    const why = 'the GitHub Actions cache service (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL, which the runner gives to actions)';
    return cache === 'gha'
      ? { cache: 'none', note: { level: 'warning', text: `cache: gha needs ${why}; building without a layer cache` } }
      : { cache: 'none', note: { level: 'info', text: `layer cache: off, no ${why.replace(/^the /, '')}` } };
  }
  if (cache === 'auto' && !CACHE_EXPORTING_DRIVERS.has(driver ?? '')) {
    const text = `layer cache: off, the builder's buildx driver (${driver ?? 'unknown'}) cannot export one; docker/setup-buildx-action makes a docker-container builder that can`;
    return { cache: 'none', note: { level: 'info', text } };
  }
  return { cache: 'gha' };
}

/** The buildx driver of `builder` (or of the current builder), or undefined when buildx cannot say. */
async function builderDriver(builder: string | undefined): Promise<string | undefined> {
  const r = await readTool('docker', ['buildx', 'inspect', ...(builder ? [builder] : [])]);
  return r.code === 0 ? /^Driver:\s+(\S+)/m.exec(r.stdout)?.[1] : undefined;
}

/**
 * Build mode after the registry check: what is missing (or everything, with force) is rendered,
 * then built base-first. Records are updated in place; spec errors found while rendering come back
 * instead, and then nothing has been built.
 */
export async function runBuildMode(inputs: Inputs, images: PlannedImage[], records: ImageRecord[]): Promise<{ errors: SpecError[] }> {
  const needed = new Set(images.filter((p, i) => needsBuild(p.notBuilt !== undefined, records[i].status, inputs)).map((p) => p.key));
  const builder = inputs.builder || undefined;
  const wantsDriver = inputs.cache === 'auto' && needed.size > 0 && hasCacheService(process.env);
  const layers = layerCache(inputs.cache, process.env, wantsDriver ? await builderDriver(builder) : undefined);
  if (layers.note && needed.size > 0) core[layers.note.level](layers.note.text);
  // flytekit names pip secret mounts secret_<i>; the Dockerfile mounts and buildx's --secret must agree.
  const mounts = inputs.pipSecretMounts.map((m, i) => ({ id: `secret_${i}`, ...m }));
  const opts = {
    cwd: inputs.workingDirectory,
    repoRoot: inputs.workspace,
    defaultPythonVersion: inputs.pythonVersion,
    flytekitVersion: inputs.flytekitVersion,
    secretMounts: mounts.map(({ id, target }) => ({ id, target })),
    failFast: inputs.failFast,
    settings: {
      builder,
      push: inputs.push,
      compressionLevel: inputs.compressionLevel,
      cache: layers.cache,
      cacheRef: inputs.cacheRef || undefined,
      secrets: mounts.map(({ id, src }) => ({ id, src })),
    },
    exec: runTool,
    tmpRoot: process.env.RUNNER_TEMP || undefined,
    annotationFile: (p: PlannedImage) =>
      annotationProps({ file: p.source.file }, inputs.workingDirectory, inputs.workspace).file ?? p.source.file,
  };
  const prepared = prepareAll(images, needed, opts);
  if (prepared.errors.length > 0) return { errors: prepared.errors };
  if (inputs.cacheMounts && prepared.contexts.size > 0)
    await loadCacheMounts().restoreCacheMounts([...prepared.contexts.values()], opts.settings.builder);
  const byKey = new Map(records.map((r) => [r.key, r]));
  await buildMissing(buildOrder(images), byKey, prepared.contexts, opts);
  return { errors: [] };
}
