/**
 * Issue 11, item 6: a document full of aliases is refused (or loaded) in linear time. Before the
 * fix, 20,000 aliases took 6-8 s and 100,001 took 134 s before the alias-bomb error, because every
 * alias's column was counted from the start of its line.
 */
import { YamlError } from '../../src/errors';
import { YAML_LIMITS } from '../../src/yaml/limits';
import { loadYaml } from '../../src/yaml/load';
import { doublingRatio, fastestMs } from './timing';

/** Documents of n aliases, one family member per way of writing them. */
const FORMS: Record<string, (n: number) => string> = {
  'flow sequence on one line': (n) => 'a: &a x\nb: [' + Array(n).fill('*a').join(', ') + ']\n',
  'block sequence': (n) => 'a: &a x\nb:\n' + '- *a\n'.repeat(n),
  'block mapping values': (n) => 'a: &a x\nb:\n' + Array.from({ length: n }, (_, i) => `  k${i}: *a\n`).join(''),
  'flow mapping on one line': (n) => 'a: &a x\nb: {' + Array.from({ length: n }, (_, i) => `k${i}: *a`).join(', ') + '}\n',
  'aliases of a collection': (n) => 'a: &a [x, y]\nb: [' + Array(n).fill('*a').join(',') + ']\n',
  'aliases of a long line with astral characters': (n) => 'a: &a "😀"\nb: [' + Array(n).fill('*a').join(', "😀", ') + ']\n',
  'merge keys': (n) => 'a: &a {x: 1}\nb:\n' + '  - <<: *a\n'.repeat(n),
};

function load(text: string): void {
  try {
    loadYaml(text, 'spec.yaml');
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    if (!/alias bomb|Comments must be separated/.test(e.message)) throw e;
  }
}

describe.each(Object.entries(FORMS))('%s', (_name, make) => {
  it('doubling the aliases no more than about doubles the time', () => {
    const r = doublingRatio(10_000, (n) => {
      const text = make(n);
      return () => load(text);
    });
    // Linear is about 2; the old quadratic behaviour was about 4.
    expect(r.ratio).toBeLessThan(2.6);
  });

  it(`refuses ${YAML_LIMITS.maxAliasedValues + 1} aliases quickly, with the alias-bomb error`, () => {
    const text = make(YAML_LIMITS.maxAliasedValues + 1);
    let error: unknown;
    const ms = fastestMs(1, () => {
      try {
        loadYaml(text, 'spec.yaml');
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(YamlError);
    expect((error as YamlError).message).toMatch(/alias bomb/);
    // Generous for a loaded 2-core machine; the quadratic version took over two minutes.
    expect(ms).toBeLessThan(15_000);
  });
});
