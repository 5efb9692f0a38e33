/**
 * Build mode for Flyte 2 images: what the registry lacks is built through the project's own SDK
 * (its image engine and local builder, `force`, since the action has asked the registry already),
 * so the content is what `flyte deploy` would build. The action's inputs reach the SDK through the
 * variables its local builder reads: `builder` as FLYTE_DOCKER_BUILDKIT_BUILDER_NAME, `cache:
 * registry` as `--cache-from/--cache-to` in FLYTE_DOCKER_BUILD_EXTRA_ARGS (one cache tag per
 * environment, as for ImageSpecs; the SDK's own cache variables skip `from_dockerfile` images).
 */
import * as core from './core';
import { SpecError } from '../errors';
import { cacheArgs } from '../docker/buildxArgs';
import type { Flyte2BuildItem } from '../flyte2/evaluate';
import { summarize } from '../exact/errors';
import { Flyte2PlanOptions, Flyte2Planned, flyte2Request } from '../plan/flyte2';
import { needsBuild } from './decide';
import type { Inputs } from './inputs';
import type { ImageRecord } from './outputs';
import { annotateErrors, annotationProps } from './report';

/** The Flyte 2 images build mode builds: the ones the registry lacks (or all with `force`), never those used as named. */
export function flyte2Needed(flyte2: readonly Flyte2Planned[], records: ImageRecord[], inputs: Inputs): Flyte2Planned[] {
  const byKey = new Map(records.map((r) => [r.key, r]));
  return flyte2.filter((p) => needsBuild(p.notBuilt !== undefined, byKey.get(p.key)!.status, inputs));
}

/**
 * Refusals decided before anything is built, located on the environment. The SDK's builder always
 * pushes an image that has a registry, so `push: false` cannot be honoured for it.
 */
export function flyte2Refusals(needed: readonly Flyte2Planned[], inputs: Inputs): SpecError[] {
  if (inputs.push) return [];
  return needed.map(
    (p) =>
      new SpecError(
        `environment '${p.key}' needs its image ${p.image} built, and the flyte SDK's builder always pushes what it builds: with push: false the action cannot build it (use mode: check on pull requests)`,
        { file: p.source.file || undefined, line: p.source.line },
      ),
  );
}

/** A word for Python's `shlex.split`: single-quoted, a `'` closed, escaped and reopened. */
function shlexQuote(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** One environment's FLYTE_DOCKER_BUILD_EXTRA_ARGS: the user's own, then the action's layer cache. */
function extraArgs(key: string, inputs: Inputs): Pick<Flyte2BuildItem, 'extraArgs'> {
  if (inputs.cache !== 'registry') return {};
  const own = process.env.FLYTE_DOCKER_BUILD_EXTRA_ARGS ?? '';
  const cache = cacheArgs('registry', `flyte2-${key}`, inputs.cacheRef).map(shlexQuote).join(' ');
  return { extraArgs: own ? `${own} ${cache}` : cache };
}

/**
 * Builds `needed` in order through the SDK and updates their records in place (built, failed,
 * cancelled). `stopped`: an earlier build failed with `fail-fast`, so these are cancelled.
 */
export async function buildFlyte2(
  needed: readonly Flyte2Planned[],
  records: ImageRecord[],
  inputs: Inputs,
  planning: Flyte2PlanOptions,
  stopped: boolean,
): Promise<void> {
  if (needed.length === 0) return;
  const byKey = new Map(records.map((r) => [r.key, r]));
  if (stopped) {
    for (const p of needed)
      Object.assign(byKey.get(p.key)!, { status: 'cancelled', reason: 'an earlier build failed and fail-fast is set' });
    return;
  }
  if (inputs.cache === 'gha') {
    // The cache service's token would have to reach the user's code, which runs in the same process.
    core.warning('cache: gha is not used for Flyte 2 images (the SDK builds them in a process that runs your code); use cache: registry');
  }
  const builder = inputs.builder || planning.env.BUILDX_BUILDER;
  const request = await flyte2Request({
    ...planning,
    env: builder ? { ...planning.env, FLYTE_DOCKER_BUILDKIT_BUILDER_NAME: builder } : planning.env,
  });
  const { evaluateFlyte2 } = await import('../flyte2/evaluate');
  core.startGroup(`Building ${needed.length} Flyte 2 image(s) with the flyte SDK`);
  let ev;
  try {
    ev = await evaluateFlyte2({
      ...request,
      // A build runs as long as it runs; the interpreter's memory bound would also bind docker.
      limits: { timeoutMs: 6 * 60 * 60_000, memoryBytes: 0 },
      build: {
        environments: needed.map((p) => ({ env: p.key, uri: p.image, ...extraArgs(p.key, inputs) })),
        failFast: inputs.failFast,
      },
    });
    // Line by line, as buildx's own output: each line is made safe on its own, and stays readable.
    for (const line of (ev.run?.log ?? '').split(/\r?\n/)) if (line) core.info(line);
  } finally {
    core.endGroup();
  }
  const results = new Map(ev.builds.map((b) => [b.env, b]));
  annotateErrors(ev.errors, inputs.workingDirectory, inputs.workspace);
  for (const p of needed) {
    const r = byKey.get(p.key)!;
    const b = results.get(p.key);
    if (!b) {
      Object.assign(r, { status: 'failed', reason: 'the flyte SDK could not name the images again, so nothing was built' });
    } else if (b.status === 'built') {
      Object.assign(r, { status: 'built', reason: undefined, durationMs: b.ms });
      core.info(`${p.key}: built ${p.image} with the flyte SDK in ${((b.ms ?? 0) / 1000).toFixed(1)} s`);
    } else if (b.status === 'cancelled') {
      Object.assign(r, { status: 'cancelled', reason: 'an earlier build failed and fail-fast is set' });
    } else {
      const reason = b.python ? summarize(b.python) : (b.message ?? 'the build failed');
      Object.assign(r, { status: 'failed', reason, durationMs: b.ms });
      const at = annotationProps({ file: p.source.file || undefined, line: p.source.line }, inputs.workingDirectory, inputs.workspace);
      core.error(`${p.image}: build failed: ${reason}`, { ...at, title: `Build of ${p.key} failed` });
    }
  }
}
