/**
 * Generated ImageSpec files with the small file trees their `source_root`, `copy` and
 * `requirements` read, laid out on disk as pyflyte would see them: a working directory holding the
 * tree, and the spec file outside it (so it never lands in a digest).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { mapValue, nestedScalar, tagFormat } from './arbitraries';
import { GIT_ENV } from '../support/vectors';

export interface GenSpec {
  /** `key: value` lines in file order; values are YAML text (starting with ' ' or '\n'). */
  fields: Array<[string, string]>;
  files: Record<string, string>;
  /** Symbolic links inside the tree: path → target (relative, never leaving the tree). */
  links: Record<string, string>;
  gitInit: boolean;
}

/** `@CASE@` in a value stands for the absolute working directory (absolute source_root, copy paths). */
export const CASE = '@CASE@';

/** A YAML double-quoted scalar holding exactly `s` (JSON escapes are valid YAML 1.1 escapes). */
export const dq = (s: string): string => JSON.stringify(s);

const str = (...xs: string[]) => fc.constantFrom(...xs);

/** A list of strings in block or flow style, sometimes with a non-string item or as a bare string. */
function listOf(items: fc.Arbitrary<string>, opts: { bad?: boolean } = {}): fc.Arbitrary<string> {
  const good = fc
    .tuple(fc.array(items, { maxLength: 4 }), fc.boolean())
    .map(([xs, flow]) => (flow || xs.length === 0 ? ` [${xs.join(', ')}]\n` : '\n' + xs.map((x) => `  - ${x}\n`).join('')));
  if (!opts.bad) return good;
  return fc.oneof(
    { weight: 40, arbitrary: good },
    // flytekit's own validation refuses these (ValueError): both sides must refuse.
    { weight: 1, arbitrary: items.map((x) => ` ${x}\n`) },
    { weight: 1, arbitrary: fc.array(items, { maxLength: 2 }).map((xs) => ` [${[...xs, '1.5'].join(', ')}]\n`) },
  );
}

const pkg = fc.oneof(
  { weight: 1, arbitrary: nestedScalar },
  {
    weight: 6,
    arbitrary: str(
      'numpy',
      'pandas==2.0',
      '"flytekit>=1.16"',
      'torch',
      "'scikit-learn[all]'",
      'git+https://x.io/r.git',
      '"numpy; python_version<\'3.12\'"',
    ),
  },
);

const FIELD_VALUES: Record<string, fc.Arbitrary<string>> = {
  name: fc.oneof(
    {
      weight: 6,
      arbitrary: str('app', 'My-App', 'flytekit', 'team/app', 'Ünïcode', 'İmage', '"a b"', 'ÀÉÎ-ß', '"ǅ"', 'ﬁx').map((s) => ` ${s}\n`),
    },
    { weight: 1, arbitrary: nestedScalar.map((s) => ` ${s}\n`) },
  ),
  python_version: str('"3.11"', '3.10', '3.11', '"3.12"', '3', '3.9.1', '"3.10"', '~', '3.1e+1').map((s) => ` ${s}\n`),
  builder: str('default', 'noop', 'envd', '~').map((s) => ` ${s}\n`),
  source_root: str('src', 'src', 'src', '.', 'src/', './src', 'src/pkg', 'missing', `"${CASE}/src"`, `"${CASE}"`, 'a.txt', 'data').map(
    (s) => ` ${s}\n`,
  ),
  env: mapValue,
  registry: str(
    'ghcr.io/acme',
    'GHCR.io/Acme',
    'localhost:5000',
    'localhost:30000/x',
    '127.0.0.1:5000/ns',
    'flyteorg',
    'docker.io/user',
    'ghcr.io/x:latest',
    '""',
    '~',
    'a_b.c-d:1/x.y-z',
  ).map((s) => ` ${s}\n`),
  packages: listOf(pkg, { bad: true }),
  conda_packages: listOf(pkg),
  conda_channels: listOf(str('conda-forge', 'pytorch', '"https://x.io/c"')),
  requirements: str('requirements.txt', 'requirements.txt', 'requirements.txt', 'missing.txt', '""').map((s) => ` ${s}\n`),
  apt_packages: listOf(str('curl', 'git', 'libgomp1', '"build-essential"'), { bad: true }),
  cuda: str('"12.1"', '12.1', '11', '12.10').map((s) => ` ${s}\n`),
  cudnn: str('"8"', '8', '8.9').map((s) => ` ${s}\n`),
  base_image: str('python:3.11-slim', '"ghcr.io/x/y@sha256:' + 'a'.repeat(64) + '"', 'debian:bookworm-slim', 'Python:3.11').map(
    (s) => ` ${s}\n`,
  ),
  platform: str('linux/amd64', 'linux/arm64', '"linux/amd64,linux/arm64"').map((s) => ` ${s}\n`),
  pip_index: str('https://pypi.org/simple', '"http://127.0.0.1:3141/simple"').map((s) => ` ${s}\n`),
  pip_extra_index_url: listOf(str('https://x.io/simple', '"https://u:p@y.io/s"')),
  pip_extra_args: str('--pre', '"--no-deps --pre"', "''").map((s) => ` ${s}\n`),
  registry_config: str('cfg.json', '"docker/config.json"').map((s) => ` ${s}\n`),
  entrypoint: listOf(str('/bin/bash', '-c', '"python -m app"')),
  commands: listOf(fc.oneof({ weight: 6, arbitrary: str('echo hi', '"pip list"', "'a && b'") }, { weight: 1, arbitrary: nestedScalar }), {
    bad: true,
  }),
  tag_format: fc.oneof(
    { weight: 3, arbitrary: tagFormat.map((t) => ` ${dq(t)}\n`) },
    { weight: 1, arbitrary: str(' "{spec_hash}-v1"\n', ' ""\n', ' v1\n', ' ~\n') },
  ),
  source_copy_mode: str('ALL', 'NO_COPY', 'LOADED_MODULES', 'all', '""', '1', 'false').map((s) => ` ${s}\n`),
  copy: fc.oneof(
    {
      weight: 8,
      arbitrary: listOf(str('src', 'data', 'a.txt', 'missing', 'src/pkg', 'data/x.txt', 'src/', './data', `"${CASE}/a.txt"`, '""', 'reqs')),
    },
    // flytekit hashes the characters of a bare string; the action refuses it (documented).
    { weight: 1, arbitrary: str(' a.txt\n') },
  ),
  python_exec: str('/usr/bin/python3', '"/opt/venv/bin/python"').map((s) => ` ${s}\n`),
  runtime_packages: listOf(str('pandas', 'requests')),
  builder_options: mapValue,
  builder_config: mapValue,
  // flytekit 1.16 has no such field: TypeError on both sides.
  secrets: str('x').map((s) => ` ${s}\n`),
};

/** How often each field is present, out of 100 specs (about six fields a spec). */
const PRESENCE: Record<string, number> = {
  secrets: 1,
  name: 90,
  builder_options: 10,
  builder_config: 10,
  env: 15,
  source_root: 35,
  copy: 30,
  requirements: 20,
};

const PATHS = [
  'src/app.py',
  'src/pkg/__init__.py',
  'src/pkg/mod.py',
  'src/.cache/x',
  'src/__pycache__/m.pyc',
  'src/x.pyc',
  'src/debug.log',
  'src/keep.log',
  'src/b/é.py',
  'src/😀.txt',
  'src/A.py',
  'src/a-b/x.py',
  'src/a.py',
  'src/build/out.txt',
  'src/node_modules/m.js',
  'data/x.txt',
  'data/sub1/y.txt',
  'data/sub2/z.txt',
  'data/sub2/deep/w.txt',
  'a.txt',
  'reqs/requirements.txt',
  'reqs/x',
];

const CONTENT = fc.oneof(
  str('', 'x', 'print(1)\n', 'numpy\npandas\n', '  numpy \r\n\n', '\ufeffnumpy', 'flytekit==1.16.24\n# c\n', 'é😀\n'),
  fc.string({ maxLength: 20 }),
);
const IGNORE_LINE = str(
  '*.log',
  '!keep.log',
  'pkg',
  '**/*.pyc',
  '# comment',
  '',
  ' data ',
  'src/*.py',
  '*.txt',
  '!src',
  '.dockerignore',
  'build/',
  '/A.py',
  'pkg/',
  'a-b',
  '*',
);

export const genSpec: fc.Arbitrary<GenSpec> = fc
  .record({
    fields: fc
      .tuple(
        fc.tuple(
          ...Object.entries(FIELD_VALUES).map(([k, arb]) => {
            const p = PRESENCE[k] ?? 18;
            return fc.oneof(
              { weight: 100 - p, arbitrary: fc.constant(undefined) },
              { weight: p, arbitrary: arb.map((v): [string, string] => [k, v]) },
            );
          }),
        ),
        // The file order must not matter (flytekit hashes in declaration order).
        fc.shuffledSubarray(Object.keys(FIELD_VALUES), { minLength: Object.keys(FIELD_VALUES).length }),
      )
      .map(([present, order]) => {
        const byKey = new Map(present.filter((x): x is [string, string] => x !== undefined));
        return order.filter((k) => byKey.has(k)).map((k): [string, string] => [k, byKey.get(k)!]);
      }),
    files: fc.dictionary(fc.constantFrom(...PATHS), CONTENT, { maxKeys: 8 }),
    ignores: fc.record({
      'src/.dockerignore': fc.option(fc.array(IGNORE_LINE, { maxLength: 4 }), { nil: undefined }),
      '.dockerignore': fc.option(fc.array(IGNORE_LINE, { maxLength: 3 }), { nil: undefined }),
      'src/.gitignore': fc.option(fc.array(IGNORE_LINE, { maxLength: 4 }), { nil: undefined }),
      '.gitignore': fc.option(fc.array(IGNORE_LINE, { maxLength: 3 }), { nil: undefined }),
    }),
    links: fc.dictionary(
      str('src/link.py', 'src/linkdir', 'src/broken', 'data/alias.txt'),
      str('app.py', 'pkg', 'nope', '../a.txt', 'x.txt', 'sub1'),
      { maxKeys: 2 },
    ),
    gitInit: fc.boolean(),
  })
  .map(({ fields, files, ignores, links, gitInit }) => {
    // Most specs name these; a missing one is a both-refuse case the generators still make (missing.txt).
    const all: Record<string, string> = { 'requirements.txt': 'numpy\n', 'a.txt': 'a', 'src/app.py': 'print(1)\n', ...files };
    for (const [p, lines] of Object.entries(ignores)) if (lines) all[p] = lines.join('\n') + '\n';
    return { fields, files: all, links, gitInit };
  });

export function specYaml(g: GenSpec, caseDir: string): string {
  return g.fields.map(([k, v]) => `${k}:${v.split(CASE).join(caseDir)}`).join('');
}

/** True when some directory holds two or more sub-directories: then flytekit's copy digest depends on the listing order. */
export function hasSiblingDirs(g: GenSpec): boolean {
  const children = new Map<string, Set<string>>();
  for (const p of Object.keys(g.files)) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length - 1; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(parts[i]);
    }
    if (parts.length > 1) {
      if (!children.has('')) children.set('', new Set());
      children.get('')!.add(parts[0]);
    }
  }
  return [...children.values()].some((s) => s.size > 1);
}

/** Lay the case out on disk: `<root>/case` (the working directory, also the repository) and `<root>/spec.yaml`. */
export function materialise(g: GenSpec): { root: string; caseDir: string; specFile: string; yaml: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-spec-'));
  const caseDir = path.join(root, 'case');
  fs.mkdirSync(caseDir);
  for (const [rel, text] of Object.entries(g.files)) {
    const p = path.join(caseDir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, 'utf8');
  }
  for (const [rel, target] of Object.entries(g.links)) {
    const p = path.join(caseDir, rel);
    if (fs.existsSync(p)) continue;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.symlinkSync(target, p);
  }
  if (g.gitInit) execFileSync('git', ['init', '-q'], { cwd: caseDir, env: { ...process.env, ...GIT_ENV } });
  const yaml = specYaml(g, caseDir);
  const specFile = path.join(root, 'spec.yaml');
  fs.writeFileSync(specFile, yaml, 'utf8');
  return { root, caseDir, specFile, yaml };
}
