import { Authenticator, AuthFetch, parseChallenges } from '../../src/registry/auth';
import { HttpResponse } from '../../src/registry/http';
import { Redactor } from '../../src/registry/redact';
import { fakeClock } from './support/infra';

describe('parseChallenges', () => {
  test('Docker Hub style Bearer', () => {
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' },
      },
    ]);
  });

  test('scope with several actions (a comma inside quotes), spaces, case', () => {
    expect(parseChallenges('BEARER  Realm = "https://r/t" , Service="s", scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://r/t', service: 's', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  test('Basic, unquoted values, escapes', () => {
    expect(parseChallenges('Basic realm=Registry')).toEqual([{ scheme: 'basic', params: { realm: 'Registry' } }]);
    expect(parseChallenges('Basic realm="a \\"quoted\\" realm, with comma"')).toEqual([
      { scheme: 'basic', params: { realm: 'a "quoted" realm, with comma' } },
    ]);
  });

  test('several challenges in one value and over several headers', () => {
    expect(parseChallenges('Basic realm="x", Bearer realm="https://r/t",service="s"')).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'https://r/t', service: 's' } },
    ]);
    expect(parseChallenges(['Basic realm="x"', 'Bearer realm="y",error="insufficient_scope"'])).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y', error: 'insufficient_scope' } },
    ]);
  });

  test('missing scope, bare scheme, token68, empty', () => {
    expect(parseChallenges('Bearer realm="https://r/t"')).toEqual([{ scheme: 'bearer', params: { realm: 'https://r/t' } }]);
    expect(parseChallenges('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
    expect(parseChallenges('Negotiate abc123==')).toEqual([{ scheme: 'negotiate', params: { token68: 'abc123==' } }]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

function response(status: number, body: unknown): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    challenges: [],
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    url: new URL('https://auth.example.test/token'),
  };
}

describe('Authenticator', () => {
  const bearer = [{ scheme: 'bearer', params: { realm: 'https://auth.example.test/token', service: 'svc' } }];

  function setup(answer: (n: number) => HttpResponse) {
    const calls: Parameters<AuthFetch>[0][] = [];
    const fetch: AuthFetch = async (req) => {
      calls.push(req);
      return answer(calls.length);
    };
    const secrets: string[] = [];
    const redactor = new Redactor((s) => secrets.push(s));
    const clock = fakeClock();
    const auth = new Authenticator({ fetch, redactor, clock, log: () => undefined });
    return { calls, secrets, redactor, clock, auth };
  }

  test('anonymous token: GET realm?service&scope, cached per scope, registered as a secret', async () => {
    const { calls, secrets, auth } = setup((n) => response(200, { token: `tok-${n}`, expires_in: 300 }));
    expect(await auth.authorization(bearer, 'repository:a:pull', undefined)).toBe('Bearer tok-1');
    expect(await auth.authorization(bearer, 'repository:a:pull', undefined)).toBe('Bearer tok-1');
    expect(await auth.authorization(bearer, 'repository:b:pull', undefined)).toBe('Bearer tok-2');
    expect(calls).toHaveLength(2);
    expect(calls[0].method).toBe('GET');
    expect(calls[0].url.searchParams.get('service')).toBe('svc');
    expect(calls[0].url.searchParams.get('scope')).toBe('repository:a:pull');
    expect(calls[0].headers.authorization).toBeUndefined();
    expect(secrets).toEqual(expect.arrayContaining(['tok-1', 'tok-2']));
  });

  test("the challenge's scope is used only for insufficient_scope", async () => {
    const { calls, auth } = setup((n) => response(200, { token: `t${n}` }));
    const withScope = [{ scheme: 'bearer', params: { realm: 'https://auth.example.test/token', scope: 'registry:catalog:*' } }];
    await auth.authorization(withScope, 'repository:a:pull', undefined);
    expect(calls[0].url.searchParams.get('scope')).toBe('repository:a:pull');
    const insufficient = [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example.test/token', scope: 'repository:a:pull,push', error: 'insufficient_scope' },
      },
    ];
    await auth.authorization(insufficient, 'repository:a:pull', undefined, true);
    expect(calls[1].url.searchParams.get('scope')).toBe('repository:a:pull,push');
  });

  test('concurrent requests for one scope share a single token fetch', async () => {
    const { calls, auth } = setup(() => response(200, { access_token: 'shared', expires_in: 60 }));
    const all = await Promise.all(Array.from({ length: 10 }, () => auth.authorization(bearer, 'repository:a:pull', undefined)));
    expect(new Set(all)).toEqual(new Set(['Bearer shared']));
    expect(calls).toHaveLength(1);
  });

  test('tokens expire (with a margin) and are fetched again; force skips the cache', async () => {
    const { calls, auth, clock } = setup((n) => response(200, { token: `t${n}`, expires_in: 60 }));
    await auth.authorization(bearer, 's', undefined);
    await clock.sleep(45_000);
    expect(await auth.authorization(bearer, 's', undefined)).toBe('Bearer t1');
    await clock.sleep(10_000); // 55 s: inside the 10 s margin
    expect(await auth.authorization(bearer, 's', undefined)).toBe('Bearer t2');
    expect(await auth.authorization(bearer, 's', undefined, true)).toBe('Bearer t3');
    expect(calls).toHaveLength(3);
  });

  test('user/password → Basic on the token GET; identity token → OAuth2 refresh_token POST', async () => {
    const { calls, auth, redactor } = setup(() => response(200, { token: 'T' }));
    await auth.authorization(bearer, 's', { username: 'u', password: 'p@ss', source: 'test' });
    expect(calls[0].headers.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    await auth.authorization(bearer, 's', { identityToken: 'refresh-me', source: 'test2' });
    expect(calls[1].method).toBe('POST');
    const form = new URLSearchParams(calls[1].body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-me',
      client_id: 'imagespec-action',
      service: 'svc',
      scope: 's',
    });
    expect(redactor.redact(`x ${Buffer.from('u:p@ss').toString('base64')} y`)).toBe('x *** y');
  });

  test('Basic challenge: header from credentials, none when anonymous', async () => {
    const { auth } = setup(() => response(500, ''));
    const basic = [{ scheme: 'basic', params: { realm: 'r' } }];
    expect(await auth.authorization(basic, 's', undefined)).toBeUndefined();
    expect(await auth.authorization(basic, 's', { username: 'a', password: 'b', source: 'x' })).toBe('Basic YTpi');
  });

  test('errors name no secret, even when the token server echoes it', async () => {
    const { auth } = setup(() => response(401, { details: 'bad password hunter2-secret for user u' }));
    const err = await auth.authorization(bearer, 's', { username: 'u', password: 'hunter2-secret', source: 'cfg' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/refused a token with credentials from cfg \(HTTP 401\)/);
    expect((err as Error).message).not.toContain('hunter2-secret');
  });

  test('failed fetches are not cached', async () => {
    const { calls, auth } = setup((n) => (n === 1 ? response(503, 'down') : response(200, { token: 'ok' })));
    await expect(auth.authorization(bearer, 's', undefined)).rejects.toThrow(/HTTP 503/);
    expect(await auth.authorization(bearer, 's', undefined)).toBe('Bearer ok');
    expect(calls).toHaveLength(2);
  });

  test('registrytoken is sent as is; unknown schemes are an error', async () => {
    const { auth, calls } = setup(() => response(200, {}));
    expect(await auth.authorization(bearer, 's', { registryToken: 'RT', source: 'x' })).toBe('Bearer RT');
    expect(calls).toHaveLength(0);
    await expect(auth.authorization([{ scheme: 'negotiate', params: {} }], 's', undefined)).rejects.toThrow(
      /unsupported authentication scheme/,
    );
  });
});
