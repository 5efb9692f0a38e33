/** Generators and checks shared by the hostile-input tests. */
import fc from 'fast-check';

/** Pieces that make workflow commands, line breaks of every kind, and arbitrary code points. */
export const commandish: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '::',
        '::warning::X',
        '::error file=a,line=1::E',
        '::add-mask::m',
        '::stop-commands::t',
        '##[error]x',
        '##[',
        '#',
        ':',
      ),
      fc.constantFrom('\n', '\r', '\r\n', '\u0085', '\u2028', '\u2029', '\0', '\t', ' ', '\u00a0', '\ufeff', '\u001b[31m'),
      fc.constantFrom('a', 'linux/amd64', '%0A', '%25', '\ud800', '\udc00'),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((p) => p.join(''));

/** What the runner would take as a command: `::` at a line start after blanks, or `##[` anywhere. */
export function injectedLines(log: string): string[] {
  return log.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l) || l.includes('##['));
}
