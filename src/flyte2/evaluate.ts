/**
 * Flyte 2 images (`flyte.Image` in environments) named by the project's own `flyte` SDK, in an
 * interpreter the user names (issue 15, item 1). The helper (src/exact/python/flyte2_images.py)
 * loads the paths as `flyte build --all` / `flyte deploy --all` do and runs every environment
 * through the SDK's own image pipeline with the existence check answering "exists": every URI is
 * the SDK's, nothing is checked or built.
 *
 * Contract of `evaluateFlyte2({ python, cwd, paths, rootDir, copyStyle, recursive, config, env })`:
 * - `cwd` is where the `flyte` CLI would run; `paths` (files or folders, relative to `cwd`) are its
 *   arguments; `rootDir` is `--root-dir` (default: `cwd`); `copyStyle` is `--copy-style` (default
 *   `loaded_modules`, the CLI's), which decides the code bundle layer of images that have one;
 *   `recursive` is `-r`. The SDK reads its config as the CLI does (`config`, else its discovery:
 *   `FLYTECTL_CONFIG`, `./.flyte/config.yaml`, …), so `image.registry` and image refs apply.
 * - One record per environment, keyed by its name (the key of fromJSON, image-map, matrix). `use`:
 *   `build` (an Image with layers: check it, build it if missing), `base` (an unmodified Image: its
 *   URI is its base image, which the SDK never checks nor builds), `uri` (a string image, used as
 *   is), `ref` (a config image ref without layers, used as is).
 * - `errors`: typed, located ExactErrors: a module that failed to import (with its traceback; the
 *   other modules are still loaded), an environment group whose images the SDK could not compute, an
 *   image the SDK's `validate()` refuses, an environment name outside the key grammar (refused, not
 *   rewritten: the name is what `flyte deploy` knows it by), and interpreter-level failures.
 *   When it is not empty, `images` may be incomplete and the run should fail.
 * - Not here: the Dockerfile and build context. The SDK writes them inside its local builder into a
 *   temporary folder it deletes (no public function returns them); building goes through the
 *   SDK's builder instead (see the report of issue 15).
 */
import { Where } from '../errors';
import { arr, obj, optCount, optText, ProtocolError, pythonException, text } from '../exact/decode';
import { ExactError, locate, PythonException, quoted, summarize } from '../exact/errors';
import { Limits, runHelper } from '../exact/interpreter';
import { KEY_RE } from '../plan/keys';

/** `flyte build`/`flyte deploy --copy-style` (`custom` needs a Python list of files: not offered). */
export type Flyte2CopyStyle = 'loaded_modules' | 'all' | 'none';
export type Flyte2Use = 'build' | 'base' | 'uri' | 'ref';

export interface Flyte2Request {
  python: string;
  cwd: string;
  paths: readonly string[];
  rootDir?: string;
  copyStyle?: Flyte2CopyStyle;
  recursive?: boolean;
  /** A flyte config file (`--config`); default: the SDK's own discovery. */
  config?: string;
  env?: Readonly<Record<string, string>>;
  limits?: Partial<Limits>;
  maxFrames?: number;
  /**
   * Build these environments' images through the SDK's own engine and builder after naming them
   * (nothing is built when naming gave errors). Each `uri` is what the action checked: an image the
   * SDK now names differently is not built.
   */
  build?: { environments: Flyte2BuildItem[]; failFast: boolean };
}

export interface Flyte2BuildItem {
  env: string;
  uri: string;
  /**
   * FLYTE_DOCKER_BUILD_EXTRA_ARGS for this build (split by `shlex.split`): the SDK adds it to every
   * local build, while its cache variables reach only images without a Dockerfile of their own.
   */
  extraArgs?: string;
}

export interface Flyte2Build {
  env: string;
  status: 'built' | 'failed' | 'cancelled';
  /** Why a build failed: the SDK's exception, or the helper's own words. */
  python?: PythonException;
  message?: string;
  ms?: number;
}

export interface Flyte2Image {
  /** The environment name: the key of every output. */
  key: string;
  /** Class of the environment (`TaskEnvironment`, `AppEnvironment`, …). */
  environmentType: string;
  use: Flyte2Use;
  /** The SDK's URI after its resolution (push registry of a local build); for `uri`/`ref` the string used. */
  uri: string;
  /** Platforms the image asks for (`build`, `base`); empty for `uri`/`ref`. */
  platforms: string[];
  baseImage: string | null;
  /** Null for a to-be-built image means no registry resolved: the SDK's local build refuses to push it. */
  registry: string | null;
  name: string | null;
  /** The SDK's tag (its content hash or an explicit one); null unless `use` is `build`. */
  tag: string | null;
  pythonVersion: string | null;
  /** `from_dockerfile`'s file, relative to cwd when under it. */
  dockerfile: string | null;
  /** The SDK's layer classes, in order (`PipPackages`, `AptPackages`, `CodeBundleLayer`, …). */
  layers: string[];
  /** Where the environment is written (relative to cwd when under it), when the helper could tell. */
  source: Flyte2Source | null;
}

export interface Flyte2Source {
  file: string;
  line: number | null;
}

export interface Flyte2Run {
  flyte: string;
  python: string;
  rootDir: string;
  log: string;
  ms: number;
}

export interface Flyte2Evaluation {
  images: Flyte2Image[];
  errors: ExactError[];
  /** What `build` asked for, in its order. */
  builds: Flyte2Build[];
  run?: Flyte2Run;
}

export async function evaluateFlyte2(req: Flyte2Request): Promise<Flyte2Evaluation> {
  const request: Record<string, unknown> = {
    paths: req.paths,
    rootDir: req.rootDir ?? null,
    copyStyle: req.copyStyle ?? 'loaded_modules',
    recursive: req.recursive ?? false,
    config: req.config ?? null,
    maxFrames: req.maxFrames ?? 6,
    build: req.build ?? null,
  };
  let answer;
  try {
    answer = await runHelper({ python: req.python, helper: 'flyte2_images.py', request, cwd: req.cwd, env: req.env, limits: req.limits });
  } catch (e) {
    if (e instanceof ExactError) return { images: [], errors: [e], builds: [] };
    throw e;
  }
  try {
    return readAnswer(answer.result, answer.log, answer.ms);
  } catch (e) {
    // All of the answer or nothing of it: a malformed answer (e.g. forged by user code) adds no images.
    if (!(e instanceof ProtocolError)) throw e;
    return {
      images: [],
      errors: [new ExactError(`the Python helper's answer is malformed (${e.message})`, { kind: 'protocol', log: answer.log })],
      builds: [],
    };
  }
}

const URI_MAX = 8192;

export function readAnswer(result: unknown, log: string, ms: number): Flyte2Evaluation {
  const r = obj(result, 'result');
  if (r.fatal !== undefined) {
    const f = obj(r.fatal, 'result.fatal');
    const python = pythonException(f.exception, 'result.fatal.exception');
    const what =
      f.kind === 'init' ? 'the flyte SDK could not read its configuration' : 'the flyte SDK could not be loaded in this interpreter';
    return {
      images: [],
      errors: [new ExactError(`${what}: ${summarize(python)}`, { kind: 'helper', python, log }, locate(python))],
      builds: [],
    };
  }
  const out: Flyte2Evaluation = {
    images: [],
    errors: arr(r.errors, 'result.errors').map((e, i) => helperError(e, `result.errors[${i}]`, log)),
    builds: r.builds === undefined ? [] : arr(r.builds, 'result.builds').map((b, i) => readBuild(b, `result.builds[${i}]`)),
    run: {
      flyte: text(r.flyte, 'result.flyte', 64),
      python: text(r.python, 'result.python', 64),
      rootDir: text(r.rootDir, 'result.rootDir', 4096),
      log,
      ms,
    },
  };
  const seen = new Set<string>();
  for (const [i, v] of arr(r.environments, 'result.environments').entries()) {
    const at = `result.environments[${i}]`;
    const e = obj(v, at);
    const env = text(e.env, `${at}.env`, 4096);
    const environmentType = text(e.type, `${at}.type`, 256);
    const source = e.source === undefined ? null : readSource(e.source, `${at}.source`);
    const where: Where = !source ? {} : source.line === null ? { file: source.file } : { file: source.file, line: source.line };
    const image = environmentImage(e, at, env, environmentType, source);
    if (image.invalid) {
      const python = image.invalid;
      out.errors.push(
        new ExactError(
          `the flyte SDK refuses the image of environment ${quoted(env)}: ${summarize(python)}`,
          { kind: 'image', python, entity: env },
          source ? where : locate(python),
        ),
      );
    }
    if (image.unrecorded) {
      out.errors.push(
        new ExactError(
          `the flyte SDK named the image of environment ${quoted(env)} on a path this action does not know (flyte ${quoted(out.run?.flyte ?? '')})`,
          { kind: 'image', entity: env },
          where,
        ),
      );
    }
    if (!KEY_RE.test(env)) {
      out.errors.push(
        new ExactError(
          `environment name ${quoted(env)} cannot be an image key (keys match ${KEY_RE.source}); rename the environment`,
          {
            kind: 'key',
            entity: env,
          },
          where,
        ),
      );
      continue;
    }
    if (seen.has(env)) {
      out.errors.push(
        new ExactError(`two environments are named ${quoted(env)}; environment names must be unique`, { kind: 'key', entity: env }, where),
      );
      continue;
    }
    seen.add(env);
    if (image.record) out.images.push(image.record);
  }
  return out;
}

const BUILD_STATUSES: ReadonlySet<string> = new Set<Flyte2Build['status']>(['built', 'failed', 'cancelled']);

function readBuild(v: unknown, at: string): Flyte2Build {
  const o = obj(v, at);
  const status = text(o.status, `${at}.status`, 16);
  if (!BUILD_STATUSES.has(status)) throw new ProtocolError('unknown build status', `${at}.status`);
  const b: Flyte2Build = { env: text(o.env, `${at}.env`, 4096), status: status as Flyte2Build['status'] };
  if (o.exception !== undefined) b.python = pythonException(o.exception, `${at}.exception`);
  const message = optText(o.message, `${at}.message`, 4096);
  if (message !== null) b.message = message;
  const ms = optCount(o.ms, `${at}.ms`);
  if (ms !== null) b.ms = ms;
  return b;
}

function readSource(v: unknown, at: string): Flyte2Source {
  const o = obj(v, at);
  return { file: text(o.file, `${at}.file`, 4096), line: optCount(o.line, `${at}.line`) };
}

function environmentImage(
  e: Record<string, unknown>,
  at: string,
  key: string,
  environmentType: string,
  source: Flyte2Source | null,
): { record?: Flyte2Image; invalid?: PythonException; unrecorded?: true } {
  const plain = (use: Flyte2Use, uri: string): Flyte2Image => ({
    key,
    environmentType,
    use,
    uri,
    platforms: [],
    baseImage: null,
    registry: null,
    name: null,
    tag: null,
    pythonVersion: null,
    dockerfile: null,
    layers: [],
    source,
  });
  if (e.image !== undefined) {
    const m = obj(e.image, `${at}.image`);
    const unmodified = m.unmodified;
    if (typeof unmodified !== 'boolean') throw new ProtocolError('expected a boolean', `${at}.image.unmodified`);
    const record: Flyte2Image = {
      key,
      environmentType,
      use: unmodified ? 'base' : 'build',
      uri: text(m.uri, `${at}.image.uri`, URI_MAX),
      platforms: arr(m.platforms, `${at}.image.platforms`).map((p, j) => text(p, `${at}.image.platforms[${j}]`, 256)),
      baseImage: optText(m.baseImage, `${at}.image.baseImage`, URI_MAX),
      registry: optText(m.registry, `${at}.image.registry`, URI_MAX),
      name: optText(m.name, `${at}.image.name`, URI_MAX),
      tag: optText(m.tag, `${at}.image.tag`, 256),
      pythonVersion: optText(m.pythonVersion, `${at}.image.pythonVersion`, 64),
      dockerfile: optText(m.dockerfile, `${at}.image.dockerfile`, 4096),
      layers: arr(m.layers, `${at}.image.layers`).map((l, j) => text(l, `${at}.image.layers[${j}]`, 256)),
      source,
    };
    if (unmodified) record.tag = null;
    const invalid = m.invalid === undefined ? undefined : pythonException(m.invalid, `${at}.image.invalid`);
    return { record, invalid };
  }
  if (e.uri !== undefined) return { record: plain('uri', text(e.uri, `${at}.uri`, URI_MAX)) };
  if (e.ref !== undefined) return { record: plain('ref', text(e.ref, `${at}.ref`, URI_MAX)) };
  if (e.none === true) return {};
  // The SDK's pipeline named this environment's image without asking the existence check: the
  // helper does not know that path of the SDK (a newer SDK?), so it cannot say what to build.
  if (e.unrecorded === true) return { unrecorded: true };
  throw new ProtocolError('an environment without an image kind', at);
}

function helperError(v: unknown, at: string, log: string): ExactError {
  const o = obj(v, at);
  const python = pythonException(o.exception, `${at}.exception`);
  const where: Where = locate(python);
  if (o.kind === 'import') {
    const module = optText(o.module, `${at}.module`, 4096) ?? undefined;
    const path = text(o.path, `${at}.path`, 4096);
    const name = module === undefined ? quoted(path) : `module ${quoted(module)}`;
    return new ExactError(
      `loading ${name} failed: ${summarize(python)}`,
      { kind: 'import', python, module, log },
      { file: where.file ?? path, line: where.line, col: where.col },
    );
  }
  if (o.kind === 'image' || o.kind === 'plan') {
    const envs = arr(o.environments, `${at}.environments`).map((n, i) => text(n, `${at}.environments[${i}]`, 4096));
    const which = envs.length === 0 ? 'the environments' : `environment${envs.length > 1 ? 's' : ''} ${envs.map(quoted).join(', ')}`;
    return new ExactError(
      `the flyte SDK could not compute the images of ${which}: ${summarize(python)}`,
      { kind: 'image', python, entity: envs.join(',') || undefined, log },
      where,
    );
  }
  throw new ProtocolError('unknown error kind', at);
}
