/** Bad input through the bundled action: a failed step, an annotation on the right file and line, no outputs. */
import { imagesOf, runStep } from '../support/runner';
import { workspace } from '../support/fixtures';

const plan = (ws: string, specs: string, extra: Record<string, string> = {}) =>
  runStep({ workspace: ws, with: { specs, mode: 'plan', ...extra } });

describe.each([
  ['malformed YAML', 'name: demo\npackages: [numpy\n', 3, undefined],
  ['unknown field', 'name: demo\npython_version: "3.11"\nsecretz: x\n', 3, 'secretz'],
  ['duplicate key', 'name: demo\nname: other\n', 2, undefined],
  ['wrong list item type', 'name: demo\npackages:\n  - numpy\n  - 1.5\n', 4, 'packages[1]'],
  ['invalid registry', 'name: demo\nregistry: "ghcr.io/acme:latest"\n', 2, 'registry'],
  ['not a mapping', '- name: demo\n', 1, undefined],
  ['bad tag_format', 'name: demo\ntag_format: "{spec_hash}-{0}"\n', 2, 'tag_format'],
  ['missing requirements file', 'name: demo\nrequirements: nope.txt\n', 2, 'requirements'],
  [
    'billion laughs',
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n',
    undefined,
    undefined,
  ],
])('%s', (_name, yaml, line, field) => {
  test('fails with an annotation on the spec file and nothing computed', async () => {
    const ws = workspace({ 'specs/good.yaml': 'name: fine\n', 'specs/bad.yaml': yaml });
    const r = await plan(ws, 'specs/*.yaml');
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toEqual({});
    const errs = r.annotations.filter((a) => a.level === 'error' && a.props.file);
    expect(errs).toHaveLength(1);
    expect(errs[0].props.file).toBe('specs/bad.yaml');
    if (line !== undefined) expect(errs[0].props.line).toBe(String(line));
    if (field !== undefined) expect(errs[0].props.title).toContain(field);
    expect(r.summary).toContain('bad.yaml');
    expect(r.stdout + r.stderr).toContain('nothing was built or pushed');
  });
});

test('every invalid spec is reported, not only the first', async () => {
  const ws = workspace({ 'a.yaml': 'nam: x\n', 'b.yaml': 'name: [x]\n' });
  const r = await plan(ws, '*.yaml');
  expect(r.exitCode).toBe(1);
  expect(
    r.annotations
      .filter((a) => a.level === 'error' && a.props.file)
      .map((a) => a.props.file)
      .sort(),
  ).toEqual(['a.yaml', 'b.yaml']);
});

test('a pattern that matches nothing is named', async () => {
  const ws = workspace({ 'a.yaml': 'name: x\n' });
  const r = await plan(ws, 'a.yaml\nimages/*.yaml');
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("the pattern 'images/*.yaml' matched no file");
});

test('two specs with the same key are refused', async () => {
  const ws = workspace({ 'a/img.yaml': 'name: x\n', 'b/img.yml': 'name: y\n' });
  const r = await plan(ws, '**/*.y*ml');
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("share the key 'img'");
});

test('paths resolve against working-directory; annotations stay relative to the repository', async () => {
  const ws = workspace({
    'flyte/reqs.txt': 'numpy\n',
    'flyte/img.yaml': 'name: x\nrequirements: reqs.txt\n',
    'flyte/bad.yaml': 'name: x\nrequirements: gone.txt\n',
  });
  const ok = await plan(ws, 'img.yaml', { 'working-directory': 'flyte' });
  expect(ok.exitCode).toBe(0);
  expect(imagesOf(ok)[0]).toMatchObject({ key: 'img', file: 'img.yaml' });
  const bad = await plan(ws, '*.yaml', { 'working-directory': 'flyte' });
  expect(bad.annotations.find((a) => a.level === 'error')!.props.file).toBe('flyte/bad.yaml');
});

test('a base_image cycle between repository specs is an error', async () => {
  const ws = workspace({ 'a.yaml': 'name: a\nbase_image: ./b.yaml\n', 'b.yaml': 'name: b\nbase_image: ./a.yaml\n' });
  const r = await plan(ws, '*.yaml');
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain('cycle');
});

test('a repository base spec is hashed as its full image name, like a nested ImageSpec', async () => {
  const ws = workspace({
    'base.yaml': 'name: base\nregistry: ghcr.io/acme\npython_version: "3.11"\npackages: [torch]\n',
    'app.yaml': 'name: app\nregistry: ghcr.io/acme\npython_version: "3.11"\npackages: [pandas]\nbase_image: ./base.yaml\n',
  });
  const r = await plan(ws, '*.yaml');
  expect(r.exitCode).toBe(0);
  // The same spec pair as the Python-API vector base-image-nested.
  const app = imagesOf(r).find((i) => i.key === 'app')!;
  expect(app.image).toBe('ghcr.io/acme/app:WDgDUTBWcNpvpoPw8pp3dg');
  expect(app.id).toBe('-ahXxxLUBVHKzt4hi_yL6A');
});

test('build mode stops before building when a registry cannot be asked (on-unknown: fail)', async () => {
  const ws = workspace({ 'a.yaml': 'name: x\n' });
  const r = await runStep({ workspace: ws, with: { specs: 'a.yaml', mode: 'build' } });
  expect(r.exitCode).toBe(1);
  expect(r.groups).toEqual([]);
  expect(r.stdout).toContain('the registry check failed: a');
  expect(r.stdout).toContain('names no registry host');
});

test('an unknown mode is an input error', async () => {
  const ws = workspace({ 'a.yaml': 'name: x\n' });
  const r = await plan(ws, 'a.yaml', { mode: 'deploy' });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain("input 'mode' must be one of plan, check, build");
});

test("an unquoted python_version keeps flytekit's tag but gets a warning on its line", async () => {
  const ws = workspace({ 'a.yaml': 'name: x\npython_version: 3.10\n' });
  const r = await plan(ws, 'a.yaml');
  expect(r.exitCode).toBe(0);
  const w = r.annotations.find((a) => a.level === 'warning');
  expect(w?.props).toMatchObject({ file: 'a.yaml', line: '2' });
  expect(w?.message).toContain('3.1');
});
