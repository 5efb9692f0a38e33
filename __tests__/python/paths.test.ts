/**
 * The POSIX path rules of src/python/paths.ts against CPython's own posixpath and PurePosixPath,
 * on generated paths (separators doubled, `.`/`..`, leading `//`, empty parts).
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { pathJoin, pathName, pathNorm, pathParent, posixDirname, posixJoin } from '../../src/python/paths';
import { fcSeed, flytekitPython, runs } from '../differential/oracle';

const SEED = fcSeed();
const PYTHON = `
import json, posixpath, sys
from pathlib import PurePosixPath as P
out = []
for parts in json.load(sys.stdin):
    a, b = parts[0], parts[1]
    out.append([posixpath.join(*parts), posixpath.dirname(a), posixpath.normpath(a), str(P(a) / b), str(P(a).parent), P(a).name, str(P(a))])
json.dump(out, sys.stdout)
`;

test('posixpath.join/dirname/normpath and PurePosixPath /, parent, name, str agree with CPython', () => {
  const piece = fc.constantFrom('a', 'b.c', '.', '..', '', '/', '//', '///', 'é', ' x');
  const pathArb = fc.array(piece, { maxLength: 6 }).map((xs) => xs.join(''));
  const cases = fc.sample(fc.array(pathArb, { minLength: 2, maxLength: 4 }), { seed: SEED, numRuns: runs(2000) });
  const want = JSON.parse(execFileSync(flytekitPython(), ['-c', PYTHON], { input: JSON.stringify(cases), encoding: 'utf8' })) as string[][];
  const bad: string[] = [];
  cases.forEach((parts, i) => {
    const [a, b] = parts;
    const got = [posixJoin(parts), posixDirname(a), pathNorm(a), pathJoin(a, b), pathParent(a), pathName(a), pathJoin('', a)];
    if (JSON.stringify(got) !== JSON.stringify(want[i]))
      bad.push(`${JSON.stringify(parts)}: python ${JSON.stringify(want[i])}, ours ${JSON.stringify(got)}`);
  });
  expect({ seed: SEED, bad: bad.slice(0, 5) }).toEqual({ seed: SEED, bad: [] });
});
