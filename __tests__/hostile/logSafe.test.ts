/**
 * The one escaping rule for foreign text in the runner's log (src/util/logSafe.ts), and the
 * `[command]` line of tool runs: for any text, nothing the runner reads as a workflow command.
 */
import fc from 'fast-check';
import { commandish, injectedLines } from './support';
import { commandLine } from '../../src/action/runTool';
import { logSafe, quoted } from '../../src/util/logSafe';
import { fcSeed } from '../differential/oracle';

const SEED = fcSeed();

describe('logSafe', () => {
  test('foreign text stays on its line and never reads as a command', () => {
    fc.assert(
      fc.property(commandish, (s) => {
        const out = logSafe(s);
        expect(out).not.toMatch(/[\n\r\u0085\u2028\u2029\0]/);
        expect(injectedLines(out)).toEqual([]);
        expect(injectedLines(`prefix ${out}`)).toEqual([]);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  test('ordinary text is unchanged', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 ./_:-]*$/), (s) => {
        if (/^\s*::/.test(s)) return;
        expect(logSafe(s)).toBe(s);
      }),
      { seed: SEED },
    );
    expect(logSafe('ghcr.io/acme/app:Wf3x (exists)')).toBe('ghcr.io/acme/app:Wf3x (exists)');
  });

  test('examples', () => {
    expect(logSafe('a\n::warning::X')).toBe('a\\x0a::warning::X');
    expect(logSafe('  ::error::x')).toBe('  \\x3a:error::x');
    expect(logSafe('x ##[error]y')).toBe('x #\\x23[error]y');
    expect(quoted('a\u2028b')).toBe('"a\\u2028b"');
  });

  test('the [command] line of a tool run: one line, no command, whatever the arguments', () => {
    fc.assert(
      fc.property(fc.array(commandish, { maxLength: 5 }), (args) => {
        const line = commandLine('docker', ['buildx', 'build', ...args]);
        expect(line.startsWith('[command]docker buildx build')).toBe(true);
        expect(line).not.toMatch(/[\n\r\u0085\u2028\u2029]/);
        expect(injectedLines(line)).toEqual([]);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
