import type { PyValue } from '../py/value';
import type { ImageSpec } from '../imagespec/types';
import type { PythonSpecError } from './errors';

/** Where a Python object was created: the file and the 1-based position of the expression. */
export interface Origin {
  file: string;
  module: string;
  line: number;
  col: number;
}

/**
 * One ImageSpec object of the evaluated program. Object identity matters: two names bound to the
 * same object are one image, and `.with_*()` makes a new object (flytekit's dataclasses.replace).
 */
export interface SpecObject {
  readonly serial: number;
  spec: ImageSpec;
  origin: Origin;
  /** The first module-level name bound to it (`<module>.<name>`, with `.i` for list elements). */
  boundName?: string;
  /** Tasks (`<module>.<function>` or a ContainerTask's name) that use it. */
  usedBy: string[];
}

/** Names the static engine knows from flytekit, union, os and pathlib. */
export type Builtin =
  | 'ImageSpec'
  | 'ImageSpec.from_env'
  | 'CopyFileDetection'
  | 'task'
  | 'dynamic'
  | 'eager'
  | 'ContainerTask'
  | 'os.environ'
  | 'os.environ.get'
  | 'os.getenv'
  | 'os.path.join'
  | 'os.path.dirname'
  | 'os.path.abspath'
  | 'os.fspath'
  | 'Path'
  | 'str'
  | 'dict';

/**
 * A value of the evaluated program. Python data that can reach an ImageSpec field is a `py` value
 * (the shared model of src/py/value.ts); containers stay `seq`/`map` while they may still hold
 * objects that are not data (ImageSpecs in a list, for `image_specs[5]`).
 */
export type Val =
  | { t: 'py'; v: PyValue }
  | { t: 'seq'; kind: 'list' | 'tuple'; items: Val[] }
  | { t: 'map'; entries: Array<[Val, Val]> }
  | { t: 'spec'; obj: SpecObject }
  | { t: 'builtin'; name: Builtin }
  | { t: 'method'; self: Val; name: string }
  | { t: 'path'; value: string }
  /** A module: a known library namespace (`flytekit`, `os`) or a module of the repository. */
  | { t: 'module'; name: string; repo: boolean }
  /** Something that exists but is opaque to the static engine (a function, a class, a third-party object). */
  | { t: 'opaque'; what: string };

/** A module-level binding: a value, or the error evaluating it would raise (reported only when used). */
export type Binding = { ok: true; val: Val } | { ok: false; err: PythonSpecError };

export const py = (v: PyValue): Val => ({ t: 'py', v });
