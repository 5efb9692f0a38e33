/**
 * Lines of a flow collection or quoted string continued at column 0 are re-indented and the text
 * parsed again, one line per round; the rounds are bounded by a budget of characters parsed, so a
 * large file full of such lines costs a few parses, not one per line.
 */
import { YamlError } from '../../src/errors';
import { loadYaml } from '../../src/yaml/load';
import { doublingRatio } from './timing';

function doc(bytes: number): string {
  const line = 'abcdefghij,\n';
  return 'v: [a,\n' + line.repeat(Math.floor(bytes / line.length)) + ']\n';
}

test('a file full of column-0 continuation lines is refused in time linear in its size', () => {
  const r = doublingRatio(
    400_000,
    (n) => {
      const text = doc(n);
      return () => {
        expect(() => loadYaml(text, 'spec.yaml')).toThrow(YamlError);
      };
    },
    2,
  );
  expect(r.ratio).toBeLessThan(2.6);
  expect(r.large).toBeLessThan(30_000);
});

test('a small one within the budget loads as PyYAML loads it', () => {
  expect(() => loadYaml(doc(12 * 50), 'spec.yaml')).not.toThrow();
});
