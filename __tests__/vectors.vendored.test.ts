/**
 * The golden cases exist twice: `../shared/vectors/` beside the repository (the source, read-only)
 * and `__tests__/fixtures/shared/vectors/` inside it (for CI checkouts without `../shared`). The
 * copy must stay byte-identical; it is never edited, only re-copied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSharedDir, SHARED_DIR, SIBLING_SHARED_DIR, VECTORS_FILE, VENDORED_SHARED_DIR } from './support/vectors';

const sources = [process.env.IMAGESPEC_SHARED_DIR, SIBLING_SHARED_DIR]
  .filter((d): d is string => d !== undefined)
  .map((d) => path.join(d, VECTORS_FILE))
  .filter((f) => fs.existsSync(f));

test('the vendored golden cases are present and parse', () => {
  const cases = (JSON.parse(fs.readFileSync(path.join(VENDORED_SHARED_DIR, VECTORS_FILE), 'utf8')) as { cases: unknown[] }).cases;
  expect(cases.length).toBeGreaterThan(0);
});

test('the vendored golden cases are byte-identical to every other copy present', () => {
  const vendored = fs.readFileSync(path.join(VENDORED_SHARED_DIR, VECTORS_FILE));
  for (const f of sources) {
    // Compare bytes, not parsed JSON: the copy is a copy, not a re-serialisation.
    expect({ file: f, identical: Buffer.compare(fs.readFileSync(f), vendored) === 0 }).toEqual({ file: f, identical: true });
  }
});

test('the vectors are read from $IMAGESPEC_SHARED_DIR, else ../shared when present, else the vendored copy', () => {
  expect(resolveSharedDir({ IMAGESPEC_SHARED_DIR: '/elsewhere' }, () => true)).toBe('/elsewhere');
  expect(resolveSharedDir({}, () => true)).toBe(SIBLING_SHARED_DIR);
  expect(resolveSharedDir({}, () => false)).toBe(VENDORED_SHARED_DIR);
  expect(SHARED_DIR).toBe(resolveSharedDir(process.env));
});
