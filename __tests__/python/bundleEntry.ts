// Bundled by bundle.test.ts with ncc, as scripts/build.mjs bundles the action, and run from a
// directory without node_modules: the parser must come from the bundle itself.
import { findPythonImageSpecs } from '../../src/python';
import { computeTag, specId } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';

const [root, ...files] = process.argv.slice(2);
const r = findPythonImageSpecs(files, { root, env: {}, hostMachine: 'x86_64' });
const d = fsDigests(root, root);
process.stdout.write(
  JSON.stringify({
    specs: r.specs.map((s) => [s.key, computeTag(s.spec, d).imageName, specId(s.spec)]),
    errors: r.errors.map((e) => e.describe()),
  }),
);
