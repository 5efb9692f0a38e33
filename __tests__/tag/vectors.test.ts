import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyDigest, listCopyFiles } from '../../src/tag/copyDigest';
import { systemGit } from '../../src/tag/ignore/gitignore';
import { requirementsDigest } from '../../src/tag/requirements';
import { listSourceFiles, SourceCopyMode } from '../../src/tag/sourceRoot';
import { loadVectors, VectorCase } from '../support/vectors';
import { GIT_ENV, makeTree, removeTree } from './tree';

/** What the vectors record about each digest's inputs, in hashing order. */
interface DigestInput {
  content_of: string;
  path_arg: string;
  path_bytes_hashed: string;
}

type FileCase = VectorCase & {
  files: Record<string, string>;
  source_root_digest_inputs?: DigestInput[];
  copy_digest_inputs?: DigestInput[];
};

const CASES = loadVectors().filter((c): c is FileCase => c.files !== undefined);

/** The value the vector's hash input holds for `field`: the digest flytekit substituted for the path. */
function hashed(c: FileCase, field: string, hexLength: number): string | undefined {
  const m = new RegExp(`'${field}': '([0-9a-f]{${hexLength}})'`).exec(c.expected_hash_input ?? '');
  return m?.[1];
}

/** flytekit's `ls_files` branch: LOADED_MODULES only as the enum (Python input) or by default. */
function modeOf(c: FileCase): SourceCopyMode | 'no-copy' {
  const mode = c.spec?.source_copy_mode;
  if (mode === undefined) return 'loaded-modules';
  if (c.input === 'python') return mode === 'NO_COPY' ? 'no-copy' : mode === 'LOADED_MODULES' ? 'loaded-modules' : 'all';
  return 'all';
}

const subst = (s: string, dir: string) => s.split('${CASE_DIR}').join(dir);

function withCase(c: FileCase, body: (dir: string) => void): void {
  const dir = makeTree({ files: c.files, git: c.git_init ? { add: [] } : undefined });
  try {
    body(dir);
  } finally {
    removeTree(dir);
  }
}

test('the vectors with files cover requirements, source_root and copy', () => {
  const ids = CASES.map((c) => c.id);
  expect(ids.filter((id) => id.startsWith('requirements-')).length).toBeGreaterThanOrEqual(5);
  expect(ids.filter((id) => id.startsWith('source-root-')).length).toBeGreaterThanOrEqual(8);
  expect(ids.filter((id) => id.startsWith('copy-')).length).toBeGreaterThanOrEqual(3);
});

describe('requirements digests of the golden vectors', () => {
  const cases = CASES.filter((c) => hashed(c, 'requirements', 40) !== undefined);
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    withCase(c, (dir) => {
      const file = path.resolve(dir, String(c.spec?.requirements));
      expect(requirementsDigest(file)).toBe(hashed(c, 'requirements', 40));
    });
  });
});

describe('source_root digests of the golden vectors', () => {
  const cases = CASES.filter((c) => c.spec?.source_root !== undefined);
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    withCase(c, (dir) => {
      const mode = modeOf(c);
      const expected = hashed(c, 'source_root', 32);
      if (mode === 'no-copy') {
        // NO_COPY hashes the raw path; there is no digest to compute.
        expect(expected).toBeUndefined();
        return;
      }
      const root = subst(String(c.spec?.source_root), dir);
      const listing = listSourceFiles(root, dir, mode, dir, { runGit: systemGit(GIT_ENV) });
      expect(listing.digest).toBe(expected);
      const inputs = c.source_root_digest_inputs ?? [];
      expect(listing.files.map((f) => f.rel)).toEqual(inputs.map((i) => i.path_arg));
      expect(listing.files.map((f) => path.relative(dir, f.realPath))).toEqual(inputs.map((i) => i.content_of));
      expect(listing.files.map((f) => f.rel.split('/').join(''))).toEqual(inputs.map((i) => i.path_bytes_hashed));
    });
  });
});

describe('copy digests of the golden vectors', () => {
  const cases = CASES.filter((c) => hashed(c, 'copy', 32) !== undefined);
  test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    withCase(c, (dir) => {
      const entries = (c.spec?.copy as string[]).map((e) => subst(e, dir));
      expect(copyDigest(entries, dir, dir)).toBe(hashed(c, 'copy', 32));
      const files = listCopyFiles(entries, dir, dir).entries.flatMap((e) => e.files);
      const inputs = c.copy_digest_inputs ?? [];
      expect(files.map((f) => f.rel)).toEqual(inputs.map((i) => i.path_arg));
      expect(files.map((f) => path.relative(dir, f.realPath))).toEqual(inputs.map((i) => i.content_of));
    });
  });
});

test('case directories hold exactly the vector files', () => {
  const c = CASES.find((x) => x.id === 'source-root-dot-all');
  expect(c).toBeDefined();
  withCase(c as FileCase, (dir) => {
    expect(fs.readdirSync(dir).sort()).toEqual(['.cache', '.dockerignore', 'README.md', 'app.py', 'sub']);
  });
});
