/**
 * Concrete counterexamples the differential tests found, pinned against the real PyYAML/flytekit
 * (so they keep proving what Python does) and against the action's answer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { YamlError } from '../../src/errors';
import { loadSpecFile } from '../../src/imagespec/load';
import { computeTag } from '../../src/tag/compute';
import { fsDigests } from '../../src/tag/fsDigests';
import { loadYaml } from '../../src/yaml/load';
import { Oracle } from './oracle';

let oracle: Oracle;
beforeAll(() => {
  oracle = new Oracle();
});
afterAll(() => oracle?.close());

async function pyLoad(text: string): Promise<string> {
  const a = await oracle.ask<{ repr: string }>({ op: 'yaml', text });
  if (!a.ok) throw new Error(`PyYAML refused: ${a.type}: ${a.message}`);
  return a.repr;
}

function ourRefusal(text: string): YamlError {
  try {
    loadYaml(text, 'spec.yaml');
  } catch (e) {
    if (e instanceof YamlError) return e;
    throw e;
  }
  throw new Error('the loader accepted it');
}

test('`v: &21:59:430`: PyYAML ends the anchor at the colon; the refusal says so instead of claiming PyYAML rejects it', async () => {
  const text = 'v: &21:59:430\n';
  expect(await pyLoad(text)).toBe("{'v': ':59:430'}");
  const e = ourRefusal(text);
  expect(e.line).toBe(1);
  expect(e.message).toContain("PyYAML ends the anchor name &21 at ':'");
  expect(e.message).not.toContain('PyYAML rejects');
});

test('an anchor with a character PyYAML does reject keeps its message', async () => {
  const text = 'v: &a.b x\n';
  const py = await oracle.ask<{ repr: string }>({ op: 'yaml', text });
  expect(py.ok).toBe(false);
  expect(ourRefusal(text).message).toContain('PyYAML rejects &a.b');
});

describe('documented deviation: sub-directory order inside a copied directory', () => {
  // flytekit walks a copied directory with os.walk, whose sub-directory order is the file system's
  // (hash order on ext4); the action sorts. The differential suite compares against flytekit with a
  // sorted os.walk wherever siblings exist; this pins both halves of that statement on a real tree.

  test('with sibling sub-directories the action equals flytekit on a sorted listing; flytekit’s real answer is the file system’s', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'walk-order-'));
    const caseDir = path.join(root, 'case');
    // Many siblings, created in reverse order, so that a file system listing them unsorted is likely.
    for (let i = 30; i >= 0; i--) {
      fs.mkdirSync(path.join(caseDir, 'data', `d${String(i).padStart(2, '0')}`), { recursive: true });
      fs.writeFileSync(path.join(caseDir, 'data', `d${String(i).padStart(2, '0')}`, 'f.txt'), `content ${i}`);
    }
    const specFile = path.join(root, 'spec.yaml');
    fs.writeFileSync(specFile, 'name: walk\ncopy: [data]\n');
    try {
      const ours = computeTag(loadSpecFile(specFile, 'spec.yaml', 'x86_64'), fsDigests(caseDir, caseDir)).tag;
      const sorted = await oracle.ask<{ tag: string }>({ op: 'spec', dir: caseDir, file: specFile, sorted_walk: true });
      const real = await oracle.ask<{ tag: string }>({ op: 'spec', dir: caseDir, file: specFile, sorted_walk: false });
      if (!sorted.ok || !real.ok) throw new Error('flytekit failed');
      expect(ours).toBe(sorted.tag);
      // Node's readdir is sorted by libuv, so it cannot tell what os.walk sees; the tags can.
      console.log(
        `walk order: flytekit's own tag with the real os.walk ${real.tag === ours ? 'equals' : 'differs from'} the action's on this file system`,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
