/**
 * Flyte 2 environments planned beside the ImageSpecs: each environment's image, named by the
 * project's own `flyte` SDK (src/flyte2/evaluate.ts), becomes one planned image keyed by the
 * environment's name. They are kept apart from `PlannedImage` (which carries an ImageSpec) and meet
 * the ImageSpecs again as `ImageRecord`s, so outputs and the summary have one code path.
 */
import * as path from 'node:path';
import { SpecError } from '../errors';
import { matchReference } from '../registry/reference';
import { quoted } from '../util/logSafe';
import { findFlyte2Paths } from '../discover/flyte2Paths';
import type { Flyte2CopyStyle, Flyte2Image, Flyte2Request, Flyte2Use } from '../flyte2/evaluate';
import type { ImageSource, NotBuilt } from './plan';
import { userEnv } from './python';

export interface Flyte2Planned {
  /** The environment's name: how outputs, `only`, the matrix and annotations name it. */
  key: string;
  source: ImageSource;
  origin: 'flyte2';
  /** The SDK's URI: what `flyte deploy` will look for. */
  image: string;
  /** Set for images the SDK never builds (used as they are named). */
  notBuilt?: NotBuilt;
  /** Never set: Flyte 2 images build on no image of this repository that the action knows of. */
  baseKey?: undefined;
  /** Everything the SDK said of the image. */
  sdk: Flyte2Image;
}

export interface Flyte2PlanOptions {
  python: string;
  /** Where `flyte deploy` runs: the working directory. */
  cwd: string;
  /** The `flyte2` input's lines. */
  lines: readonly string[];
  /** `flyte2-root-dir` as given, relative to `cwd`; '' for the CLI's default. */
  rootDir: string;
  copyStyle: Flyte2CopyStyle;
  /** What `os.environ` holds for the user's code: the step's environment. */
  env: NodeJS.ProcessEnv;
}

export interface Flyte2Plan {
  images: Flyte2Planned[];
  errors: SpecError[];
}

const AS_NAMED: Record<Exclude<Flyte2Use, 'build'>, string> = {
  base: 'an unmodified flyte.Image is its base image, used as named; the SDK never builds it',
  uri: 'an image given as a string, used as named; the SDK never builds it',
  ref: 'an image ref of the flyte config, used as named; the SDK never builds it',
};

export async function planFlyte2(opts: Flyte2PlanOptions): Promise<Flyte2Plan> {
  if (opts.lines.length === 0) return { images: [], errors: [] };
  const { evaluateFlyte2 } = await import('../flyte2/evaluate');
  const ev = await evaluateFlyte2(await flyte2Request(opts));
  const images = ev.images.map(planned);
  return { images, errors: [...ev.errors, ...images.flatMap(unbuildableName)] };
}

/** The SDK helper's request for these options: the one way the paths are loaded, for naming and for building. */
export async function flyte2Request(opts: Flyte2PlanOptions): Promise<Flyte2Request> {
  return {
    python: opts.python,
    cwd: opts.cwd,
    paths: await findFlyte2Paths(opts.lines, opts.cwd),
    rootDir: opts.rootDir ? path.resolve(opts.cwd, opts.rootDir) : undefined,
    copyStyle: opts.copyStyle,
    // Folders load as `flyte deploy -r` loads them; `-r` changes nothing for a file.
    recursive: true,
    env: userEnv(opts.env),
  };
}

/**
 * An image to check and build must have a name the registry and buildx accept. The SDK does not
 * check its registry and name: refused here, located, rather than asked about or built.
 */
function unbuildableName(p: Flyte2Planned): SpecError[] {
  if (p.notBuilt || matchReference(p.image) !== null) return [];
  return [
    new SpecError(`the flyte SDK names the image of environment '${p.key}' ${quoted(p.image)}, which is not a valid image reference`, {
      file: p.source.file || undefined,
      line: p.source.line,
    }),
  ];
}

function planned(sdk: Flyte2Image): Flyte2Planned {
  const source: ImageSource = { file: sdk.source ? sdk.source.file.split(path.sep).join('/') : '' };
  if (sdk.source?.line != null) source.line = sdk.source.line;
  return {
    key: sdk.key,
    source,
    origin: 'flyte2',
    image: sdk.uri,
    notBuilt: sdk.use === 'build' ? undefined : { status: 'external', reason: AS_NAMED[sdk.use] },
    sdk,
  };
}
