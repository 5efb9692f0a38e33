import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import { InputError } from '../errors';
import { logSafe } from '../util/logSafe';
import { ALWAYS_IGNORED, codePointCompare, toGlob } from './specFiles';

/**
 * Expand the `flyte2` input into the paths the SDK's loader is given, as `flyte deploy` is: a
 * folder named as it is (loaded recursively, as with `-r`), a glob or file to its Python modules.
 * Each line must name something, and a glob only `.py` files: a typo must not silently load nothing.
 * Paths come back relative to `cwd` (absolute when outside it), in line order, each once.
 */
export async function findFlyte2Paths(lines: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (abs: string) => {
    const rel = path.relative(cwd, abs);
    const shown = rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
    if (!seen.has(shown)) out.push(shown);
    seen.add(shown);
  };
  for (const line of lines) {
    const literal = path.resolve(cwd, line);
    if (!fg.isDynamicPattern(line) && isDirectory(literal)) {
      add(literal);
      continue;
    }
    const matches = await fg(toGlob(line), {
      cwd,
      absolute: true,
      onlyFiles: true,
      unique: true,
      followSymbolicLinks: false,
      ignore: ALWAYS_IGNORED,
    });
    if (matches.length === 0) {
      throw new InputError(`input 'flyte2': '${logSafe(line)}' matched no file or folder (relative to ${logSafe(cwd)})`, 'flyte2');
    }
    const notPython = matches.filter((m) => !m.endsWith('.py'));
    if (notPython.length > 0) {
      throw new InputError(
        `input 'flyte2': '${logSafe(line)}' matches files that are not Python modules (${notPython
          .slice(0, 3)
          .map((m) => `'${logSafe(path.relative(cwd, m))}'`)
          .join(', ')}); name .py files or folders`,
        'flyte2',
      );
    }
    matches
      .map((m) => path.normalize(m))
      .sort(codePointCompare)
      .forEach(add);
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
