/**
 * The exact engine for ImageSpecs written in Python (issue 13, item 3): the project's own flytekit,
 * in an interpreter the user names, finds and names the images as `pyflyte register` would.
 *
 * Contract of `evaluateWithFlytekit({ python, cwd, paths, copy, env, limits })`:
 * - `cwd` is where pyflyte would run (the step's working directory): flytekit resolves
 *   `requirements`, `copy` and relative `source_root` against it. `paths` are the files or package
 *   folders one would give `pyflyte register`, relative to `cwd`. Their project roots are found as
 *   flytekit does (first ancestor folder without `__init__.py`); each root is one interpreter run,
 *   as one `pyflyte register` invocation per project.
 * - `copy: 'fast'` is `pyflyte register`'s default (fast registration); `'none'` is
 *   `--copy none`: source_root becomes the project root, source_copy_mode LOADED_MODULES, and the
 *   tag hashes the files of every module loaded from the project. Nested base specs are not
 *   touched by the copy handling, as in flytekit.
 * - Nothing is built or checked. Every value comes from flytekit itself: the fields (after
 *   `__post_init__` and the copy handling), `id` (what `--image <id>=<ref>` must name), `tag`,
 *   `imageName` (`registry/name:tag`) and `registeredName` (what flytekit writes into the task:
 *   `imageName`, or the base image for `builder="noop"`).
 * - `images` holds one record per ImageSpec object: used by a task (`used`), only the base of a
 *   used spec (`base`, flytekit builds it first), or a module-level ImageSpec no task uses
 *   (`unused`, listed, not to be built), in the shape of the static evaluator's records plus
 *   flytekit's own values. Keys follow src/plan/keys.ts and are unique.
 * - `errors` holds typed, located ExactErrors: a module that failed to import (with the module and
 *   the traceback's last frames; unlike pyflyte, the other modules are still loaded, so all
 *   failures show at once), an entity flytekit could not serialize, an image flytekit could not
 *   name, an unusable key, and interpreter-level failures (not found, timeout, protocol). When it
 *   is not empty, `images` may be incomplete and the run should fail.
 * - Differences from `pyflyte register`, by design: a builder not registered in the interpreter
 *   (e.g. `union` without its plugin) is reported in `builderRegistered` instead of stopping the
 *   run; the image names of fast registration are computed after the copy handling (as with
 *   `--version`; without it pyflyte computes them before, which only differs for specs that set
 *   `source_copy_mode` without `source_root`, where pyflyte fails).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Where } from '../errors';
import { PyValue } from '../py/value';
import { FIELDS, FieldName, ImageSpec } from '../imagespec/types';
import { arr, count, obj, Opaque, optCount, optText, ProtocolError, pythonException, pyValue, text } from './decode';
import { ExactError, locate, PythonException, quoted, summarize } from './errors';
import { Limits, runHelper } from './interpreter';
import { KeyRegistry, SPEC_ID_RE } from '../plan/keys';

export type CopyStyle = 'fast' | 'none';
export type ImageUse = 'used' | 'base' | 'unused';

export interface FlytekitRequest {
  /** The interpreter with the project's dependencies and flytekit installed. */
  python: string;
  cwd: string;
  paths: readonly string[];
  copy: CopyStyle;
  /** Variables the user's code sees (e.g. the registry of an os.getenv registry). */
  env?: Readonly<Record<string, string>>;
  limits?: Partial<Limits>;
  /** Traceback frames kept per error. */
  maxFrames?: number;
}

export interface TaskUse {
  /** flytekit's task name, e.g. `workflows.example.train`. */
  task: string;
  module: string | null;
  function: string | null;
  /** The image flytekit wrote into the task's container. */
  image: string | null;
}

/** Where a spec was written: the `ImageSpec(...)` or `.with_*()` call that created the object. */
export interface ImageSource {
  /** Relative to cwd (absolute when outside it, e.g. a spec made by an installed package). */
  file?: string;
  line?: number;
  /** 1-based, in code points, of the call expression's start (Python 3.11+ interpreters only). */
  col?: number;
  /** The module that binds the spec (or whose task uses an inline one). */
  module?: string;
  /** `<module>.<variable>` the spec is bound to; undefined for an inline spec. */
  name?: string;
}

/**
 * One image, in the shape the static evaluator gives (src/python `FoundPythonSpec`: `key`, `spec`,
 * `source`, `usedBy`, `baseOf`, `used`), plus what only flytekit itself can say.
 */
export interface ExactImage {
  key: string;
  /** The fields as flytekit holds them after the copy handling; `baseSpec` for a nested base. */
  spec: ImageSpec;
  source: ImageSource;
  /** flytekit task names whose image this is. */
  usedBy: string[];
  /** Keys of the images that use this one as `base_image`. */
  baseOf: string[];
  /** A task uses it (pyflyte builds it); see `status` for bases. */
  used: boolean;
  /** `used`; `base`: only the base of a used image (flytekit builds it first); `unused`: never built. */
  status: ImageUse;
  id: string;
  tag: string;
  imageName: string;
  registeredName: string;
  builder: string | null;
  /** False when the interpreter's flytekit has no such builder (pyflyte would fail there). */
  builderRegistered: boolean;
  /** Per task: its module and function, and the image flytekit wrote into it. */
  tasks: TaskUse[];
  /** Key of the nested base spec's record. */
  baseKey?: string;
  /** Fields holding values with no PyValue form (shown as their repr in `spec`): only flytekit's names are exact. */
  opaque: Array<{ field: string } & Opaque>;
  /**
   * For an image flytekit builds with `source_copy_mode` LOADED_MODULES (`--copy none`): the files
   * its builder copies from `source_root` (relative to it, `/`-separated), as flytekit lists them
   * from the modules the project loaded. Only this engine can know them.
   */
  sourceFiles?: string[];
}

export interface ExactRun {
  root: string;
  flytekit: string;
  python: string;
  modules: string[];
  /** Every image flytekit's build engine was asked to build, in order (its builder did nothing). */
  built: string[];
  log: string;
  ms: number;
}

export interface FlytekitEvaluation {
  images: ExactImage[];
  errors: ExactError[];
  runs: ExactRun[];
}

/** flytekit's `_find_project_root`: the first ancestor folder without `__init__.py`. */
export function projectRoot(cwd: string, p: string): string {
  let dir = path.dirname(fs.realpathSync(path.resolve(cwd, p)));
  while (fs.existsSync(path.join(dir, '__init__.py'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

export async function evaluateWithFlytekit(req: FlytekitRequest): Promise<FlytekitEvaluation> {
  const out: FlytekitEvaluation = { images: [], errors: [], runs: [] };
  const groups = new Map<string, string[]>();
  for (const p of req.paths) {
    let root: string;
    try {
      root = projectRoot(req.cwd, p);
    } catch {
      out.errors.push(new ExactError(`${quoted(p)} does not exist`, { kind: 'root' }, { file: p }));
      continue;
    }
    groups.set(root, [...(groups.get(root) ?? []), p]);
  }
  const keys = new KeyRegistry();
  for (const paths of groups.values()) {
    try {
      const answer = await runHelper({
        python: req.python,
        helper: 'flytekit_images.py',
        request: { paths, copy: req.copy, maxFrames: req.maxFrames ?? 6 },
        cwd: req.cwd,
        env: req.env,
        limits: req.limits,
      });
      // All of one answer or nothing of it: a malformed answer adds no half-read images.
      const part: FlytekitEvaluation = { images: [], errors: [], runs: [] };
      try {
        readAnswer(answer.result, answer.log, answer.ms, keys, part);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        out.errors.push(new ExactError(`the Python helper's answer is malformed (${e.message})`, { kind: 'protocol', log: answer.log }));
        continue;
      }
      out.images.push(...part.images);
      out.errors.push(...part.errors);
      out.runs.push(...part.runs);
    } catch (e) {
      if (e instanceof ExactError) out.errors.push(e);
      else throw e;
    }
  }
  linkBases(out.images);
  return out;
}

interface RawImage {
  ref: number;
  status: ImageUse;
  spec: ImageSpec;
  opaque: ExactImage['opaque'];
  baseRef: number | null;
  baseOf: number[];
  bindings: Array<{ module: string; variable: string; file: string }>;
  tasks: TaskUse[];
  site: { file: string; line: number | null; col: number | null } | null;
  named?: { id: string; tag: string; imageName: string; registeredName: string };
  error?: PythonException;
  /** The base image name flytekit built this spec on, when it is not the base record's name. */
  staleBase?: string;
  sourceFiles?: string[];
}

function readAnswer(result: unknown, log: string, ms: number, keys: KeyRegistry, out: FlytekitEvaluation): void {
  const r = obj(result, 'result');
  if (r.fatal !== undefined) {
    const f = obj(r.fatal, 'result.fatal');
    const python = pythonException(f.exception, 'result.fatal.exception');
    const kind = f.kind === 'root' ? 'root' : 'helper';
    const what =
      kind === 'root' ? 'flytekit found no common project root for these paths' : 'flytekit could not be loaded in this interpreter';
    out.errors.push(new ExactError(`${what}: ${summarize(python)}`, { kind, python, log }));
    return;
  }
  out.runs.push({
    root: text(r.root, 'result.root', 4096),
    flytekit: text(r.flytekit, 'result.flytekit', 64),
    python: text(r.python, 'result.python', 64),
    modules: arr(r.modules, 'result.modules').map((m, i) => text(m, `result.modules[${i}]`, 4096)),
    built: arr(r.built, 'result.built').map((b, i) => text(obj(b, `result.built[${i}]`).imageName, `result.built[${i}].imageName`, 8192)),
    log,
    ms,
  });
  const unregistered = new Set(arr(r.unregisteredBuilders, 'result.unregisteredBuilders').map((b, i) => text(b, `builder[${i}]`, 1024)));
  for (const [i, e] of arr(r.errors, 'result.errors').entries()) out.errors.push(helperError(e, `result.errors[${i}]`, log));

  const raws = arr(r.images, 'result.images').map((x, i) => rawImage(x, i, `result.images[${i}]`));
  const keyOf = new Map<number, string>();
  // Named and task-used specs first; base-only inline specs take their key from the spec using them.
  const order = [...raws].sort((a, b) => Number(isBaseOnly(a)) - Number(isBaseOnly(b)));
  for (const raw of order) {
    const natural = naturalKey(raw, keyOf);
    if (natural === undefined) {
      out.errors.push(
        new ExactError('this ImageSpec has no module-level name and no task: it has no image key', { kind: 'key' }, siteWhere(raw)),
      );
      continue;
    }
    keyOf.set(raw.ref, keys.claim(natural));
  }
  for (const raw of raws) {
    const key = keyOf.get(raw.ref);
    if (key === undefined) continue;
    if (raw.error || !raw.named) {
      const python = raw.error;
      const why = python ? summarize(python) : 'no name';
      out.errors.push(new ExactError(`flytekit could not name image ${quoted(key)}: ${why}`, { kind: 'image', python }, siteWhere(raw)));
      continue;
    }
    if (raw.staleBase !== undefined) {
      out.errors.push(
        new ExactError(
          `flytekit names the base of image ${quoted(key)} before that base's own copy handling, so it builds the base under two names (this one on ${quoted(raw.staleBase)}); the exact engine reports only the later one`,
          { kind: 'image' },
          siteWhere(raw),
        ),
      );
    }
    const binding = chosenBinding(raw);
    const builder = raw.spec.values.builder;
    out.images.push({
      key,
      spec: raw.spec,
      source: {
        file: raw.site?.file,
        line: raw.site?.line ?? undefined,
        col: raw.site?.col ?? undefined,
        module: binding?.module ?? raw.tasks[0]?.module ?? undefined,
        name: binding ? `${binding.module}.${binding.variable}` : undefined,
      },
      usedBy: raw.tasks.map((t) => t.task),
      baseOf: raw.baseOf.flatMap((p) => keyOf.get(p) ?? []),
      used: raw.tasks.length > 0,
      status: raw.status,
      ...raw.named,
      builder: builder.kind === 'str' ? builder.value : null,
      builderRegistered: builder.kind !== 'str' || !unregistered.has(builder.value),
      tasks: raw.tasks,
      baseKey: raw.baseRef === null ? undefined : keyOf.get(raw.baseRef),
      opaque: raw.opaque,
      ...(raw.sourceFiles ? { sourceFiles: raw.sourceFiles } : {}),
    });
  }
}

function isBaseOnly(raw: RawImage): boolean {
  return raw.bindings.length === 0 && raw.tasks.length === 0;
}

/** The binding in the module where the spec was created, else the first module (in import order) naming it. */
function chosenBinding(raw: RawImage): RawImage['bindings'][number] | undefined {
  return raw.bindings.find((b) => raw.site !== null && b.file === raw.site.file) ?? raw.bindings[0];
}

function naturalKey(raw: RawImage, keyOf: Map<number, string>): string | undefined {
  const binding = chosenBinding(raw);
  if (binding) return `${binding.module}.${binding.variable}`;
  const task = raw.tasks.find((t) => t.module !== null && t.function !== null);
  if (task) return `${task.module}.${task.function}`;
  for (const parent of raw.baseOf) {
    const k = keyOf.get(parent);
    if (k !== undefined) return `${k}.base_image`;
  }
  return undefined;
}

function siteWhere(raw: RawImage): Where {
  return raw.site && !raw.site.file.startsWith('/')
    ? { file: raw.site.file, line: raw.site.line ?? undefined, col: raw.site.col ?? undefined }
    : {};
}

function helperError(v: unknown, at: string, log: string): ExactError {
  const o = obj(v, at);
  const python = pythonException(o.exception, `${at}.exception`);
  const where = locate(python);
  if (o.kind === 'import') {
    const module = optText(o.module, `${at}.module`, 4096) ?? undefined;
    const name = module === undefined ? 'a module' : `module ${quoted(module)}`;
    return new ExactError(`importing ${name} failed: ${summarize(python)}`, { kind: 'import', python, module, log }, where);
  }
  if (o.kind === 'serialize') {
    const entity = optText(o.entity, `${at}.entity`, 4096) ?? undefined;
    const name = entity === undefined ? 'an entity' : quoted(entity);
    return new ExactError(`flytekit could not serialize ${name}: ${summarize(python)}`, { kind: 'serialize', python, entity }, where);
  }
  throw new ProtocolError('unknown error kind', at);
}

function rawImage(v: unknown, index: number, at: string): RawImage {
  const o = obj(v, at);
  if (count(o.ref, `${at}.ref`) !== index) throw new ProtocolError('images out of order', at);
  const opaque: ExactImage['opaque'] = [];
  const fieldsIn = obj(o.fields, `${at}.fields`);
  const values = {} as Record<FieldName, PyValue>;
  for (const f of FIELDS) {
    if (!(f in fieldsIn)) throw new ProtocolError(`field ${f} missing`, `${at}.fields`);
    values[f] = pyValue(fieldsIn[f], `${at}.fields.${f}`, (x) => opaque.push({ field: f, ...x }));
  }
  const tasks = arr(o.usedBy, `${at}.usedBy`).map((t, i): TaskUse => {
    const u = obj(t, `${at}.usedBy[${i}]`);
    return {
      task: text(u.task, `${at}.usedBy[${i}].task`, 4096),
      module: optText(u.module, `${at}.usedBy[${i}].module`, 4096),
      function: optText(u.function, `${at}.usedBy[${i}].function`, 4096),
      image: optText(u.image, `${at}.usedBy[${i}].image`, 4096),
    };
  });
  const bindings = arr(o.bindings, `${at}.bindings`).map((b, i) => {
    const x = obj(b, `${at}.bindings[${i}]`);
    return {
      module: text(x.module, `${at}.bindings[${i}].module`, 4096),
      variable: text(x.variable, `${at}.bindings[${i}].variable`, 4096),
      file: text(x.file, `${at}.bindings[${i}].file`, 4096),
    };
  });
  const baseOf = arr(o.baseOf, `${at}.baseOf`).map((b, i) => count(b, `${at}.baseOf[${i}]`));
  const site = o.site === null ? null : obj(o.site, `${at}.site`);
  const raw: RawImage = {
    ref: index,
    status: tasks.length > 0 ? 'used' : 'unused',
    spec: { values, keyPos: {}, file: site ? text(site.file, `${at}.site.file`, 4096) : undefined },
    opaque,
    baseRef: optCount(o.baseRef, `${at}.baseRef`),
    baseOf,
    bindings,
    tasks,
    site: site
      ? {
          file: text(site.file, `${at}.site.file`, 4096),
          line: optCount(site.line, `${at}.site.line`),
          col: optCount(site.col, `${at}.site.col`),
        }
      : null,
  };
  if (o.staleBase !== undefined) raw.staleBase = text(o.staleBase, `${at}.staleBase`, 8192);
  if (o.sourceFiles !== undefined)
    raw.sourceFiles = arr(o.sourceFiles, `${at}.sourceFiles`).map((f, i) => sourceFile(f, `${at}.sourceFiles[${i}]`));
  if (o.error !== undefined) raw.error = pythonException(o.error, `${at}.error`);
  else {
    const id = text(o.id, `${at}.id`, 64);
    if (!SPEC_ID_RE.test(id)) throw new ProtocolError('malformed id', `${at}.id`);
    raw.named = {
      id,
      tag: text(o.tag, `${at}.tag`, 4096),
      imageName: text(o.imageName, `${at}.imageName`, 8192),
      registeredName: text(o.realName, `${at}.realName`, 8192),
    };
  }
  return raw;
}

/**
 * A path under source_root as the interpreter listed it. The interpreter runs the user's code, so
 * the path is checked like any repository path: relative, no `..`, no empty or dot segments.
 */
function sourceFile(v: unknown, at: string): string {
  const rel = text(v, at, 4096).split(path.sep).join('/');
  const segments = rel.split('/');
  if (path.isAbsolute(rel) || rel.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ProtocolError('a source file outside source_root', at);
  }
  return rel;
}

/** Status and nested specs need the whole list: a spec only reachable as a base of a used spec is built too. */
export function linkBases(images: ExactImage[]): void {
  const byKey = new Map(images.map((i) => [i.key, i]));
  for (const image of images) {
    if (image.baseKey) {
      const base = byKey.get(image.baseKey);
      if (base) image.spec.baseSpec = base.spec;
    }
  }
  const mark = (image: ExactImage): void => {
    const base = image.baseKey ? byKey.get(image.baseKey) : undefined;
    if (base && base.status === 'unused') {
      base.status = 'base';
      mark(base);
    }
  };
  for (const image of images) if (image.status === 'used') mark(image);
}
