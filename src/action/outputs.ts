import type { NotBuilt, PlannedImage } from '../plan/plan';
import { KEY_RE } from '../plan/keys';
import { matchReference } from '../registry/reference';

/**
 * Every status an image can have in the outputs. `planned`: plan mode, nothing asked; `exists`,
 * `missing`, `unknown`: what the registry said; `built`, `failed`, `cancelled`: what a build did;
 * `skipped`: nothing to build (`builder: noop`); `unused`: an ImageSpec in Python that no task uses;
 * `external`: a builder other than flytekit's default builds and names it (e.g. `builder="union"`).
 */
export type ImageStatusName =
  'planned' | 'exists' | 'missing' | 'unknown' | 'built' | 'failed' | 'cancelled' | 'skipped' | 'unused' | 'external';

/** One image's outcome, as the `images` output and the summary report it. */
export interface ImageRecord {
  key: string;
  /** The file that defines the image, relative to the working directory. */
  file: string;
  /** Where in `file`, for files that hold more than one image (Python). */
  line?: number;
  /** `yaml` (a spec file) or `python` (an ImageSpec in Python code). */
  origin: 'yaml' | 'python';
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

/**
 * Whether an image can go into `image-args`, which workflows word-split or paste into a `run:`
 * line: only a valid Docker reference (plain characters, no blanks) under a name of the key grammar.
 */
export function fitsImageArgs(name: string, image: string): boolean {
  return KEY_RE.test(name) && matchReference(image) !== null;
}

/** Images pyflyte is told about that cannot be in `image-args` (flytekit computed no reference for them). */
export function leftOutOfImageArgs(records: ImageRecord[]): ImageRecord[] {
  return records.filter(
    (r) => r.status !== 'unused' && r.status !== 'external' && !fitsImageArgs(r.origin === 'python' ? r.id : r.key, r.image),
  );
}

/** The outputs every mode sets. Keys appear in the order of the (sorted) spec files. */
export function baseOutputs(records: ImageRecord[]): Outputs {
  const map: Record<string, string> = {};
  for (const r of records) map[r.key] = r.image;
  return {
    images: JSON.stringify(records),
    'image-map': JSON.stringify(map),
    'image-args': registered(records)
      .filter(([name, image]) => fitsImageArgs(name, image))
      .map(([name, image]) => `--image ${name}=${image}`)
      .join(' '),
  };
}

/**
 * What pyflyte is told, as `--image <name>=<image>` or a config file's `images:` entries. A YAML
 * spec is named by its key; an ImageSpec in Python by its `id`, which flytekit looks up before it
 * checks or builds anything. Images no task uses, and images another builder names, are left out.
 */
function registered(records: ImageRecord[]): Array<[string, string]> {
  return records
    .filter((r) => r.status !== 'unused' && r.status !== 'external')
    .map((r) => [r.origin === 'python' ? r.id : r.key, r.image]);
}

/** A flytekit config file (`pyflyte --config`) whose `images:` section names every image. */
export function flytekitConfig(records: ImageRecord[]): string {
  const lines = registered(records).map(([name, image]) => `  ${JSON.stringify(name)}: ${JSON.stringify(image)}`);
  return lines.length === 0 ? 'images: {}\n' : `images:\n${lines.join('\n')}\n`;
}

/** `missing` and `existing`: JSON arrays of image references, for gates and later steps. */
export function checkOutputs(records: ImageRecord[]): Outputs {
  return {
    missing: JSON.stringify(records.filter((r) => r.status === 'missing').map((r) => r.image)),
    existing: JSON.stringify(records.filter((r) => r.status === 'exists').map((r) => r.image)),
  };
}

/** The record of an image the action neither checks nor builds. */
export function notBuiltRecord(p: PlannedImage, n: NotBuilt): ImageRecord {
  return { ...record(p, n.status), reason: n.reason };
}

/** The record of a planned image, before any registry or builder has said anything. */
export function record(p: PlannedImage, status: ImageStatusName): ImageRecord {
  return {
    key: p.key,
    file: p.source.file,
    ...(p.source.line !== undefined ? { line: p.source.line } : {}),
    origin: p.origin,
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
