import type { NotBuilt, PlannedImage } from '../plan/plan';
import type { Flyte2Planned } from '../plan/flyte2';
import type { Inputs } from './inputs';
import { KEY_RE, SPEC_ID_RE } from '../plan/keys';
import { matchReference } from '../registry/reference';

/**
 * Every status an image can have in the outputs. `planned`: plan mode, nothing asked; `exists`,
 * `missing`, `unknown`: what the registry said; `built`, `failed`, `cancelled`: what a build did;
 * `skipped`: nothing to build (`builder: noop`); `unused`: an ImageSpec in Python that no task uses;
 * `external`: a builder other than flytekit's default builds and names it (e.g. `builder="union"`),
 * or a Flyte 2 environment uses its image as named (a string, a config ref, an unmodified base).
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
  /** `yaml` (a spec file), `python` (an ImageSpec in Python code) or `flyte2` (a Flyte 2 environment's image). */
  origin: 'yaml' | 'python' | 'flyte2';
  /** The image repository name after flytekit's normalisation (lower-cased); the SDK's `name` for Flyte 2. */
  name: string;
  tag: string;
  /** Full reference `pyflyte` will use: `registry/name:tag` (or `base_image` for `builder: noop`). */
  image: string;
  /** `ImageSpec.id`, baked into the image as `_F_IMG_ID`; '' for Flyte 2 (the SDK bakes in the URI). */
  id: string;
  status: ImageStatusName;
  /** Why the status is what it is, when that is not obvious (unknown, failed, skipped). */
  reason?: string;
  digest?: string;
  durationMs?: number;
}

export type Outputs = Record<string, string>;

/**
 * Why an image pyflyte is told about cannot go into `image-args`, which workflows word-split or
 * paste into a `run:` line: only a valid Docker reference (plain characters, no blanks) under a name
 * of its grammar (a key, or flytekit's spec id) goes in. undefined when it can.
 */
export function imageArgsProblem(r: ImageRecord): string | undefined {
  const [name, image] = registeredAs(r);
  if (!(r.origin === 'python' ? SPEC_ID_RE : KEY_RE).test(name)) return `its name ${JSON.stringify(name)} is not a plain word`;
  if (matchReference(image) === null) return `${image} is not a valid image reference`;
  return undefined;
}

/** Images pyflyte is told about that cannot be in `image-args`. */
export function leftOutOfImageArgs(records: ImageRecord[]): ImageRecord[] {
  return records.filter((r) => isRegistered(r) && imageArgsProblem(r) !== undefined);
}

/**
 * The outputs every mode sets. Keys appear in plan order: YAML specs by (sorted) file, then Python
 * images as their engine found them, then Flyte 2 environments in the order the SDK loaded them.
 */
export function baseOutputs(records: ImageRecord[]): Outputs {
  const map: Record<string, string> = {};
  for (const r of records) map[r.key] = r.image;
  return {
    images: JSON.stringify(records),
    'image-map': JSON.stringify(map),
    'image-args': records
      .filter((r) => isRegistered(r) && imageArgsProblem(r) === undefined)
      .map((r) => `--image ${registeredAs(r).join('=')}`)
      .join(' '),
  };
}

/**
 * Whether pyflyte is told about an image. Images no task uses, and images another builder names,
 * are left out, and so are Flyte 2 images: `flyte deploy --image name=uri` names config image
 * refs (`Image.from_ref_name`), not environments, and deploy recomputes every environment's image
 * itself (see `flyte2DeployArgs`).
 */
function isRegistered(r: ImageRecord): boolean {
  return r.origin !== 'flyte2' && r.status !== 'unused' && r.status !== 'external';
}

/**
 * What pyflyte is told, as `--image <name>=<image>` or a config file's `images:` entries. A YAML
 * spec is named by its key; an ImageSpec in Python by its `id`, which flytekit looks up before it
 * checks or builds anything.
 */
function registeredAs(r: ImageRecord): [name: string, image: string] {
  return [r.origin === 'python' ? r.id : r.key, r.image];
}

/**
 * `flyte2-deploy-args`: the `flyte deploy` options that decide the images' names beyond the code,
 * as the action used them. Deploy takes no list of built images for environments: it recomputes each
 * URI and asks the registry, so it finds what the action checked or pushed only when it names the
 * images alike (same options, same SDK and Python, run in the working directory). Empty without `flyte2`.
 */
export function flyte2DeployArgs(inputs: Pick<Inputs, 'flyte2' | 'flyte2RootDir' | 'flyte2CopyStyle'>): string {
  if (inputs.flyte2.length === 0) return '';
  return [`--copy-style ${inputs.flyte2CopyStyle}`, ...(inputs.flyte2RootDir ? [`--root-dir ${inputs.flyte2RootDir}`] : [])].join(' ');
}

/** A flytekit config file (`pyflyte --config`) whose `images:` section names every image pyflyte is told about. */
export function flytekitConfig(records: ImageRecord[]): string {
  const lines = records.filter(isRegistered).map((r) => {
    const [name, image] = registeredAs(r);
    return `  ${JSON.stringify(name)}: ${JSON.stringify(image)}`;
  });
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

/** The record of a Flyte 2 environment's image. */
export function flyte2Record(p: Flyte2Planned, status: ImageStatusName): ImageRecord {
  return {
    key: p.key,
    file: p.source.file,
    ...(p.source.line !== undefined ? { line: p.source.line } : {}),
    origin: 'flyte2',
    name: p.sdk.name ?? '',
    tag: p.sdk.tag ?? '',
    image: p.image,
    id: '',
    status,
    ...(p.notBuilt && status === p.notBuilt.status ? { reason: p.notBuilt.reason } : {}),
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
