/** The README documents every input and output of action.yml, and nothing that does not exist. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { actionManifest, REPO_ROOT } from './support/runner';

const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

function tableNames(heading: string): string[] {
  const section = readme.split(`### ${heading}`)[1].split('\n### ')[0].split('\n## ')[0];
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
}

test('the inputs table matches action.yml', () => {
  const manifest = actionManifest() as unknown as { inputs: Record<string, unknown> };
  expect(tableNames('Inputs').sort()).toEqual(Object.keys(manifest.inputs).sort());
});

test('the outputs table matches action.yml', () => {
  const manifest = fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8');
  const outputs = Object.keys((parse(manifest) as { outputs: Record<string, unknown> }).outputs);
  expect(tableNames('Outputs').sort()).toEqual(outputs.sort());
});

test('the README opens with the two commands a newcomer runs', () => {
  const block = readme.split('```bash')[1].split('```')[0];
  expect(block).toContain('bash scripts/demo.sh');
  expect(block).toContain('bash scripts/test.sh');
});
