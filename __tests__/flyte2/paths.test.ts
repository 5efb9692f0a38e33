/** The `flyte2` input's lines → the paths the SDK's loader gets (src/discover/flyte2Paths.ts), on real files. */
import * as path from 'node:path';
import { findFlyte2Paths } from '../../src/discover/flyte2Paths';
import { writeProject } from './projects';

const cwd = writeProject({
  'flows/__init__.py': '',
  'flows/a.py': '',
  'flows/b.py': '',
  'flows/sub/c.py': '',
  'flows/notes.md': '',
  'node_modules/x/d.py': '',
  'top.py': '',
});

test('folders as named, globs and files to Python modules, in line order, each once', async () => {
  expect(await findFlyte2Paths(['flows', 'top.py', './flows/*.py', 'flows/b.py'], cwd)).toEqual([
    'flows',
    'top.py',
    'flows/__init__.py',
    'flows/a.py',
    'flows/b.py',
  ]);
  expect(await findFlyte2Paths(['**/*.py'], cwd)).toEqual(['flows/__init__.py', 'flows/a.py', 'flows/b.py', 'flows/sub/c.py', 'top.py']);
  expect(await findFlyte2Paths([path.join(cwd, 'flows')], cwd)).toEqual(['flows']);
  expect(await findFlyte2Paths(['.'], cwd)).toEqual(['.']);
});

test.each([
  ['nothing/*.py', 'matched no file or folder'],
  ['missing.py', 'matched no file or folder'],
  ['flows/*', 'matches files that are not Python modules'],
])('%s is refused', async (line, message) => {
  await expect(findFlyte2Paths([line], cwd)).rejects.toThrow(message);
});
