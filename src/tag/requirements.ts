import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { SpecError } from '../errors';
import { fileKind, realPathInsideRepo } from '../repo/files';

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
  try {
    return strippedSha1(absPath);
  } catch (e) {
    throw new SpecError(`cannot read the requirements file '${absPath}': ${(e as Error).message}`, {
      field: 'requirements',
    });
  }
}

const CHUNK = 1 << 16;

/**
 * sha1 of the file with leading and trailing ASCII whitespace left out, in constant memory: the end
 * of the content is found by reading backwards from the end, then the content is hashed in chunks.
 * A requirements file of hundreds of megabytes must not be held in memory.
 */
function strippedSha1(file: string): string {
  const hash = createHash('sha1');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = fs.openSync(file, 'r');
  try {
    // The size of the open file, not of the path: the two reads below see the same file.
    let end = fs.fstatSync(fd).size;
    let found = false;
    while (end > 0 && !found) {
      const from = Math.max(0, end - CHUNK);
      const n = readFully(fd, buf, end - from, from);
      let i = n;
      while (i > 0 && ASCII_WHITESPACE.has(buf[i - 1])) i--;
      found = i > 0;
      end = from + i;
    }
    let pos = 0;
    let started = false;
    while (pos < end) {
      const n = readFully(fd, buf, Math.min(CHUNK, end - pos), pos);
      if (n === 0) break;
      let i = 0;
      if (!started) {
        while (i < n && ASCII_WHITESPACE.has(buf[i])) i++;
        started = i < n;
      }
      hash.update(buf.subarray(i, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** `length` bytes at `position`, fewer only at the end of the file. */
function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
