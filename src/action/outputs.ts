import type { PlannedImage } from '../plan/plan';

/**
 * Every status an image can have in the outputs. `planned`: plan mode, nothing asked; `exists`,
 * `missing`, `unknown`: what the registry said; `built`, `failed`, `cancelled`: what a build did;
 * `skipped`: nothing to build (`builder: noop`).
 */
export type ImageStatusName = 'planned' | 'exists' | 'missing' | 'unknown' | 'built' | 'failed' | 'cancelled' | 'skipped';

/** One image's outcome, as the `images` output and the summary report it. */
export interface ImageRecord {
  key: string;
  /** Spec file relative to the working directory. */
  file: string;
  /** The image repository name after flytekit's normalisation (lower-cased). */
  name: string;
  tag: string;
  /** Full reference `pyflyte` will use: `registry/name:tag` (or `base_image` for `builder: noop`). */
  image: string;
  /** `ImageSpec.id`, baked into the image as `_F_IMG_ID`. */
  id: string;
  status: ImageStatusName;
  /** Why the status is what it is, when that is not obvious (unknown, failed, skipped). */
  reason?: string;
  digest?: string;
  durationMs?: number;
}

export type Outputs = Record<string, string>;

/** The outputs every mode sets. Keys appear in the order of the (sorted) spec files. */
export function baseOutputs(records: ImageRecord[]): Outputs {
  const map: Record<string, string> = {};
  for (const r of records) map[r.key] = r.image;
  return {
    images: JSON.stringify(records),
    'image-map': JSON.stringify(map),
    'image-args': records.map((r) => `--image ${r.key}=${r.image}`).join(' '),
  };
}

/** `missing` and `existing`: JSON arrays of image references, for gates and later steps. */
export function checkOutputs(records: ImageRecord[]): Outputs {
  return {
    missing: JSON.stringify(records.filter((r) => r.status === 'missing').map((r) => r.image)),
    existing: JSON.stringify(records.filter((r) => r.status === 'exists').map((r) => r.image)),
  };
}

/** The record of a planned image, before any registry or builder has said anything. */
export function record(p: PlannedImage, status: ImageStatusName): ImageRecord {
  return {
    key: p.key,
    file: p.source.file,
    name: p.spec.values.name.kind === 'str' ? p.spec.values.name.value : '',
    tag: p.tag.tag,
    image: p.image,
    id: p.id,
    status,
  };
}

/**
 * `matrix`: `{"include": [...]}` for `strategy.matrix`, one entry per image that needs a build, so
 * a check job can fan out one build job per image (each running with `only: <key>`).
 */
export function matrixOutput(records: ImageRecord[], needed: (r: ImageRecord) => boolean): Outputs {
  const include = records.filter(needed).map((r) => ({ key: r.key, file: r.file, image: r.image }));
  return { matrix: JSON.stringify({ include }) };
}
