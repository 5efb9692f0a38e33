import { SpecError, Where } from '../errors';
import { reprStr } from '../py/repr';

/**
 * Failures of the exact engine, as data. Text that comes from the user's interpreter (exception
 * messages, source lines, module names) stays in `python`/`module` fields; `message` is built only
 * from our own words and `repr()`-quoted values, so it never holds a raw control character. The
 * reporting layer applies the project's escaping rule to everything before it is logged.
 */
export type ExactErrorKind =
  /** The interpreter could not be started (missing, not executable). */
  | 'interpreter'
  /** The interpreter ran past the time bound and was killed with its process group. */
  | 'timeout'
  /** The helper exited without a result, or its result broke the protocol (size, shape). */
  | 'protocol'
  /** The helper itself failed (e.g. flytekit missing or too old in that interpreter). */
  | 'helper'
  /** The paths given have no common project root, as flytekit decides it. */
  | 'root'
  /** Importing one of the user's modules raised. */
  | 'import'
  /** flytekit could not serialize an entity (a task or workflow) after the modules loaded. */
  | 'serialize'
  /** flytekit could not compute one image's id, tag or name. */
  | 'image'
  /** An image's source (module, variable, task) gives no usable key under the key rule. */
  | 'key';

export interface PythonFrame {
  /** Relative to the working directory when under it, otherwise absolute. */
  file: string;
  line: number | null;
  function: string | null;
  /** The source line, as Python's traceback shows it; raw text from the repository. */
  text: string | null;
}

/** A Python exception as the helper describes it: the traceback's last frames, innermost last. */
export interface PythonException {
  /** Qualified class name, e.g. `ModuleNotFoundError`, `flytekit.exceptions.user.FlyteAssertion`. */
  type: string;
  /** `str(exc)`, clipped; raw text. */
  message: string;
  frames: PythonFrame[];
  /** For a SyntaxError: where the parser stopped (the traceback does not say). */
  syntax?: { file: string | null; line: number | null; col: number | null; text: string | null };
}

export interface ExactErrorData {
  kind: ExactErrorKind;
  python?: PythonException;
  /** The dotted module being imported (kind `import`). */
  module?: string;
  /** The flytekit entity name (kind `serialize`), or the Flyte 2 environment names (kind `image`, `key`), comma-separated. */
  entity?: string;
  /** Bounded tail of the interpreter's stdout+stderr, for `interpreter`/`timeout`/`protocol`/`helper`. */
  log?: string;
}

export class ExactError extends SpecError {
  readonly kind: ExactErrorKind;
  readonly python?: PythonException;
  readonly module?: string;
  readonly entity?: string;
  readonly log?: string;

  constructor(message: string, data: ExactErrorData, where: Where = {}) {
    super(message, where);
    this.name = 'ExactError';
    this.kind = data.kind;
    this.python = data.python;
    this.module = data.module;
    this.entity = data.entity;
    this.log = data.log;
  }

  override withDefaults(where: Where): ExactError {
    return new ExactError(
      this.message,
      { kind: this.kind, python: this.python, module: this.module, entity: this.entity, log: this.log },
      { file: this.file ?? where.file, field: this.field ?? where.field, line: this.line ?? where.line, col: this.col ?? where.col },
    );
  }
}

/** `repr()` of a value for a message: quoted, every non-printable character escaped. */
export const quoted = (s: string): string => reprStr(s);

/**
 * Where an exception points in the user's code: a SyntaxError's own place, else the innermost
 * frame inside the working directory (a relative path), else nothing.
 */
export function locate(python: PythonException): Where {
  const s = python.syntax;
  if (s && s.file !== null && !isAbsoluteOrOutside(s.file)) {
    return { file: s.file, line: s.line ?? undefined, col: s.col ?? undefined };
  }
  for (let i = python.frames.length - 1; i >= 0; i--) {
    const f = python.frames[i];
    if (!isAbsoluteOrOutside(f.file)) return { file: f.file, line: f.line ?? undefined };
  }
  return {};
}

function isAbsoluteOrOutside(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('<') || file.startsWith('..');
}

/** "ValueError: 'text'" for a message line: the type (an identifier path) and the repr of its text. */
export function summarize(python: PythonException): string {
  const type = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(python.type) ? python.type : quoted(python.type);
  return python.message === '' ? type : `${type}: ${quoted(python.message)}`;
}
