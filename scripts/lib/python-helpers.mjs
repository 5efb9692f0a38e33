// The exact engine's Python helpers run in the user's interpreter, not in Node, so ncc does not
// bundle them: they are copied as files next to the bundle (src/exact/helperScripts.ts finds
// them in <bundle dir>/exact/). Used by scripts/build.mjs and by the bundle test of __tests__/exact.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function copyPythonHelpers(root, distDir) {
  const from = path.join(root, 'src', 'exact', 'python');
  const to = path.join(distDir, 'exact');
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from).filter((n) => n.endsWith('.py'))) {
    fs.copyFileSync(path.join(from, name), path.join(to, name));
  }
}
