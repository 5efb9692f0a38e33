import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { SpecError } from '../errors';
import { fileKind, realPathInsideRepo } from './repoFiles';

/** Python's `bytes.strip()` removes exactly these; a UTF-8 BOM or a no-break space is content. */
const ASCII_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

export function stripAsciiWhitespace(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && ASCII_WHITESPACE.has(bytes[start])) start++;
  while (end > start && ASCII_WHITESPACE.has(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

/**
 * flytekit's `sha1(Path(requirements).read_bytes().strip()).hexdigest()`, which replaces the path in
 * the tag hash: only the content counts, so moving the file keeps the tag.
 *
 * With `repoRoot`, the file must really be inside the repository and a regular file: flytekit would
 * follow a link to anywhere (and the build would copy that file's lines into the image) and would
 * block reading a FIFO. Found by the hostile-input tests (`requirements: r.txt`, r.txt → /outside).
 */
export function requirementsDigest(absPath: string, repoRoot?: string, shown: string = absPath): string {
  if (repoRoot !== undefined) {
    const kind = fileKind(absPath);
    if (kind === 'special') {
      throw new SpecError(`the requirements file '${shown}' is not a regular file`, { field: 'requirements' });
    }
    // A missing file keeps its "cannot read" error below, as flytekit's FileNotFoundError.
    if (kind !== 'missing') realPathInsideRepo(absPath, repoRoot, 'requirements', shown);
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(absPath);
  } catch (e) {
    throw new SpecError(`cannot read the requirements file '${absPath}': ${(e as Error).message}`, {
      field: 'requirements',
    });
  }
  return createHash('sha1').update(stripAsciiWhitespace(bytes)).digest('hex');
}
