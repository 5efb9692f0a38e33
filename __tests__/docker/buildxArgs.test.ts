import { buildxArgs, cacheArgs, cacheTag, csvAttrs, type BuildxOptions } from '../../src/docker/buildxArgs';
import { InputError } from '../../src/errors';

const base: BuildxOptions = {
  platform: 'linux/amd64',
  tag: 'ghcr.io/org/app:abc123',
  push: true,
  cache: 'none',
  contextDir: '/tmp/ctx',
};

describe('buildxArgs', () => {
  test('minimal push build', () => {
    expect(buildxArgs(base)).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/amd64',
      '--tag',
      'ghcr.io/org/app:abc123',
      '--push',
      '--provenance=false',
      '--file',
      '/tmp/ctx/Dockerfile',
      '/tmp/ctx',
    ]);
  });

  test('everything set, gha cache', () => {
    expect(
      buildxArgs({
        ...base,
        builder: 'imagespec',
        platform: 'linux/amd64,linux/arm64',
        metadataFile: '/tmp/meta.json',
        secrets: [
          { id: 'secret_0', src: '/tmp/netrc' },
          { id: 'token', env: 'PIP_TOKEN' },
        ],
        buildArgs: [['A', 'x y']],
        cache: 'gha',
        cacheKey: 'ghcr.io/org/app',
        dockerfile: '/tmp/other/Dockerfile',
      }),
    ).toEqual([
      'buildx',
      'build',
      '--builder',
      'imagespec',
      '--platform',
      'linux/amd64,linux/arm64',
      '--tag',
      'ghcr.io/org/app:abc123',
      '--push',
      '--metadata-file',
      '/tmp/meta.json',
      '--provenance=false',
      '--secret',
      'id=secret_0,src=/tmp/netrc',
      '--secret',
      'id=token,env=PIP_TOKEN',
      '--build-arg',
      'A=x y',
      '--cache-from',
      'type=gha,scope=ghcr.io/org/app',
      '--cache-to',
      'type=gha,scope=ghcr.io/org/app,mode=max,ignore-error=true',
      '--file',
      '/tmp/other/Dockerfile',
      '/tmp/ctx',
    ]);
  });

  test.each<[Partial<BuildxOptions>, string[]]>([
    [{ push: false }, ['--output', 'type=cacheonly']],
    [{ push: false, load: true }, ['--load']],
    [{ push: true, load: true }, ['--push']],
    [{ push: false, output: 'type=oci,dest=/tmp/l,tar=false' }, ['--output', 'type=oci,dest=/tmp/l,tar=false']],
    [{ push: true, output: 'type=oci,dest=/tmp/l,tar=false' }, ['--push']],
  ])('output mode %j', (over, expected) => {
    const args = buildxArgs({ ...base, ...over });
    const i = args.indexOf('--tag') + 2;
    expect(args.slice(i, i + expected.length)).toEqual(expected);
    expect(args.filter((a) => a === '--push' || a === '--load' || a === '--output')).toHaveLength(1);
  });

  test('a compression level: the push becomes a registry output at that gzip level, and the layer cache uses it too', () => {
    const args = buildxArgs({ ...base, compressionLevel: 1, cache: 'gha', cacheKey: 'app' });
    const i = args.indexOf('--tag') + 2;
    expect(args.slice(i, i + 2)).toEqual(['--output', 'type=registry,compression=gzip,compression-level=1']);
    expect(args).not.toContain('--push');
    expect(args[args.indexOf('--cache-to') + 1]).toBe('type=gha,scope=app,mode=max,ignore-error=true,compression=gzip,compression-level=1');
    const registry = cacheArgs('registry', 'app', 'ghcr.io/o/c', 9);
    expect(registry[3]).toMatch(/,ignore-error=true,compression=gzip,compression-level=9$/);
    // Not pushing: the level still reaches the cache export, the only thing compressed then.
    const local = buildxArgs({ ...base, push: false, compressionLevel: 0, cache: 'gha', cacheKey: 'app' });
    expect(local.slice(i, i + 2)).toEqual(['--output', 'type=cacheonly']);
    expect(local[local.indexOf('--cache-to') + 1]).toMatch(/,compression-level=0$/);
    for (const bad of [-1, 10, 1.5, NaN]) expect(() => buildxArgs({ ...base, compressionLevel: bad })).toThrow(InputError);
  });

  test('named build contexts follow the output', () => {
    const args = buildxArgs({ ...base, push: false, buildContexts: [['127.0.0.1:5000/a/base:T', 'oci-layout:///tmp/l/base@sha256:ab']] });
    const i = args.indexOf('--build-context');
    expect(args.slice(i - 2, i + 2)).toEqual([
      '--output',
      'type=cacheonly',
      '--build-context',
      '127.0.0.1:5000/a/base:T=oci-layout:///tmp/l/base@sha256:ab',
    ]);
  });

  test.each<[BuildxOptions['provenance'], string]>([
    [undefined, '--provenance=false'],
    [false, '--provenance=false'],
    [true, '--provenance=true'],
    ['mode=max', '--provenance=mode=max'],
  ])('provenance %j', (p, flag) => {
    expect(buildxArgs({ ...base, provenance: p })).toContain(flag);
  });

  test('context is last, and a context starting with - is not an option', () => {
    const args = buildxArgs({ ...base, contextDir: '-ctx' });
    expect(args[args.length - 1]).toBe('./-ctx');
    expect(args[args.length - 2]).toBe('-ctx/Dockerfile');
  });

  test('a secret needs exactly one source', () => {
    expect(() => buildxArgs({ ...base, secrets: [{ id: 'a' }] })).toThrow(InputError);
    expect(() => buildxArgs({ ...base, secrets: [{ id: 'a', src: 'x', env: 'Y' }] })).toThrow(InputError);
  });

  test('a secret path with a comma is CSV-quoted', () => {
    const args = buildxArgs({ ...base, secrets: [{ id: 's', src: '/tmp/a,b' }] });
    expect(args[args.indexOf('--secret') + 1]).toBe('id=s,"src=/tmp/a,b"');
  });

  test('build-arg names are validated', () => {
    expect(() => buildxArgs({ ...base, buildArgs: [['A B', 'x']] })).toThrow(InputError);
  });

  test('is pure: same input, same output, input untouched', () => {
    const opts: BuildxOptions = { ...base, secrets: [{ id: 's', src: 'x' }], cache: 'gha', cacheKey: 'k' };
    const copy = JSON.parse(JSON.stringify(opts)) as BuildxOptions;
    expect(buildxArgs(opts)).toEqual(buildxArgs(opts));
    expect(opts).toEqual(copy);
  });
});

describe('cache arguments', () => {
  test('none', () => expect(cacheArgs('none')).toEqual([]));

  test('gha: one scope per image key', () => {
    expect(cacheArgs('gha', 'img')).toEqual([
      '--cache-from',
      'type=gha,scope=img',
      '--cache-to',
      'type=gha,scope=img,mode=max,ignore-error=true',
    ]);
  });

  test('registry: <cache-ref>:<key>, OCI image manifest', () => {
    expect(cacheArgs('registry', 'ghcr.io/org/app', 'ghcr.io/org/buildcache')).toEqual([
      '--cache-from',
      'type=registry,ref=ghcr.io/org/buildcache:ghcr.io-org-app',
      '--cache-to',
      'type=registry,ref=ghcr.io/org/buildcache:ghcr.io-org-app,mode=max,image-manifest=true,oci-mediatypes=true,ignore-error=true',
    ]);
  });

  test('registry needs a repository without tag', () => {
    expect(() => cacheArgs('registry', 'k')).toThrow(InputError);
    expect(() => cacheArgs('registry', 'k', 'ghcr.io/org/cache:latest')).toThrow(InputError);
    expect(() => cacheArgs('registry', 'k', 'ghcr.io/org/cache@sha256:' + 'a'.repeat(64))).toThrow(InputError);
  });

  test('gha and registry need a key', () => {
    expect(() => cacheArgs('gha')).toThrow(InputError);
    expect(() => cacheArgs('registry', '', 'ghcr.io/org/cache')).toThrow(InputError);
  });

  test('a scope with a comma stays one attribute', () => {
    expect(cacheArgs('gha', 'a,b')[1]).toBe('type=gha,"scope=a,b"');
  });

  test.each<[string, string]>([
    ['ghcr.io/org/app', 'ghcr.io-org-app'],
    ['app:tag', 'app-tag'],
    ['.hidden', '_.hidden'],
    ['x'.repeat(200), 'x'.repeat(128)],
  ])('cacheTag(%j) = %j', (key, tag) => {
    expect(cacheTag(key)).toBe(tag);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
  });

  test('csvAttrs doubles quotes inside a quoted field', () => {
    expect(csvAttrs([['a', 'x"y,z']])).toBe('"a=x""y,z"');
    expect(
      csvAttrs([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe('a=b,c=d');
  });
});
