import { formatReference, hasExplicitRegistry, InvalidReferenceError, manifestReference, parseReference } from '../../src/registry';

describe('parseReference (Docker normalisation rules)', () => {
  test.each([
    // input, registry, apiHost, repository, tag, digest, explicit
    ['ubuntu', 'docker.io', 'registry-1.docker.io', 'library/ubuntu', undefined, undefined, false],
    ['ubuntu:22.04', 'docker.io', 'registry-1.docker.io', 'library/ubuntu', '22.04', undefined, false],
    ['flyteorg/flytekit:py3.11', 'docker.io', 'registry-1.docker.io', 'flyteorg/flytekit', 'py3.11', undefined, false],
    ['docker.io/ubuntu:1', 'docker.io', 'registry-1.docker.io', 'library/ubuntu', '1', undefined, true],
    ['docker.io/org/app:1', 'docker.io', 'registry-1.docker.io', 'org/app', '1', undefined, true],
    ['index.docker.io/ubuntu:1', 'docker.io', 'registry-1.docker.io', 'library/ubuntu', '1', undefined, true],
    ['ghcr.io/org/team/app:abc_DEF-1', 'ghcr.io', 'ghcr.io', 'org/team/app', 'abc_DEF-1', undefined, true],
    ['localhost:5000/app:t', 'localhost:5000', 'localhost:5000', 'app', 't', undefined, true],
    ['localhost/app:t', 'localhost', 'localhost', 'app', 't', undefined, true],
    ['127.0.0.1:5000/a/b/c/d:t', '127.0.0.1:5000', '127.0.0.1:5000', 'a/b/c/d', 't', undefined, true],
    ['[::1]:5000/app:t', '[::1]:5000', '[::1]:5000', 'app', 't', undefined, true],
    ['myhost:443/app', 'myhost:443', 'myhost:443', 'app', undefined, undefined, true],
    ['Registry/app:1', 'Registry', 'Registry', 'app', '1', undefined, true], // upper case first component → host
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/a.b__c-d:t',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      'a.b__c-d',
      't',
      undefined,
      true,
    ],
    [`ghcr.io/o/app@sha256:${'a'.repeat(64)}`, 'ghcr.io', 'ghcr.io', 'o/app', undefined, `sha256:${'a'.repeat(64)}`, true],
    [`ghcr.io/o/app:v1@sha256:${'b'.repeat(64)}`, 'ghcr.io', 'ghcr.io', 'o/app', 'v1', `sha256:${'b'.repeat(64)}`, true],
  ])('%s', (input, registry, apiHost, repository, tag, digest, explicit) => {
    const r = parseReference(input);
    expect(r).toEqual({ original: input, registry, apiHost, repository, tag, digest, explicitRegistry: explicit });
  });

  test.each([
    ['', /empty/],
    ['ghcr.io/Org/app:1', /lowercase/],
    ['ghcr.io/app:bad!tag', /invalid tag/],
    [`ghcr.io/app:${'x'.repeat(129)}`, /invalid tag/],
    ['ghcr.io/app@sha256:short', /invalid digest/],
    ['ghcr.io//app:1', /invalid repository path component/],
    ['ghcr.io/-app:1', /invalid repository path component/],
    ['ghcr.io/', /missing repository/],
    ['https://ghcr.io/app:1', /URL scheme/],
    ['ghcr.io/a b:1', /whitespace/],
    ['bad_host.io:99999/app:1', /invalid (registry host|port)/],
    ['host:99999/app:1', /invalid port/],
  ])('rejects %j', (input, re) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(re);
  });

  test('manifestReference and formatReference', () => {
    expect(manifestReference(parseReference('ghcr.io/o/a'))).toBe('latest');
    expect(manifestReference(parseReference('ghcr.io/o/a:t'))).toBe('t');
    const d = `sha256:${'c'.repeat(64)}`;
    expect(manifestReference(parseReference(`ghcr.io/o/a:t@${d}`))).toBe(d);
    expect(formatReference(parseReference('ubuntu'))).toBe('docker.io/library/ubuntu:latest');
    expect(formatReference(parseReference(`ghcr.io/o/a@${d}`))).toBe(`ghcr.io/o/a@${d}`);
  });
});

describe('hasExplicitRegistry', () => {
  test.each([
    ['ghcr.io/o/a:t', true],
    ['localhost/a', true],
    ['localhost:5000/a:t', true],
    ['127.0.0.1:5000/a', true],
    ['docker.io/library/ubuntu', true],
    ['Foo/bar', true],
    ['flyteorg/flytekit:1', false],
    ['ubuntu:22.04', false],
    ['localhost:5000', false], // one component: the image "localhost" with tag 5000
    ['myimage', false],
  ])('%s → %s', (name, want) => expect(hasExplicitRegistry(name)).toBe(want));
});
