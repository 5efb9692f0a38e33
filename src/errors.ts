/**
 * Every user-facing failure is a SpecError (or a subclass): it knows the file, the ImageSpec
 * field and the line it is about, so the action can print a GitHub annotation on that line.
 */
export interface Where {
  /** Path of the spec file, relative to the working directory where possible. */
  file?: string;
  /** ImageSpec field (dotted for nested values, e.g. `env.FOO`, `packages[2]`). */
  field?: string;
  line?: number;
  col?: number;
}

export class SpecError extends Error {
  readonly file?: string;
  readonly field?: string;
  readonly line?: number;
  readonly col?: number;

  constructor(message: string, where: Where = {}) {
    super(message);
    this.name = 'SpecError';
    this.file = where.file;
    this.field = where.field;
    this.line = where.line;
    this.col = where.col;
  }

  /** A copy that fills in what this error does not know yet (e.g. the file, added by the caller). */
  withDefaults(where: Where): SpecError {
    const e = new (this.constructor as new (m: string, w: Where) => SpecError)(this.message, {
      file: this.file ?? where.file,
      field: this.field ?? where.field,
      line: this.line ?? where.line,
      col: this.col ?? where.col,
    });
    return e;
  }

  /** "file:line: field: message", for logs and test assertions. */
  describe(): string {
    const loc = [this.file, this.line].filter((x) => x !== undefined).join(':');
    const field = this.field ? `${this.field}: ` : '';
    return `${loc ? loc + ': ' : ''}${field}${this.message}`;
  }
}

/** The YAML text itself is malformed (syntax, duplicate keys, unsupported tags, limits). */
export class YamlError extends SpecError {
  constructor(message: string, where: Where = {}) {
    super(message, where);
    this.name = 'YamlError';
  }
}

/** An input of the action (not a spec) is wrong. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
