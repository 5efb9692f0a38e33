import * as path from 'node:path';
import { SpecError } from '../errors';
import { pyStr } from '../py/repr';
import { none } from '../py/value';
import { loadSpecFile } from '../imagespec/load';
import { fieldWhere } from '../imagespec/postInit';
import type { ImageSpec } from '../imagespec/types';
import { checkEncodable } from '../imagespec/view';
import type { SpecFile } from '../discover/specFiles';
import { platformProblem } from '../registry/platform';
import { quoted } from '../util/logSafe';
import { computeTag, Digests, hashedSourceRoot, specId, TagResult } from '../tag/compute';

/** Where an image is defined: a file may hold many images, so an image is not its file. */
export interface ImageSource {
  /** The file relative to the working directory, with `/` separators. */
  file: string;
  /** 1-based line of the definition, where a file can hold more than one image. */
  line?: number;
}

/** The name flytekit gives an image: the tag, and `registry/name:tag`. */
export type ImageTag = Pick<TagResult, 'tag' | 'imageName'>;

/** An image the action neither checks nor builds, with the status it reports and why. */
export interface NotBuilt {
  status: 'skipped' | 'unused' | 'external';
  reason: string;
}

export interface PlannedImage {
  /** Unique among the planned images: how outputs, `only`, the matrix and annotations name it. */
  key: string;
  source: ImageSource;
  /** A YAML spec file (`--image key=…`) or an ImageSpec written in Python (`--image <id>=…`). */
  origin: 'yaml' | 'python';
  spec: ImageSpec;
  tag: ImageTag;
  id: string;
  /** What pyflyte will use: the image name, or `base_image` verbatim for `builder: noop`. */
  image: string;
  noop: boolean;
  /** Key of a repository base spec that must be built first. */
  baseKey?: string;
  notBuilt?: NotBuilt;
  /** The files of `source_root` a LOADED_MODULES copy puts in the image, when the exact engine listed them. */
  sourceFiles?: string[];
}

export interface PlanResult {
  images: PlannedImage[];
  errors: SpecError[];
  /** Valid specs that probably do not say what their author meant. */
  warnings: SpecError[];
}

/**
 * YAML reads `python_version: 3.10` as the float 3.1. flytekit hashes (and installs) that float, so
 * the tag must keep it, but the author almost certainly meant the string.
 */
function warningsFor(spec: ImageSpec): SpecError[] {
  const v = spec.values.python_version;
  if (v.kind !== 'float') return [];
  return [
    new SpecError(
      `python_version is the number ${pyStr(v)}, not a string; quote it ("${pyStr(v)}" is what flytekit will use, and 3.10 reads as 3.1)`,
      fieldWhere(spec, 'python_version', v),
    ),
  ];
}

/** `base_image: ./other.yaml`: our extension naming another spec file of the repository. */
export function isSpecPath(baseImage: string): boolean {
  return /^\.\.?\//.test(baseImage) && /\.ya?ml$/i.test(baseImage);
}

/**
 * Load every spec, link repository base specs, and compute tags. All files are read and every
 * error is collected, so a user sees all problems at once; a caller must act on nothing when
 * `errors` is not empty.
 */
export function planImages(files: SpecFile[], opts: PlanOptions): PlanResult {
  const steps = planning(files, opts, false);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `planImages`, giving the event loop a turn between files and handing each image to `early` as
 * soon as its tag is known, so registry checks run while the other specs are still being read. An
 * image handed out early may still end up in a plan with errors: `early` may only start work that
 * does nothing (an existence check), never a build.
 */
export async function planImagesAsync(files: SpecFile[], opts: PlanOptions, early: (p: PlannedImage) => void): Promise<PlanResult> {
  const steps = planning(files, opts, true, early);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await (r.value ?? new Promise<void>((resolve) => setImmediate(resolve)));
  }
}

export interface PlanOptions {
  cwd: string;
  hostMachine: string;
  digests: Digests;
}

/** One image's plan; throws SpecError. A child's base spec must already be linked, and planned: its image name is `baseName`. */
function planOne(file: SpecFile, spec: ImageSpec, digests: Digests, baseKey?: string, baseName?: string): PlannedImage {
  checkEncodable(spec);
  const tag = computeTag(spec, digests, baseName);
  const noop = isNoop(spec);
  const notBuilt = noop ? NOOP : undefined;
  return {
    key: file.key,
    source: { file: file.rel },
    origin: 'yaml',
    spec,
    tag,
    id: specId(spec),
    image: imageOf(spec, tag),
    noop,
    baseKey,
    notBuilt,
  };
}

export const NOOP: NotBuilt = { status: 'skipped', reason: 'builder: noop uses base_image as it is' };

export function isNoop(spec: ImageSpec): boolean {
  return spec.values.builder.kind === 'str' && spec.values.builder.value === 'noop';
}

/** What pyflyte uses: the image name, or `base_image` verbatim for `builder: noop`; throws SpecError. */
export function imageOf(spec: ImageSpec, tag: ImageTag): string {
  // Every plan (YAML or Python) passes here: the platform goes to the registry check and to
  // buildx's argv, so its grammar is checked for every image before anything runs.
  const platform = spec.values.platform;
  const problem = platform.kind === 'str' ? platformProblem(platform.value) : undefined;
  if (problem) throw new SpecError(`platform ${quoted(pyStr(platform))} ${problem}`, fieldWhere(spec, 'platform', platform));
  if (!isNoop(spec)) return tag.imageName;
  const b = spec.values.base_image;
  if (b.kind !== 'str' || spec.baseSpec) {
    throw new SpecError('base_image must be a string to use the noop image builder', fieldWhere(spec, 'base_image', b));
  }
  return pyStr(b);
}

const YIELD_EVERY_FILES = 4;
/** How many loaded specs may wait for their planning while slow work (`Digests.prepare`) runs for them. */
const LOOKAHEAD = 16;

const settle = (w: { settled: boolean }) => (): void => {
  w.settled = true;
};

interface Waiting {
  file: SpecFile;
  spec: ImageSpec;
  /** Settles when the spec's prepared work is done; undefined when there was none. */
  ready?: Promise<void>;
  settled: boolean;
}

/**
 * The planning, as steps: it yields between files (every few), or a promise to wait for, and
 * returns the result. With `ahead` and `digests.prepare`, each spec is planned up to LOOKAHEAD files
 * after it was loaded, so that its slow work overlaps with reading the specs after it.
 */
function* planning(
  files: SpecFile[],
  opts: PlanOptions,
  ahead: boolean,
  early?: (p: PlannedImage) => void,
): Generator<Promise<void> | undefined, PlanResult> {
  const prepare = ahead ? opts.digests.prepare?.bind(opts.digests) : undefined;
  const errors: SpecError[] = [];
  const loaded = new Map<string, { file: SpecFile; spec: ImageSpec }>();
  // Specs without a repository base spec need no other file for their tag: planned as they load.
  const planned = new Map<string, PlannedImage | SpecError>();
  const waiting: Waiting[] = [];
  const planNow = ({ file, spec }: Waiting): void => {
    try {
      const p = planOne(file, spec, opts.digests, undefined);
      planned.set(file.abs, p);
      early?.(p);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      planned.set(file.abs, e);
    }
  };
  for (const [i, file] of files.entries()) {
    try {
      const spec = loadSpecFile(file.abs, file.rel, opts.hostMachine);
      loaded.set(file.abs, { file, spec });
      const b = spec.values.base_image;
      if (!(b.kind === 'str' && isSpecPath(b.value))) {
        const root = prepare ? hashedSourceRoot(spec) : undefined;
        const w: Waiting = { file, spec, settled: root === undefined };
        // Prepared work only saves time: a failure there leaves the digest to do the work itself.
        if (prepare && root !== undefined) w.ready = prepare(root).then(settle(w), settle(w));
        waiting.push(w);
      }
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      errors.push(e);
    }
    // In file order: the first waiting spec, once its work is done or the window is full.
    while (waiting.length > 0 && (waiting[0].settled || waiting.length > LOOKAHEAD)) {
      if (!waiting[0].settled) yield waiting[0].ready;
      planNow(waiting.shift()!);
    }
    if (i % YIELD_EVERY_FILES === YIELD_EVERY_FILES - 1) yield undefined;
  }
  for (const w of waiting) {
    if (!w.settled) yield w.ready;
    planNow(w);
  }

  const baseOf = new Map<string, string>();
  for (const { file, spec } of loaded.values()) {
    const b = spec.values.base_image;
    if (b.kind !== 'str' || !isSpecPath(b.value)) continue;
    const target = path.resolve(opts.cwd, b.value);
    const where = fieldWhere(spec, 'base_image', b);
    if (!loaded.has(target)) {
      const known = files.some((f) => f.abs === target);
      errors.push(
        new SpecError(
          known
            ? `base_image ${b.value} is a spec file that failed to load`
            : `base_image ${b.value} is not one of the spec files matched by the 'specs' input; add it so it is built first`,
          where,
        ),
      );
      continue;
    }
    baseOf.set(file.abs, target);
  }

  const depthOf = new Map<string, number>();
  errors.push(...chainErrors(baseOf, depthOf, (abs) => loaded.get(abs)!));
  if (errors.length > 0) return { images: [], errors: dedupe(errors), warnings: [] };

  for (const [child, base] of baseOf) {
    const spec = loaded.get(child)!.spec;
    spec.baseSpec = loaded.get(base)!.spec;
    spec.values.base_image = none(spec.values.base_image.pos);
  }

  // Bases before their children, so that each tag reads its base's image name instead of computing it again.
  const linked = [...baseOf.keys()].sort((a, b) => depthOf.get(a)! - depthOf.get(b)!);
  for (const child of linked) {
    const { file, spec } = loaded.get(child)!;
    const base = baseOf.get(child)!;
    const baseName = imageNameOf(planned.get(base));
    let p: PlannedImage | SpecError;
    try {
      if (baseName === undefined)
        throw new SpecError(`base_image ${loaded.get(base)!.file.rel} could not be planned`, fieldWhere(spec, 'base_image'));
      p = planOne(file, spec, opts.digests, loaded.get(base)!.file.key, baseName);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      p = e;
    }
    planned.set(child, p);
  }

  const images: PlannedImage[] = [];
  for (const { file } of loaded.values()) {
    const p = planned.get(file.abs)!;
    if (p instanceof SpecError) errors.push(p);
    else images.push(p);
  }
  return errors.length > 0
    ? { images: [], errors, warnings: [] }
    : { images, errors, warnings: images.flatMap((p) => warningsFor(p.spec)) };
}

function imageNameOf(p: PlannedImage | SpecError | undefined): string | undefined {
  return p === undefined || p instanceof SpecError ? undefined : p.tag.imageName;
}

/**
 * Specs in a `base_image` chain. Each image's id hashes the whole chain below it (flytekit writes a
 * nested base spec out in full), so the work grows with the square of a chain's length; chains are
 * capped, which keeps planning linear in the number of specs.
 */
export const MAX_BASE_CHAIN = 32;

/** At most this many file names of a cycle or chain are named in an error. */
const NAMED_IN_ERROR = 8;

function chainText(files: string[]): string {
  const shown = files.length > NAMED_IN_ERROR ? [...files.slice(0, NAMED_IN_ERROR), `… (${files.length} specs)`] : files;
  return shown.join(' -> ');
}

/**
 * Cycles and over-long chains among the `base_image` links, in time linear in the number of specs:
 * each spec is walked once, and its chain depth (1 for a spec on a plain image) is recorded in `depthOf`.
 */
function chainErrors(
  baseOf: Map<string, string>,
  depthOf: Map<string, number>,
  specOf: (abs: string) => { file: SpecFile; spec: ImageSpec },
): SpecError[] {
  const errors: SpecError[] = [];
  /** Specs known to lead into a cycle, with the cycle's text. */
  const cyclic = new Map<string, string>();
  const rel = (abs: string): string => specOf(abs).file.rel;
  for (const start of baseOf.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let cur: string | undefined = start;
    while (cur !== undefined && !depthOf.has(cur) && !cyclic.has(cur) && !onPath.has(cur)) {
      onPath.set(cur, path.length);
      path.push(cur);
      cur = baseOf.get(cur);
    }
    let cycle: string | undefined;
    if (cur !== undefined && onPath.has(cur)) {
      const members = path.slice(onPath.get(cur)!);
      cycle = chainText([...members, cur].map(rel));
    } else if (cur !== undefined) {
      cycle = cyclic.get(cur);
    }
    let depth = cur === undefined || cycle !== undefined ? 0 : depthOf.get(cur)!;
    // From the bottom of the chain up: a spec on a plain image is 1 deep, its child 2 ...
    for (let i = path.length - 1; i >= 0; i--) {
      const abs = path[i];
      const { spec } = specOf(abs);
      if (cycle !== undefined) {
        cyclic.set(abs, cycle);
        errors.push(new SpecError(`base_image specs form a cycle: ${cycle}`, fieldWhere(spec, 'base_image')));
        continue;
      }
      depth++;
      depthOf.set(abs, depth);
      if (depth > MAX_BASE_CHAIN) {
        const chain: string[] = [];
        for (let c: string | undefined = abs; c !== undefined && chain.length <= NAMED_IN_ERROR; c = baseOf.get(c)) chain.push(rel(c));
        errors.push(
          new SpecError(
            `base_image chain is ${depth} specs deep (${chainText(chain)}); at most ${MAX_BASE_CHAIN} are supported, because every image's id hashes the whole chain below it`,
            fieldWhere(spec, 'base_image'),
          ),
        );
      }
    }
  }
  return errors;
}

function dedupe(errors: SpecError[]): SpecError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.describe()) && seen.add(e.describe()));
}
