/**
 * Concrete counterexamples the differential tests found, pinned against the real PyYAML/flytekit
 * (so they keep proving what Python does) and against the action's answer.
 */
import { YamlError } from '../../src/errors';
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
