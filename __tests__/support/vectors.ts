import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './runner';

/** The golden cases computed by flytekit's own code: read-only data beside the repository. */
export const SIBLING_SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');

/**
 * A byte-identical copy of the golden cases inside the repository, for checkouts that have no
 * `../shared` (a GitHub runner). `vectors.vendored.test.ts` fails when the two copies differ.
 */
export const VENDORED_SHARED_DIR = path.join(REPO_ROOT, '__tests__', 'fixtures', 'shared');

export const VECTORS_FILE = path.join('vectors', 'flytekit-tags.json');

/** `$IMAGESPEC_SHARED_DIR`, else `../shared` when it holds the vectors, else the vendored copy. */
export function resolveSharedDir(env: NodeJS.ProcessEnv, exists: (p: string) => boolean = fs.existsSync): string {
  if (env.IMAGESPEC_SHARED_DIR) return env.IMAGESPEC_SHARED_DIR;
  return exists(path.join(SIBLING_SHARED_DIR, VECTORS_FILE)) ? SIBLING_SHARED_DIR : VENDORED_SHARED_DIR;
}

export const SHARED_DIR = resolveSharedDir(process.env);

export interface VectorCase {
  id: string;
  input: 'yaml' | 'python';
  spec_yaml?: string;
  spec?: Record<string, unknown>;
  ops?: Array<[string, unknown]>;
  files?: Record<string, string>;
  git_init?: boolean;
  host_machine: string;
  expected_hash_input?: string;
  expected_spec_hash?: string;
  expected_tag?: string;
  expected_image_name?: string;
  expected_image_name_after_build?: string;
  expected_id?: string | null;
  expected_id_input?: string;
  expected_error?: string;
  expected_error_type?: string;
}

export function loadVectors(): VectorCase[] {
  const file = path.join(SHARED_DIR, VECTORS_FILE);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: VectorCase[] }).cases;
}

/** The git set-up the vectors were computed under: no user or system configuration. */
export const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/**
 * Lay a case out as the vectors' generator did: a fresh working directory holding exactly the
 * case's files, and the spec file outside it (so it never lands in a source_root digest).
 */
export function materialise(c: VectorCase): { root: string; caseDir: string; specFile: string; specYaml?: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `vec-${c.id}-`));
  const caseDir = path.join(root, 'case');
  fs.mkdirSync(caseDir);
  for (const [rel, text] of Object.entries(c.files ?? {})) {
    const p = path.join(caseDir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text, 'utf8');
  }
  if (c.git_init) {
    execFileSync('git', ['init', '-q'], { cwd: caseDir, env: { ...process.env, ...GIT_ENV } });
  }
  const specYaml = c.spec_yaml?.split('${CASE_DIR}').join(caseDir);
  const specDir = path.join(root, 'spec');
  fs.mkdirSync(specDir);
  const specFile = path.join(specDir, `${c.id}.yaml`);
  if (specYaml !== undefined) fs.writeFileSync(specFile, specYaml, 'utf8');
  return { root, caseDir, specFile, specYaml };
}

export function subst(s: string | undefined, caseDir: string): string | undefined {
  return s?.split('${CASE_DIR}').join(caseDir);
}
