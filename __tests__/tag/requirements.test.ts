import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import fc from 'fast-check';
import { SpecError } from '../../src/errors';
import { requirementsDigest, stripAsciiWhitespace } from '../../src/tag/requirements';
import { makeTree, removeTree } from './tree';

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('stripAsciiWhitespace (Python bytes.strip())', () => {
  test.each([
    [' \t\n\r\x0b\x0cx y\x0c\x0b\r\n\t ', 'x y'],
    ['\xef\xbb\xbfnumpy\n', '\xef\xbb\xbfnumpy'],
    ['\xa0numpy\xa0', '\xa0numpy\xa0'],
    ['\x1cnumpy\x85', '\x1cnumpy\x85'],
    ['a\r\nb\r\n', 'a\r\nb'],
    [' \n\t ', ''],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(Buffer.from(stripAsciiWhitespace(bytes(input))).toString('latin1')).toBe(expected);
  });
});

describe('requirementsDigest', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTree({
      files: {
        'a.txt': 'numpy==1.26.4\npandas\n',
        'b.txt': '\n\n  numpy==1.26.4\npandas\n\n\t \n',
        'crlf.txt': 'numpy==1.26.4\r\npandas\r\n',
        'bom.txt': '\ufeffnumpy==1.26.4\npandas\n',
      },
    });
  });
  afterAll(() => removeTree(dir));

  test('sha1 of the stripped content', () => {
    expect(requirementsDigest(path.join(dir, 'a.txt'))).toBe('371d12780af46971acd559aeceb9604776ce4e0b');
    expect(requirementsDigest(path.join(dir, 'b.txt'))).toBe('371d12780af46971acd559aeceb9604776ce4e0b');
  });

  test('interior \\r and a BOM are content', () => {
    expect(requirementsDigest(path.join(dir, 'crlf.txt'))).toBe(sha1(Buffer.from('numpy==1.26.4\r\npandas')));
    expect(requirementsDigest(path.join(dir, 'bom.txt'))).toBe('d94969317c624cbe789a8947856094cd51249d24');
  });

  test('a missing file is a SpecError on requirements', () => {
    const missing = path.join(dir, 'nope.txt');
    expect(fs.existsSync(missing)).toBe(false);
    expect(() => requirementsDigest(missing)).toThrow(SpecError);
    try {
      requirementsDigest(missing);
    } catch (e) {
      expect((e as SpecError).field).toBe('requirements');
    }
  });
});

describe('requirementsDigest reads in chunks: the same digest as stripping the whole file', () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'req-chunks-'));
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
  const space = fc.constantFrom(0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c);
  // Whitespace runs around and across the 64 KiB read size, content that is whitespace inside.
  const run = fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 10 }),
    fc.integer({ min: 65_530, max: 65_540 }),
    fc.integer({ min: 130_000, max: 140_000 }),
  );
  const fileBytes = fc
    .tuple(run, space, fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 140_000 }), run, space)
    .map(([lead, ls, content, filler, trail, ts]) =>
      Buffer.concat([
        Buffer.alloc(lead, ls),
        Buffer.from(content),
        Buffer.alloc(filler, 0x61),
        Buffer.from(content),
        Buffer.alloc(trail, ts),
      ]),
    );

  it('for generated files', () => {
    fc.assert(
      fc.property(fileBytes, (bytes) => {
        const f = path.join(ws, 'r.txt');
        fs.writeFileSync(f, bytes);
        expect(requirementsDigest(f)).toBe(sha1(Buffer.from(stripAsciiWhitespace(bytes))));
      }),
      { numRuns: 60 },
    );
  });
});
