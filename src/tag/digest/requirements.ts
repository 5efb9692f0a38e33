import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ASCII_WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

/** Python `bytes.strip()`: ASCII whitespace only, so a BOM or a non-breaking space is kept. */
export function stripAsciiWhitespace(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && ASCII_WS.has(b[s])) s++;
  while (e > s && ASCII_WS.has(b[e - 1])) e--;
  return b.subarray(s, e);
}

/** sha1 of the requirements (or uv.lock / poetry.lock) file, as flytekit substitutes it into the hash. */
export function requirementsDigest(file: string, cwd: string): string {
  return createHash('sha1').update(stripAsciiWhitespace(fs.readFileSync(path.resolve(cwd, file)))).digest('hex');
}
