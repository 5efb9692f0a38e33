/**
 * Which Flyte 2 images to ask the registry about, and what the answers mean (issue 15, item 2).
 * Pure: the asking is src/registry/check.ts's `checkImages`, which already compares an index with
 * every platform asked for (the SDK's default is linux/amd64 + linux/arm64) and answers `unknown`
 * on any doubt. Unlike the SDK, `unknown` never counts as "exists".
 */
import { ImageCheckResult, ImageQuery } from '../registry/check';
import { ImageStatus } from '../registry/types';
import { Flyte2Image } from './evaluate';

export type Flyte2Check =
  /** A `build` image, with the registry's answer (or `unknown` when it could not be asked). */
  | { key: string; uri: string; check: 'checked'; result: ImageStatus }
  /** `base`, `uri` and `ref` images are used as they are named: the SDK never builds them. */
  | { key: string; uri: string; check: 'used-as-is' };

/** The registry queries for the images that may need a build, in order; images without a registry get none. */
export function flyte2Queries(images: readonly Flyte2Image[]): ImageQuery[] {
  return images.filter(needsQuery).map((i) => ({ ref: i.uri, platforms: i.platforms }));
}

/** `results` are `checkImages(flyte2Queries(images))`'s, in the same order. */
export function flyte2Checks(images: readonly Flyte2Image[], results: readonly ImageCheckResult[]): Flyte2Check[] {
  const queried = images.filter(needsQuery);
  if (queried.length !== results.length) throw new Error(`${results.length} check results for ${queried.length} queries`);
  const byKey = new Map<string, ImageStatus>();
  queried.forEach((image, i) => {
    if (results[i].ref !== image.uri) throw new Error(`check result ${i} is for another image`);
    byKey.set(image.key, results[i].result);
  });
  return images.map((image): Flyte2Check => {
    if (image.use !== 'build') return { key: image.key, uri: image.uri, check: 'used-as-is' };
    const result: ImageStatus = byKey.get(image.key) ?? {
      status: 'unknown',
      reason:
        'the flyte SDK resolved no registry for this image (set image.registry in the flyte config, FLYTE_IMAGE_REGISTRY, or registry= on the Image); it cannot be pushed',
    };
    return { key: image.key, uri: image.uri, check: 'checked', result };
  });
}

function needsQuery(image: Flyte2Image): boolean {
  return image.use === 'build' && image.registry !== null;
}
