/**
 * Registry authentication as Docker clients do it: parse `WWW-Authenticate`, then either send
 * Basic credentials or get a Bearer token from the realm (anonymous without credentials; Basic
 * user:password on GET; OAuth2 `refresh_token` grant on POST for identity tokens). Tokens are
 * cached per realm/service/scope/credential until shortly before they expire and registered as
 * secrets as soon as they arrive.
 */
import { Credential } from './credentials';
import { HttpResponse, TransportError } from './http';
import { Redactor } from './redact';
import { Clock } from './types';

export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`, ... */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * RFC 7235 challenges from one or more WWW-Authenticate values, e.g.
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"`.
 * Handles quoted strings with escapes and commas, several challenges in one value, and token68.
 */
export function parseChallenges(headers: string | readonly string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const out: Challenge[] = [];
  for (const header of typeof headers === 'string' ? [headers] : headers) {
    let s = header;
    let current: Challenge | undefined;
    const skipWs = () => {
      s = s.replace(/^[ \t]+/, '');
    };
    while (s.length > 0) {
      skipWs();
      if (s.startsWith(',')) {
        s = s.slice(1);
        continue;
      }
      const tok = TOKEN_RE.exec(s);
      if (!tok) {
        s = s.slice(1); // junk character: skip it
        continue;
      }
      const name = tok[0];
      let rest = s.slice(name.length);
      const afterWs = rest.replace(/^[ \t]+/, '');
      if (current && afterWs.startsWith('=') && !/^=+[ \t]*(,|$)/.test(afterWs)) {
        // auth-param: name = token / quoted-string
        rest = afterWs.slice(1).replace(/^[ \t]+/, '');
        let value: string;
        if (rest.startsWith('"')) {
          let i = 1;
          value = '';
          while (i < rest.length && rest[i] !== '"') {
            if (rest[i] === '\\' && i + 1 < rest.length) i++;
            value += rest[i];
            i++;
          }
          rest = rest.slice(Math.min(i + 1, rest.length));
        } else {
          const v = /^[^,\s]*/.exec(rest)![0];
          value = v;
          rest = rest.slice(v.length);
        }
        current.params[name.toLowerCase()] = value;
        s = rest;
        continue;
      }
      // A new challenge: the scheme, maybe followed by a token68.
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      s = rest;
      skipWs();
      const t68 = /^([A-Za-z0-9._~+/-]+=*)[ \t]*(,|$)/.exec(s);
      if (t68 && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=[^=]/.test(s)) {
        current.params.token68 = t68[1];
        s = s.slice(t68[1].length);
      }
    }
  }
  return out;
}

/** `repository:<name>:pull`. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** What the authenticator needs from the HTTP layer: one request with retries. */
export type AuthFetch = (req: {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<HttpResponse>;

export interface AuthenticatorDeps {
  fetch: AuthFetch;
  redactor: Redactor;
  clock: Clock;
  log: (line: string) => void;
  /** Client id sent with OAuth2 requests. */
  clientId?: string;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_TTL_S = 60; // the token spec's default when expires_in is absent
const EXPIRY_MARGIN_MS = 10_000;

export function basicHeader(username: string, password: string, redactor: Redactor): string {
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  redactor.add(encoded);
  return `Basic ${encoded}`;
}

function credentialKey(c: Credential | undefined): string {
  if (!c) return 'anonymous';
  return `${c.source}|${c.username ?? ''}`;
}

export class Authenticator {
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(private readonly deps: AuthenticatorDeps) {}

  /**
   * The Authorization header value to answer `challenges` with for `scope`, or undefined to go
   * anonymous (no usable challenge, or Basic without credentials). `force` skips the cache (after
   * a 401 with a token that looked valid).
   */
  async authorization(
    challenges: readonly Challenge[],
    scope: string,
    credential: Credential | undefined,
    force = false,
  ): Promise<string | undefined> {
    // Whoever built the credential should have registered it; make sure anyway.
    if (credential) for (const s of [credential.password, credential.identityToken, credential.registryToken]) this.deps.redactor.add(s);
    if (credential?.registryToken) return `Bearer ${credential.registryToken}`;
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) return `Bearer ${await this.token(bearer, scope, credential, force)}`;
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic) {
      if (credential?.password !== undefined && credential.username !== undefined) {
        return basicHeader(credential.username, credential.password, this.deps.redactor);
      }
      return undefined;
    }
    if (challenges.length > 0) {
      throw new AuthError(
        `unsupported authentication scheme${challenges.length > 1 ? 's' : ''}: ${challenges.map((c) => c.scheme).join(', ')}`,
      );
    }
    return undefined;
  }

  private async token(challenge: Challenge, scope: string, credential: Credential | undefined, force: boolean): Promise<string> {
    const realm = challenge.params.realm;
    const service = challenge.params.service ?? '';
    // Our scope names the repository; a challenge's own scope counts only when it says ours was not enough
    // (the /v2/ ping challenge is reused for every repository of a host, so its scope must not stick).
    const effectiveScope = challenge.params.error === 'insufficient_scope' && challenge.params.scope ? challenge.params.scope : scope;
    const key = `${realm}|${service}|${effectiveScope}|${credentialKey(credential)}`;
    const now = this.deps.clock.now();
    const cached = this.tokens.get(key);
    if (cached && !force) {
      try {
        const t = await cached;
        if (t.expiresAt > this.deps.clock.now()) return t.value;
      } catch {
        // a failed fetch is not cached beyond its own waiters: fetch again
      }
      if (this.tokens.get(key) !== cached) return this.token(challenge, scope, credential, force);
    }
    const pending = this.fetchToken(realm, service, effectiveScope, credential, now);
    this.tokens.set(key, pending);
    pending.catch(() => {
      if (this.tokens.get(key) === pending) this.tokens.delete(key);
    });
    return (await pending).value;
  }

  private async fetchToken(
    realm: string,
    service: string,
    scope: string,
    credential: Credential | undefined,
    now: number,
  ): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`the registry's token realm ${JSON.stringify(this.deps.redactor.redact(realm))} is not a URL`);
    }
    const clientId = this.deps.clientId ?? 'imagespec-action';
    let res: HttpResponse;
    try {
      if (credential?.identityToken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: clientId });
        if (service) form.set('service', service);
        if (scope) form.set('scope', scope);
        res = await this.deps.fetch({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        });
      } else {
        if (service) url.searchParams.set('service', service);
        if (scope) url.searchParams.set('scope', scope);
        const headers: Record<string, string> = {};
        if (credential?.username !== undefined && credential.password !== undefined) {
          headers.authorization = basicHeader(credential.username, credential.password, this.deps.redactor);
        }
        res = await this.deps.fetch({ method: 'GET', url, headers });
      }
    } catch (e) {
      if (e instanceof TransportError) {
        throw new AuthError(`token request to ${url.host} failed: ${this.deps.redactor.redact(e.message)}`);
      }
      throw e;
    }
    const who = credential ? `with credentials from ${credential.source}` : 'anonymously';
    if (res.status < 200 || res.status > 299) {
      const detail = this.deps.redactor.redact(res.body.toString('utf8').slice(0, 300)).replace(/\s+/g, ' ').trim();
      throw new AuthError(`token server ${url.host} refused a token ${who} (HTTP ${res.status})${detail ? `: ${detail}` : ''}`);
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    try {
      parsed = JSON.parse(res.body.toString('utf8')) as typeof parsed;
    } catch {
      throw new AuthError(`token server ${url.host} answered without JSON (HTTP ${res.status})`);
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof parsed.refresh_token === 'string') this.deps.redactor.add(parsed.refresh_token);
    if (typeof token !== 'string' || token === '') throw new AuthError(`token server ${url.host} answered without a token`);
    this.deps.redactor.add(token);
    const ttlS = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_TTL_S;
    const ttlMs = ttlS * 1000;
    this.deps.log(`got a token for ${scope || '(no scope)'} from ${url.host} ${who}, valid ${ttlS} s`);
    return { value: token, expiresAt: now + Math.max(ttlMs - EXPIRY_MARGIN_MS, ttlMs / 2) };
  }
}
