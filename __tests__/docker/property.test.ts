/**
 * Property tests: whatever strings a spec holds, the generated Dockerfile either is refused with a
 * SpecError naming the field, or has exactly the instructions of the same spec with a harmless
 * value, with the value reading back unchanged and nothing expandable outside quotes.
 */
import fc from 'fast-check';
import { renderDockerfile } from '../../src/docker/dockerfile';
import { requirementsUvTxt } from '../../src/docker/requirements';
import { SpecError } from '../../src/errors';
import type { SpecView } from '../../src/imagespec/types';
import { find, keywords, parseDockerfile, parseEnv, shellWords } from './dockerfileParse';
import { options, view } from './fixtures';

const RUNS = { numRuns: 1000 };

/** Strings built from the pieces that break Dockerfiles and shells, plus arbitrary code points. */
const nasty: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...'\n\r\0\t $`\'"\\;&|<>()#*?[]{}~!=-:/.,@+%^'.split('')),
      fc.constantFrom('$(', '&&', '<<', '<<EOF', '\\\n', '\r\n', '\nRUN evil', '\nUSER root', ' #', '--', '-e '),
      fc.constantFrom('numpy', 'flytekit', '>=1.0', ' ; python_version < "3.12"', 'https://x.io/a', 'git+https://x/y', '[a,b]', ' @ '),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

/**
 * Strings that start like a legitimate value and continue with characters that are legal in some
 * of the grammars and special in shells or Dockerfiles, so that a good share is accepted and the
 * rendering (not only the refusal) is exercised.
 */
const plausible: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('numpy', 'a', 'conda-forge', 'https://x.io/', '/usr/bin/python3', 'debian', '3.11', '--pre'),
    fc.string({ unit: fc.constantFrom(...'abz09.-_=<>!~*+,:/@[]\'" ;|&$()`#?{}\\\t'.split('')), maxLength: 8 }),
    fc.oneof(fc.constant(''), nasty),
  )
  .map(([a, b, c]) => a + b + c);

/** Half nasty, half plausible. */
const value: fc.Arbitrary<string> = fc.oneof(nasty, plausible);

/** Renders, or returns the SpecError's field when the spec is refused. */
function attempt(v: Partial<SpecView>): { df: string } | { field: string } {
  try {
    return { df: renderDockerfile(view(v), options()) };
  } catch (e) {
    if (e instanceof SpecError && e.field !== undefined) return { field: e.field };
    throw e;
  }
}

/**
 * No `$(`, backtick or `$` outside single quotes in the RUN instructions we generate (the commands
 * RUN is the user's shell and is excluded by the callers), and ENV only expands the fixed PATHs.
 */
function assertNothingExpands(df: string): void {
  for (const ins of parseDockerfile(df)) {
    if (ins.keyword === 'ENV') {
      for (const k of parseEnv(ins.rest).expands) expect(['PATH', 'LD_LIBRARY_PATH']).toContain(k);
    } else if (ins.keyword === 'RUN' && !/export PATH=\$PATH/.test(ins.rest)) {
      const outside = ins.rest.replace(/'[^']*'/g, "''");
      expect(outside).not.toMatch(/\$|`/);
    }
  }
}

describe('env values', () => {
  const baseline = keywords(renderDockerfile(view({ env: [['K', 'x']] }), options()));
  test('are rendered inertly, or refused when a Dockerfile cannot hold them (newline, CR, NUL, lone surrogate)', () => {
    fc.assert(
      fc.property(value, (envValue) => {
        const r = attempt({ env: [['K', envValue]] });
        // Exactly the values a Dockerfile cannot hold are refused.
        const unrepresentable = /[\n\r\0]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
        expect('field' in r).toBe(unrepresentable.test(envValue));
        if ('field' in r) return expect(r.field).toBe('env.K');
        expect(keywords(r.df)).toEqual(baseline);
        const { pairs } = parseEnv(find(r.df, 'ENV', /PYTHONPATH/)[0].rest);
        expect(pairs[pairs.length - 1]).toEqual(['K', envValue]);
        assertNothingExpands(r.df);
      }),
      RUNS,
    );
  });
});

describe('env keys', () => {
  test('are names or refused', () => {
    fc.assert(
      fc.property(value, (key) => {
        const r = attempt({ env: [[key, 'v']] });
        if ('field' in r) return expect(r.field).toBe(`env.${key}`);
        expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }),
      RUNS,
    );
  });
});

describe('pip packages', () => {
  const baseline = keywords(renderDockerfile(view({ packages: ['numpy'] }), options()));
  test('never add requirements lines or uv options, and never touch the Dockerfile', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (packages) => {
        const r = attempt({ packages });
        if ('field' in r) {
          expect(r.field).toMatch(/^packages\[[0-2]\]$/);
          return;
        }
        expect(keywords(r.df)).toEqual(baseline);
        const txt = requirementsUvTxt(packages, '1.16.24');
        const ls = txt.split(/\r\n|\r|\n/);
        expect(ls.length === packages.length || ls.length === packages.length + 1).toBe(true);
        for (const l of ls) {
          expect(l.trim().startsWith('-')).toBe(false);
          expect(l).not.toMatch(/\$\(|`|&&/);
        }
      }),
      RUNS,
    );
  });
});

/** The single shell word in `rest` equal to `value`, and nothing special left unquoted. */
function assertOneQuotedWord(rest: string, value: string): void {
  const words = shellWords(rest);
  expect(words.some((w) => w.text === value && !w.unquotedSpecial)).toBe(true);
}

describe('conda packages and channels', () => {
  const baseline = keywords(renderDockerfile(view({ condaPackages: ['numpy'], condaChannels: ['c'] }), options()));
  test('are one quoted word each or refused', () => {
    fc.assert(
      fc.property(value, value, (pkg, channel) => {
        const r = attempt({ condaPackages: [pkg], condaChannels: [channel] });
        if ('field' in r) return expect(['conda_packages[0]', 'conda_channels[0]']).toContain(r.field);
        expect(keywords(r.df)).toEqual(baseline);
        const [run] = find(r.df, 'RUN', /micromamba create/);
        const create = run.rest.slice(run.rest.indexOf('( micromamba create'), run.rest.indexOf('|| micromamba install'));
        assertOneQuotedWord(create, pkg);
        assertOneQuotedWord(create, channel);
        assertNothingExpands(r.df);
      }),
      RUNS,
    );
  });
});

describe('pip index, extra index, extra args, python_exec, python_version', () => {
  test('are quoted words or refused', () => {
    fc.assert(
      fc.property(
        fc.record({
          pipIndex: fc.oneof(
            value,
            value.map((s) => 'https://x.io/' + s),
          ),
          pipExtraArgs: value,
          pythonVersion: fc.oneof(value, fc.constant('3.11')),
        }),
        (v) => {
          const r = attempt(v);
          if ('field' in r) return expect(['pip_index', 'pip_extra_args', 'python_version']).toContain(r.field);
          expect(keywords(r.df)).toEqual(keywords(renderDockerfile(view({ pipIndex: 'https://x' }), options())));
          const [install] = find(r.df, 'RUN', /uv pip install/);
          assertOneQuotedWord(install.rest, v.pipIndex);
          assertNothingExpands(r.df);
        },
      ),
      RUNS,
    );
  });

  test('python_exec is one word or refused', () => {
    fc.assert(
      fc.property(value, (exec) => {
        const r = attempt({ pythonExec: exec });
        if ('field' in r) return expect(r.field).toBe('python_exec');
        const [venv] = find(r.df, 'RUN', /uv venv/);
        assertOneQuotedWord(venv.rest, exec);
        assertNothingExpands(r.df);
      }),
      RUNS,
    );
  });
});

describe('apt packages and image references', () => {
  test('are refused unless plainly valid', () => {
    fc.assert(
      fc.property(value, value, (apt, image) => {
        const r = attempt({ aptPackages: [apt], baseImage: image });
        if ('field' in r) return expect(['apt_packages[0]', 'base_image']).toContain(r.field);
        expect(apt).toMatch(/^[a-z0-9][a-z0-9+.:=/~_A-Z-]*$/);
        expect(image).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]*$/);
        assertNothingExpands(r.df);
      }),
      RUNS,
    );
  });
});

describe('commands', () => {
  const baseline = keywords(renderDockerfile(view({ commands: ['true'] }), options()));
  test('stay inside their one RUN or are refused', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (commands) => {
        const r = attempt({ commands });
        if ('field' in r) return expect(r.field).toMatch(/^commands\[[0-2]\]$/);
        const k = keywords(r.df);
        // All-blank commands drop the RUN; otherwise the instruction list is unchanged.
        if (commands.every((c) => c.trim() === '')) expect(k.length).toBe(baseline.length - 1);
        else expect(k).toEqual(baseline);
        expect(
          parseDockerfile(r.df)
            .slice(-5)
            .map((i) => i.keyword),
        ).toEqual(['WORKDIR', 'SHELL', 'USER', 'RUN', 'ENV']);
      }),
      RUNS,
    );
  });
});

describe('copy entries', () => {
  test('become exactly one COPY each, reading back the normalised path, or are refused', () => {
    fc.assert(
      fc.property(value, fc.constantFrom<'file' | 'dir'>('file', 'dir'), (p, kind) => {
        let df: string;
        try {
          df = renderDockerfile(view({ copy: [p] }), options({ copyEntries: [{ path: p, kind }] }));
        } catch (e) {
          expect(e).toBeInstanceOf(SpecError);
          expect((e as SpecError).field).toBe('copy[0]');
          return;
        }
        const copies = find(df, 'COPY');
        expect(copies).toHaveLength(1);
        const rest = copies[0].rest.replace(/^--chown=flytekit /, '');
        const [src] = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(' ');
        expect(src.split('/')).not.toContain('..');
        expect(src).not.toMatch(/^[-/]|[$\\*?[<'"\n\r\0]/);
      }),
      RUNS,
    );
  });
});
