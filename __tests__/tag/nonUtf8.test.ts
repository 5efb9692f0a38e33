/**
 * Issue 11, item 15: file names that are not UTF-8. Python's os.walk decodes them with
 * surrogateescape and flytekit applies its ignore rules to those strings; only a file it keeps has its
 * name UTF-8 encoded for the digest, which fails. The differential test compares with flytekit itself.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../../src/errors';
import { decodeSurrogateEscape, osPath } from '../../src/tag/pyWalk';
import { listCopyFiles } from '../../src/tag/copyDigest';
import { listSourceFiles } from '../../src/tag/sourceRoot';

// What Python 3.11 gives for bytes.decode('utf-8', 'surrogateescape').
test.each([
  [[0x61, 0xe9, 0x2e, 0x70, 0x79], 'a\udce9.py'],
  [[0xc3, 0xa9], 'é'],
  [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'],
  [[0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'],
  [[0xe2, 0x82, 0x41], '\udce2\udc82A'],
  [[0xc0, 0xaf], '\udcc0\udcaf'],
  [[0xf0, 0x9f, 0x98, 0x80, 0xff], '\u{1f600}\udcff'],
])('decodes %j as Python does', (bytes, want) => {
  expect(decodeSurrogateEscape(Buffer.from(bytes))).toBe(want);
});

test('osPath gives back the original bytes', () => {
  expect(osPath('x/a\udce9.py', '/w')).toEqual(Buffer.from([...Buffer.from('/w/x/a'), 0xe9, ...Buffer.from('.py')]));
  expect(osPath('x/é', '/w')).toBe('/w/x/é');
});

describe('a source_root holding names that are not UTF-8', () => {
  let ws: string;
  const put = (rel: Buffer | string, text = 'x\n') => {
    const p = Buffer.concat([Buffer.from(ws + '/'), Buffer.from(rel)]);
    fs.mkdirSync(p.subarray(0, p.lastIndexOf(0x2f)), { recursive: true });
    fs.writeFileSync(p, text);
  };
  const bad = (prefix: string, suffix: string) => Buffer.concat([Buffer.from(prefix), Buffer.of(0xe9), Buffer.from(suffix)]);

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'non-utf8-'));
    put('src/app.py', 'print(1)\n');
    put('src/.dockerignore', '*.log\nsrc/logs\n');
  });
  afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

  const digest = (root = 'src') => listSourceFiles(root, ws, 'all', ws).digest;

  it('ignored ones change nothing: __pycache__, *.pyc, a directory named in .dockerignore', () => {
    const clean = digest();
    put(bad('src/__pycache__/', '.pyc'));
    put(bad('src/', '.pyc'));
    put(bad('src/', '/__pycache__/m.pyc'));
    put(bad('src/logs/', ''));
    expect(digest()).toBe(clean);
  });

  it('one the rules keep is refused, named as Python prints it', () => {
    put(bad('src/', '.py'));
    expect(() => digest()).toThrow(SpecError);
    expect(() => digest()).toThrow(/the file name 'src\/\\udce9\.py' is not valid UTF-8/);
  });

  it('one inside a directory that is not UTF-8 is refused too, unless ignored', () => {
    put(bad('src/', '/m.pyc'));
    expect(() => digest()).not.toThrow();
    put(bad('src/', '/m.py'));
    expect(() => digest()).toThrow(/'src\/\\udce9\/m\.py' is not valid UTF-8/);
  });

  it('copy applies no ignore rules: refused', () => {
    put(bad('data/', '.pyc'));
    expect(() => listCopyFiles(['data'], ws, ws)).toThrow(/not valid UTF-8/);
  });
});

test('a name starting with U+FEFF keeps it, as Python does (TextDecoder would drop it)', () => {
  expect(decodeSurrogateEscape(Buffer.from('\ufeffa.py'))).toBe('\ufeffa.py');
  expect(decodeSurrogateEscape(Buffer.from([0xef, 0xbb, 0xbf, 0xe9]))).toBe('\ufeff\udce9');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bom-name-'));
  try {
    fs.mkdirSync(path.join(ws, 'src'));
    fs.writeFileSync(path.join(ws, 'src', '\ufeff.txt'), 'x\n');
    expect(listSourceFiles('src', ws, 'all', ws).files.map((f) => f.rel)).toEqual(['\ufeff.txt']);
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
