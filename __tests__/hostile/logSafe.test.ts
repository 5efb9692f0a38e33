/**
 * The one escaping rule for foreign text in the runner's log (src/util/logSafe.ts), and the
 * `[command]` line of tool runs: for any text, nothing the runner reads as a workflow command.
 */
import fc from 'fast-check';
import { commandish, injectedLines } from './support';
import * as core from '../../src/action/core';
import { commandLine } from '../../src/action/runTool';
import { fail } from '../../src/main';
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

describe('how the step fails', () => {
  const captured = (f: () => void): string => {
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      f();
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
    return out;
  };

  test('an unexpected error: one escaped annotation, no stack trace, whatever its message', () => {
    fc.assert(
      fc.property(commandish, (m) => {
        const e = new Error(`ENAMETOOLONG ${m}`);
        const out = captured(() => fail(e));
        const lines = out.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0].startsWith('::error::unexpected error, the step stopped: Error: ENAMETOOLONG')).toBe(true);
        expect(out).not.toContain('    at ');
        expect(injectedLines(out.replace(/^::error::/, ''))).toEqual([]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('core.info and annotations carry foreign text without making a command', () => {
    fc.assert(
      fc.property(commandish, (m) => {
        const out = captured(() => {
          core.info(m);
          core.warning(m, { file: m, title: m });
          core.startGroup(m);
        });
        // Each line is one of ours: the runner parses a line that starts with `::name` as that
        // command (a `##[` inside it is data then); any other line must hold no `##[`.
        const lines = out.split('\n').slice(0, -1);
        expect(lines).toHaveLength(3);
        expect(lines[0].includes('##[') || /^\s*::/.test(lines[0])).toBe(false);
        expect(lines[1]).toMatch(/^::warning [^\n]*::/);
        expect(lines[2]).toMatch(/^::group::/);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
