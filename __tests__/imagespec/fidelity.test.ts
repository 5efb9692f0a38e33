/** Issue 11 items 11 and 13 at the spec level: the name flytekit computes, and `env` as flytekit reads it. */
import { SpecError } from '../../src/errors';
import { specFromDocument } from '../../src/imagespec/load';
import { checkEncodable } from '../../src/imagespec/view';
import { computeTag, Digests } from '../../src/tag/compute';
import { loadYaml } from '../../src/yaml/load';

const noFiles: Digests = {
  requirements: () => 'r',
  sourceRoot: () => 's',
  copy: () => 'c',
};
const spec = (text: string) => specFromDocument(loadYaml(text, 'spec.yaml'), { file: 'spec.yaml', hostMachine: 'x86_64' });

describe('env: any falsy value means no environment, as `if image_spec.env:` reads it', () => {
  it.each([
    ['[]', "'env': []"],
    ["''", "'env': ''"],
    ['0', "'env': 0"],
    ['false', "'env': False"],
    ['{}', "'env': {}"],
    ['0.0', "'env': 0.0"],
  ])('env: %s is accepted and hashed as %s', (value, hashed) => {
    const s = spec(`name: app\nenv: ${value}\n`);
    expect(computeTag(s, noFiles).hashInput).toContain(hashed);
  });

  it.each(['[a]', 'x', '1', '[[A, B]]'])('env: %s (truthy, not a mapping) is still refused', (value) => {
    expect(() => spec(`name: app\nenv: ${value}\n`)).toThrow(/env must be a mapping/);
  });
});

describe('name and registry are lower-cased with Python 3.11 str.lower()', () => {
  it.each([
    ['"\\uA7CBz"', '\ua7cbz'],
    ['"APP\\u03a3"', 'app\u03c2'],
    ['"\\u03a3APP"', '\u03c3app'],
    ['"\\u212aELVIN"', 'kelvin'],
    ['"\\u0130X"', 'i\u0307x'],
  ])('name: %s becomes %j', (name, lowered) => {
    const s = spec(`name: ${name}\n`);
    expect(computeTag(s, noFiles).imageName.split(':')[0]).toBe(lowered);
  });

  it('a registry with the Kelvin sign lowers to ASCII and is accepted, as by flytekit', () => {
    expect(computeTag(spec('name: a\nregistry: "ghcr.io/\\u212aorg"\n'), noFiles).imageName).toMatch(/^ghcr\.io\/korg\/a:/);
  });

  it.each(['"ghcr.io/\\u00e1cme"', '"localhost:\\u0665\\u0660\\u0660\\u0660"'])(
    'registry %s (Unicode letters or digits) is refused',
    (r) => {
      expect(() => spec(`name: a\nregistry: ${r}\n`)).toThrow(/Invalid container registry name/);
    },
  );
});

describe('lone surrogates: hashed like flytekit, refused before a build where they would be written', () => {
  it('builder_options may hold one (never rendered)', () => {
    const s = spec('name: a\nbuilder_options: {k: "\\ud800"}\n');
    expect(computeTag(s, noFiles).hashInput).toContain("'builder_options': {'k': '\\ud800'}");
    expect(() => checkEncodable(s)).not.toThrow();
  });

  it.each(['env: {A: "\\udc80"}', 'packages: ["\\ud800"]', 'name: "a\\udfff"', 'commands: ["x\\ud800"]'])(
    '%s is refused before any build',
    (line) => {
      const s = spec(`${line}\n`);
      expect(() => checkEncodable(s)).toThrow(SpecError);
      expect(() => checkEncodable(s)).toThrow(/holds a lone surrogate \('.*\\ud[89abcdef][0-9a-f]{2}.*'\)/);
    },
  );
});
