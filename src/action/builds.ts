/**
 * Build mode, both kinds of image: refusals decided before anything is built (then nothing is),
 * the ImageSpecs base-first, then the Flyte 2 images through the project's SDK. Records are
 * updated in place; errors come back only when nothing was built.
 */
import type { SpecError } from '../errors';
import type { Flyte2PlanOptions, Flyte2Planned } from '../plan/flyte2';
import type { PlannedImage } from '../plan/plan';
import { runBuildMode } from './buildMode';
import { buildFlyte2, flyte2Needed, flyte2Refusals } from './flyte2Build';
import type { Inputs } from './inputs';
import type { ImageRecord } from './outputs';

export async function runBuilds(
  inputs: Inputs,
  images: PlannedImage[],
  flyte2: Flyte2Planned[],
  records: ImageRecord[],
  flyte2Options: Flyte2PlanOptions,
): Promise<{ errors: SpecError[] }> {
  const flyte2Builds = flyte2Needed(flyte2, records, inputs);
  const refused = flyte2Refusals(flyte2Builds, inputs);
  if (refused.length > 0) return { errors: refused };
  const built = await runBuildMode(inputs, images, records);
  if (built.errors.length > 0) return built;
  // With fail-fast, an ImageSpec that failed cancels the Flyte 2 builds too.
  const stopped = inputs.failFast && records.some((r) => r.status === 'failed');
  await buildFlyte2(flyte2Builds, records, inputs, flyte2Options, stopped);
  return { errors: [] };
}
