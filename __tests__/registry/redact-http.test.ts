import { classifyError, InsecureRegistries, isLoopbackHost, plainHttpAllowed, Transport } from '../../src/registry/http';
import { isNotFoundAnswer } from '../../src/registry/check';
import { Redactor } from '../../src/registry/redact';

describe('Redactor', () => {
  test('registered secrets and their encoded forms are replaced and handed to setSecret', () => {
    const seen: string[] = [];
    const r = new Redactor((s) => seen.push(s));
    r.add('pa ss/"word"');
    r.add(undefined);
    r.add('   ');
    expect(seen).toEqual(['pa ss/"word"', encodeURIComponent('pa ss/"word"'), 'pa ss/\\"word\\"']);
    expect(r.redact('plain pa ss/"word" url pa%20ss%2F%22word%22 json "pa ss/\\"word\\""')).toBe('plain *** url *** json "***"');
    r.add('pa ss/"word"'); // idempotent
    expect(seen).toHaveLength(3);
  });

  test('longest secret first, so a secret containing another is fully hidden', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('abcdef');
    expect(r.redact('x abcdef y abc')).toBe('x *** y ***');
  });

  test('generic shapes: Authorization values, JWTs, token fields, query parameters', () => {
    const r = new Redactor();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    expect(r.redact('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer ***');
    expect(r.redact('got Basic dXNlcjpwYXNz back')).toBe('got Basic *** back');
    expect(r.redact(`token ${jwt} end`)).toBe('token *** end');
    expect(r.redact('{"token":"t0k","access_token":"a\\"b","refresh_token":"r","other":"keep"}')).toBe(
      '{"token":"***","access_token":"***","refresh_token":"***","other":"keep"}',
    );
    expect(r.redact('/token?service=s&password=hunter2&scope=x')).toBe('/token?service=s&password=***&scope=x');
  });
});

describe('transport policy', () => {
  test.each([
    ['localhost:5000', true],
    ['localhost', true],
    ['reg.localhost:80', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['128.0.0.1:5000', false],
    ['ghcr.io', false],
    ['localhost.example.com', false],
  ])('isLoopbackHost(%s) = %s', (h, want) => expect(isLoopbackHost(h)).toBe(want));

  test('insecure-registries: host, host:port; separators; nothing else', () => {
    for (const bad of ['http://other.internal', '10.1.0.0/16', '*', 'a/b', '$(x)'])
      expect(() => new InsecureRegistries(bad)).toThrow('is not host or host:port');
    const list = new InsecureRegistries('reg.internal:5000, other.internal\n10.1.200.3  [fd00::1]:5000');
    expect(list.has('reg.internal:5000')).toBe(true);
    expect(list.has('reg.internal:5001')).toBe(false);
    expect(list.has('reg.internal')).toBe(false);
    expect(list.has('other.internal')).toBe(true);
    expect(list.has('other.internal:8080')).toBe(true);
    expect(list.has('10.1.200.3:5000')).toBe(true);
    expect(list.has('10.1.200.4:5000')).toBe(false);
    expect(list.has('[fd00::1]:5000')).toBe(true);
    expect(new InsecureRegistries(['a.io', 'b.io:1']).has('b.io:1')).toBe(true);
    expect(plainHttpAllowed('ghcr.io', list)).toBe(false);
    expect(plainHttpAllowed('127.0.0.1:9', list)).toBe(true);
  });

  test('plain HTTP to a non-loopback host outside the list is refused before connecting', async () => {
    const t = new Transport({ timeoutMs: 1000, maxSockets: 1, insecure: new InsecureRegistries('allowed.invalid') });
    try {
      await expect(t.send({ method: 'GET', url: new URL('http://registry.invalid/v2/') })).rejects.toMatchObject({
        kind: 'insecure',
        message: expect.stringMatching(/refusing plain HTTP to registry\.invalid/),
      });
      expect(() => t.assertAllowed(new URL('http://allowed.invalid/v2/'))).not.toThrow();
      expect(() => t.assertAllowed(new URL('https://registry.invalid/v2/'))).not.toThrow();
      expect(() => t.assertAllowed(new URL('ftp://registry.invalid/'))).toThrow(/unsupported URL scheme/);
    } finally {
      t.close();
    }
  });

  test('classifyError', () => {
    const u = new URL('https://r.example:5443/v2/');
    const e = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(classifyError(e('ECONNREFUSED'), u)).toMatchObject({ kind: 'refused', retryable: true });
    expect(classifyError(e('ECONNRESET'), u)).toMatchObject({ kind: 'reset', retryable: true });
    expect(classifyError(e('ETIMEDOUT'), u)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyError(e('ENOTFOUND'), u)).toMatchObject({ kind: 'dns', retryable: false });
    expect(classifyError(e('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), u)).toMatchObject({
      kind: 'tls',
      retryable: false,
      message: expect.stringMatching(/TLS error from https:\/\/r\.example:5443: self-signed certificate .*NODE_EXTRA_CA_CERTS/),
    });
    expect(classifyError(e('ERR_TLS_CERT_ALTNAME_INVALID'), u).kind).toBe('tls');
    expect(
      classifyError(e('EPROTO', 'write EPROTO 80DC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/x.c:350:'), u),
    ).toMatchObject({ kind: 'protocol', message: 'TLS handshake with https://r.example:5443 failed (EPROTO): wrong version number' });
  });
});

describe('isNotFoundAnswer (what counts as "missing")', () => {
  const j = (o: unknown) => Buffer.from(JSON.stringify(o));
  test.each([
    [404, '', true],
    [404, j({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }), true],
    [404, j({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }), true],
    [404, j({ errors: [{ code: 'NOT_FOUND', message: 'artifact x:y not found' }] }), true], // Harbor
    [404, j({ errors: [{ code: 'DENIED', message: 'no' }] }), false],
    [500, j({ errors: [{ code: 'UNKNOWN', message: 'unknown: artifact library/app:abc not found' }] }), true], // Harbor
    [500, j({ errors: [{ code: 'UNKNOWN', message: 'unknown: repository library/app not found' }] }), true], // Harbor
    [500, 'unknown: repository library/app not found', true],
    [500, j({ errors: [{ code: 'UNKNOWN', message: 'database connection lost' }] }), false],
    [500, 'internal error: file not found on disk', false],
    [503, '', false],
    [401, j({ errors: [{ code: 'UNAUTHORIZED' }] }), false],
    [400, j({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }), true],
  ])('%d %s → %s', (status, body, want) => expect(isNotFoundAnswer(status, Buffer.from(body))).toBe(want));
});
