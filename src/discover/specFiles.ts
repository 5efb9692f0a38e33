import * as path from 'node:path';
import fg from 'fast-glob';
import { InputError } from '../errors';
import { KEY_GRAMMAR, KEY_RE } from '../plan/keys';
import { logSafe, quoted } from '../util/logSafe';

export interface SpecFile {
  /** Absolute path. */
  abs: string;
  /** Path relative to the working directory, with `/` separators (how outputs and annotations name it). */
  rel: string;
  /** The file name without `.yaml`/`.yml`: the image's key in outputs and `--image key=…` (YAML only). */
  key: string;
  /** A YAML spec file (one image), or a Python module (any number of ImageSpecs, each with its own key). */
  kind: 'yaml' | 'python';
}

/** Python modules hold ImageSpecs written in code; everything else a pattern names is a YAML spec file. */
export function kindOf(file: string): SpecFile['kind'] {
  return /\.py$/.test(file) ? 'python' : 'yaml';
}

/** Directories no one keeps ImageSpecs in, which a `**` pattern would otherwise crawl. */
export const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**'];

/** Code-point order (not UTF-16 order), so astral characters sort the way Python and Go sort them. */
export function codePointCompare(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

export function keyOf(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/i, '');
}

/**
 * Expand the `specs` input: one glob or path a line, relative to `cwd` unless absolute; a line
 * starting with `!` excludes what it matches. Every including line must match at least one file.
 */
export async function findSpecFiles(patternsInput: string, cwd: string): Promise<SpecFile[]> {
  const lines = patternsInput
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const include = lines.filter((l) => !l.startsWith('!'));
  const exclude = lines.filter((l) => l.startsWith('!')).map((l) => toGlob(l.slice(1).trim()));
  if (include.length === 0) throw new InputError('no spec file patterns given', 'specs');

  const found = new Map<string, SpecFile>();
  for (const pattern of include) {
    const matches = await fg(toGlob(pattern), {
      cwd,
      absolute: true,
      onlyFiles: true,
      unique: true,
      followSymbolicLinks: false,
      ignore: [...ALWAYS_IGNORED, ...exclude],
    });
    if (matches.length === 0) {
      throw new InputError(`the pattern '${logSafe(pattern)}' matched no file (relative to ${logSafe(cwd)})`, 'specs');
    }
    for (const m of matches) {
      const abs = path.normalize(m);
      const rel = path.relative(cwd, abs).split(path.sep).join('/');
      found.set(abs, { abs, rel, key: keyOf(abs), kind: kindOf(abs) });
    }
  }
  const files = [...found.values()].sort((a, b) => codePointCompare(a.rel, b.rel));
  const badKeys = files.filter((f) => !KEY_RE.test(f.key));
  if (badKeys.length > 0) {
    const list = badKeys.map((f) => `${quoted(f.rel, 120)} (key ${quoted(f.key, 60)})`).join(', ');
    throw new InputError(
      `spec file name${badKeys.length > 1 ? 's' : ''} ${list} give${badKeys.length > 1 ? '' : 's'} no valid image key: ` +
        `the file name without .yaml/.yml is the key, and keys are made of ${KEY_GRAMMAR}; rename the file`,
      'specs',
    );
  }

  const byKey = new Map<string, SpecFile>();
  for (const f of files.filter((f) => f.kind === 'yaml')) {
    const other = byKey.get(f.key);
    if (other) {
      throw new InputError(
        `two spec files share the key '${f.key}': ${quoted(other.rel)} and ${quoted(f.rel)}; image keys come from file names and must be unique`,
        'specs',
      );
    }
    byKey.set(f.key, f);
  }
  return files;
}

/** fast-glob matches `./x` literally as a path segment, so drop it; absolute patterns pass through. */
export function toGlob(pattern: string): string {
  return path.isAbsolute(pattern) ? pattern : pattern.replace(/^(\.\/)+/, '');
}
