import { fnmatch } from './fnmatch';
import type { IgnoreRule } from './group';

/**
 * flytekit's StandardIgnore. Python's fnmatch lets `*` cross `/`, yet each pattern is anchored at the
 * start of the path, so `.cache/*` misses `x/.cache/y` and every path of a relative root (`src/.cache/y`).
 */
export const STANDARD_IGNORE_PATTERNS: readonly string[] = ['*.pyc', '.cache', '.cache/*', '__pycache__/*', '**/__pycache__/*'];

export const standardIgnore: IgnoreRule = (path) => STANDARD_IGNORE_PATTERNS.some((p) => fnmatch(path, p));
