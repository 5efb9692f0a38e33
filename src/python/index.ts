/**
 * ImageSpecs written in Python, found and evaluated statically (no Python interpreter).
 *
 * Contract of `findPythonImageSpecs(files, { root, env })`:
 * - `files`: repository-relative POSIX paths of the Python modules to load (what pyflyte would
 *   import: each is run once, in the order given); modules they import from the repository are
 *   run too, read under `root` only. Module names follow pyflyte: a file's dotted path from the
 *   first ancestor directory without `__init__.py`.
 * - `env`: the environment `os.environ` / `os.getenv` read (the step's environment).
 * - Returns every ImageSpec object that is bound to a module-level name, used by a task
 *   (`@task/@dynamic/@eager(container_image=...)`, `ContainerTask(image=...)`) or used as another
 *   found spec's `base_image`, as fast registration (pyflyte's default) sees it: the `ImageSpec`
 *   holds the values flytekit's `__post_init__` leaves, so `computeTag`/`specId` of
 *   src/tag/compute.ts give flytekit's image name and `id`.
 * - `key` is stable and unique: `<module>.<variable>` for a named spec (`workflows.images.base`,
 *   `<module>.<variable>.<index or dict key>` for an element of a list or dict), `<module>.<task
 *   function>` for a spec written inline in a task decorator, `<module>.<variable>` for one inline
 *   in a `ContainerTask(...)` assigned to a variable; characters outside `[A-Za-z0-9_.-]` become
 *   `_`, and a repeated key gets `-2`, `-3`, ... in the order specs were created.
 * - `errors`: one PythonSpecError per problem, located at the exact sub-expression (file, line,
 *   column): `unsupported` constructs (the exact engine can evaluate them), `invalid` specs
 *   (flytekit itself would raise), `syntax` and `unreadable` files. Specs that could not be
 *   evaluated are not in `specs`. Only expressions that build an ImageSpec or feed a task image
 *   are reported: unrelated module code the engine does not understand is ignored.
 * - Fast registration: a task's spec that sets `source_copy_mode` (not NO_COPY) without
 *   `source_root` gets `projectRoot` as flytekit's `update_image_spec_copy_handling` gives it. A
 *   spec (or base) with an absolute `source_root` under LOADED_MODULES is refused: flytekit then
 *   hashes the modules pyflyte imported. Non-fast registration is the exact engine's job.
 * - Other keys of the row (`ImageSpec.file`, `keyPos`) point into the Python file, so the shared
 *   errors of `computeTag` (a missing requirements file, a bad tag_format) land on the right line.
 *
 * Supported, statically: str/int/float/bool/None literals (numbers from their source text),
 * lists, tuples, dicts (and `dict(k=v)`), module-level names and constants of any module of the
 * repository (`import`, `from . import`, `from x import *`), f-strings (`!r/!s/!a`, format specs
 * on strings), `+` on str/int/float/list/tuple, `x += ...`, indexing lists, tuples and dicts,
 * `ImageSpec(...)` of flytekit or union, `.with_packages/.with_apt_packages/.with_commands/
 * .with_copy/.with_builder_options/.with_runtime_packages/.force_push()`, a spec's own fields
 * (`base.registry`), nested specs as `base_image`, `CopyFileDetection.X`, `os.environ.get`,
 * `os.getenv`, `os.environ[...]`, `os.path.join/dirname/abspath`, `os.fspath`, `str()`,
 * `Path(...)`, `.parent`, `.name` and `/` (a Path itself as a field value is refused: flytekit
 * would hash `PosixPath('<absolute path>')`, which the shared value model cannot express yet),
 * `__file__`, `__name__`, `try:` bodies, `if __name__ == "__main__":` and `if TYPE_CHECKING:`
 * skipped. Everything else is an `unsupported` error at its sub-expression.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageSpec } from '../imagespec/types';
import { copyModeOf } from '../tag/compute';
import { PythonSpecError, unsupported } from './errors';
import { MAX_MODULE_BYTES } from './parse';
import { Program, SourceReader } from './program';
import { KeyRegistry } from '../plan/keys';
import type { SpecObject } from './values';

export { PythonSpecError } from './errors';
export type { PythonErrorReason } from './errors';

export interface FoundPythonSpec {
  /** Stable, unique, `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`. */
  key: string;
  spec: ImageSpec;
  source: {
    /** Repository-relative path of the file that creates the spec. */
    file: string;
    line: number;
    col: number;
    module: string;
    /** `<module>.<name>` the spec is bound to, or undefined for one written inline. */
    name?: string;
  };
  /** Task names (`<module>.<function>` or a ContainerTask's `name`) whose image this is. */
  usedBy: string[];
  /** Keys of found specs that use this one as `base_image`. */
  baseOf: string[];
  /** Key of the found spec that is this one's `base_image` (built first), when it is a nested spec. */
  baseKey?: string;
  /** Whether pyflyte builds it: a task uses it, or it is the base of one that is (unused specs are listed only). */
  used: boolean;
}

export interface FindOptions {
  /** Absolute repository root. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `platform.machine()` of the host that will run pyflyte (the platform default depends on it). */
  hostMachine?: string;
  /** How files are read; defaults to the file system under `root`, refusing anything outside it. */
  reader?: SourceReader;
  /**
   * The absolute project root pyflyte registers from (its `--source-root`, by default the first
   * ancestor without `__init__.py`); defaults to `root`. Fast registration gives it to a task's
   * spec that sets `source_copy_mode` (other than NO_COPY) without `source_root`.
   */
  projectRoot?: string;
}

export interface FindResult {
  specs: FoundPythonSpec[];
  errors: PythonSpecError[];
}

export function findPythonImageSpecs(files: readonly string[], opts: FindOptions): FindResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  const program = new Program({
    root: opts.root,
    env,
    hostMachine: opts.hostMachine ?? defaultMachine(),
    reader: opts.reader ?? fsReader(opts.root),
  });
  for (const f of files) {
    const rel = path.posix.normalize(f);
    try {
      program.load(rel);
    } catch (e) {
      if (e instanceof PythonSpecError) program.report(e);
      // Python refuses deep nesting too ("too many nested parentheses"); a stack overflow here is that.
      else if (e instanceof RangeError) {
        program.report(new PythonSpecError(`the module nests too deeply to evaluate: ${e.message}`, { file: rel, line: 1 }, 'unsupported'));
      } else throw e;
    }
  }
  const specs: FoundPythonSpec[] = [];
  for (const f of collect(program.specs)) {
    // flytekit's copy handling touches the task's own image, not the nested bases it builds first.
    const spec = f.usedBy.length > 0 ? fastRegistrationCopyHandling(f.spec, opts.projectRoot ?? opts.root) : f.spec;
    const loaded = hashesLoadedModules(spec);
    if (loaded) {
      const p = loaded.keyPos.source_root ?? loaded.keyPos.source_copy_mode;
      const at = { file: loaded.file ?? f.source.file, field: 'source_root', line: p?.line ?? f.source.line, col: p?.col ?? f.source.col };
      program.report(
        unsupported(
          'an absolute source_root with source_copy_mode LOADED_MODULES',
          at,
          'the tag then hashes the modules pyflyte has imported',
        ),
      );
      continue;
    }
    specs.push({ ...f, spec });
  }
  const kept = new Set(specs.map((f) => f.key));
  for (const f of specs) f.baseOf = f.baseOf.filter((k) => kept.has(k));
  return { specs, errors: program.errorList() };
}

/**
 * The spec (or nested base) whose tag hashes the files of `sys.modules` under an absolute
 * `source_root`: what a process that imported the project holds, not what the files say. A
 * relative `source_root` hashes nothing in that mode (flytekit's commonpath check fails quietly).
 */
function hashesLoadedModules(spec: ImageSpec): ImageSpec | undefined {
  for (let s: ImageSpec | undefined = spec; s; s = s.baseSpec) {
    const root = s.values.source_root;
    if (copyModeOf(s.values.source_copy_mode) === 'loaded-modules' && root.kind === 'str' && root.value.startsWith('/')) return s;
  }
  return undefined;
}

/**
 * flytekit's `update_image_spec_copy_handling` with fast registration (pyflyte's default), applied
 * to each task image before it is named: only a spec that asks for files to be copied and has no
 * `source_root` changes, to the project root. Non-fast registration (`--copy none`) hashes the
 * loaded modules instead; only the exact engine can name those images.
 */
export function fastRegistrationCopyHandling(spec: ImageSpec, projectRoot: string): ImageSpec {
  const mode = spec.values.source_copy_mode;
  if (mode.kind === 'none' || (mode.kind === 'enum' && mode.member === 'NO_COPY')) return spec;
  if (spec.values.source_root.kind !== 'none') return spec;
  return { ...spec, values: { ...spec.values, source_root: { kind: 'str', value: projectRoot } } };
}

function collect(all: SpecObject[]): FoundPythonSpec[] {
  const bySpec = new Map<ImageSpec, SpecObject>();
  for (const o of all) if (!bySpec.has(o.spec)) bySpec.set(o.spec, o);
  const wanted = new Set(all.filter((o) => o.boundName || o.usedBy.length > 0));
  const basesOf = (o: SpecObject): SpecObject[] => {
    const out: SpecObject[] = [];
    for (let base = o.spec.baseSpec; base; base = base.baseSpec) {
      const b = bySpec.get(base);
      if (b) out.push(b);
    }
    return out;
  };
  // A nested base spec is built before the spec that names it: found, and built when that spec is.
  for (const o of [...wanted]) for (const b of basesOf(o)) wanted.add(b);
  const built = new Set(all.filter((o) => o.usedBy.length > 0));
  for (const o of [...built]) for (const b of basesOf(o)) built.add(b);
  const keys = new Map<SpecObject, string>();
  const taken = new KeyRegistry();
  const ordered = all.filter((o) => wanted.has(o));
  // A spec no name holds any more (its name was rebound) is keyed by the first task using it.
  for (const o of ordered) keys.set(o, taken.claim(o.boundName ?? o.usedBy[0] ?? `${o.origin.module}.line${o.origin.line}`));
  return ordered.map((o) => ({
    key: keys.get(o) as string,
    spec: o.spec,
    source: { file: o.origin.file, line: o.origin.line, col: o.origin.col, module: o.origin.module, name: o.boundName },
    usedBy: [...o.usedBy],
    baseOf: ordered.filter((p) => p.spec.baseSpec === o.spec).map((p) => keys.get(p) as string),
    baseKey: o.spec.baseSpec ? keys.get(bySpec.get(o.spec.baseSpec) as SpecObject) : undefined,
    used: built.has(o),
  }));
}

function defaultMachine(): string {
  return process.arch === 'arm64' ? 'aarch64' : 'x86_64';
}

/** Reads under `root` only: a path that leaves it (through `..` or a symlink) reads as absent. */
export function fsReader(root: string): SourceReader {
  // realpath(3), one system call, not the JavaScript one's lstat per path component; and each path
  // is asked once: import resolution asks about the same `__init__.py` files again and again.
  const realRoot = fs.realpathSync.native(root);
  const seen = new Map<string, { real?: string; st?: fs.Stats }>();
  const look = (rel: string): { real?: string; st?: fs.Stats } => {
    let hit = seen.get(rel);
    if (hit === undefined) {
      hit = {};
      try {
        const real = fs.realpathSync.native(path.resolve(root, rel));
        if (real === realRoot || real.startsWith(realRoot + path.sep)) hit = { real, st: fs.statSync(real, { throwIfNoEntry: false }) };
      } catch {
        // absent, or unreadable: both read as absent
      }
      seen.set(rel, hit);
    }
    return hit;
  };
  const inside = (rel: string): string | undefined => look(rel).real;
  const stat = (rel: string) => look(rel).st;
  return {
    read(rel) {
      const p = inside(rel);
      const st = stat(rel);
      if (!p || !st?.isFile() || st.size > MAX_MODULE_BYTES) return undefined;
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(p));
      } catch {
        return undefined;
      }
    },
    isFile: (rel) => stat(rel)?.isFile() ?? false,
    isDir: (rel) => stat(rel)?.isDirectory() ?? false,
  };
}
