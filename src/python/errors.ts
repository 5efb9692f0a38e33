import { SpecError, Where } from '../errors';

/**
 * Why a Python ImageSpec could not be given a name statically:
 * - `unsupported`: valid Python the static engine does not evaluate; the exact engine (which
 *   imports the module with flytekit) can;
 * - `invalid`: flytekit itself would refuse it (a bad registry, an unknown field, an unset
 *   `os.environ["X"]`), so importing the module would fail too;
 * - `syntax`: the file is not Python the parser accepts;
 * - `unreadable`: the file or an imported module cannot be read.
 */
export type PythonErrorReason = 'unsupported' | 'invalid' | 'syntax' | 'unreadable';

export const EXACT_ENGINE_HINT = 'the exact engine (which imports the module with flytekit) can evaluate it';

export class PythonSpecError extends SpecError {
  constructor(
    message: string,
    where: Where,
    readonly reason: PythonErrorReason,
    /** The kind of Python construct at fault, e.g. `list comprehension`, `call to compute()`. */
    readonly construct?: string,
  ) {
    super(message, where);
    this.name = 'PythonSpecError';
  }

  override withDefaults(where: Where): PythonSpecError {
    return new PythonSpecError(
      this.message,
      { file: this.file ?? where.file, field: this.field ?? where.field, line: this.line ?? where.line, col: this.col ?? where.col },
      this.reason,
      this.construct,
    );
  }
}

/** A construct the static engine does not evaluate, at the exact sub-expression. */
export function unsupported(construct: string, where: Where, detail?: string): PythonSpecError {
  const text = `cannot evaluate ${construct} statically${detail ? ` (${detail})` : ''}; ${EXACT_ENGINE_HINT}`;
  return new PythonSpecError(text, where, 'unsupported', construct);
}

/** What flytekit (or Python) would raise while importing the module. */
export function invalid(message: string, where: Where, construct?: string): PythonSpecError {
  return new PythonSpecError(message, where, 'invalid', construct);
}

/** A SpecError from the shared post-init/validation code, as a located Python error. */
export function fromSpecError(e: SpecError, where: Where): PythonSpecError {
  if (e instanceof PythonSpecError) return e.withDefaults(where);
  return new PythonSpecError(
    e.message,
    { file: e.file ?? where.file, field: e.field ?? where.field, line: e.line ?? where.line, col: e.col ?? where.col },
    'invalid',
  );
}
