/**
 * Does each image tag exist in its registry? `checkImages` answers `exists`, `missing` (only on
 * not-found answers) or `unknown` with a reason, for many references at once with bounded
 * parallelism over keep-alive connections. One `RegistryClient` shares per-host state (scheme,
 * auth challenge), credentials and tokens across its checks.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { AuthError, Authenticator, Challenge, parseChallenges, pullScope } from './auth';
import { Credential, CredentialDeps, CredentialError, dockerConfigPath, lookupCredentials } from './credentials';
import { HttpRequest, HttpResponse, InsecureRegistries, Transport, TransportError, extraCaFromEnv, plainHttpAllowed } from './http';
import { formatPlatform, parsePlatform, Platform, platformMatches, platformOf, splitPlatforms } from './platform';
import { InvalidReferenceError, ImageReference, manifestReference, parseReference } from './reference';
import { Redactor, SetSecret } from './redact';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, RetryPolicy, withRetries } from './retry';
import { mapLimit } from '../util/limit';
import { Clock, ImageStatus, LogFn, MANIFEST_ACCEPT, MEDIA_TYPES, realClock } from './types';

export interface ImageQuery {
  /** `host[:port]/repo/path:tag` or `...@sha256:...`. */
  ref: string;
  /** Platforms the image must provide: `linux/amd64,linux/arm64` or a list. Two or more → index check. */
  platforms?: string | readonly string[];
}

export interface ImageCheckResult {
  ref: string;
  result: ImageStatus;
}

export interface CheckOptions {
  /** Checks in flight at once (and sockets per registry). Default 8. */
  concurrency?: number;
  /** Deadline for one HTTP exchange. Default 15000 ms. */
  timeoutMs?: number;
  /** Retry/backoff policy; unspecified fields keep DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Hosts that may be reached over plain HTTP besides loopback (the `insecure-registries` input). */
  insecureRegistries?: string | readonly string[];
  /** Check names without a registry host on Docker Hub instead of answering `unknown`. Default false. */
  allowImplicitRegistry?: boolean;
  /** Environment for DOCKER_CONFIG, NODE_EXTRA_CA_CERTS and credential helpers' PATH. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Extra CA certificates (PEM) to trust, besides NODE_EXTRA_CA_CERTS. */
  ca?: string[];
  /** Registers a secret with the runner (the action passes core.setSecret). */
  setSecret?: SetSecret;
  /** Debug lines, already redacted. */
  log?: LogFn;
  clock?: Clock;
  /** [0, 1) source for backoff jitter. */
  random?: () => number;
  /** Overrides for config file reading and helper execution (tests). */
  credentials?: Partial<Omit<CredentialDeps, 'env'>>;
  userAgent?: string;
}

interface HostInfo {
  /** `https://host:port` or `http://host:port`. */
  base: string;
  challenges: Challenge[];
}

interface RegistryError {
  code?: string;
  message?: string;
}

interface Answer {
  response: HttpResponse;
  attempts: number;
  /** Whether credentials were available when the final answer came. */
  credential?: Credential;
}

const NOT_FOUND_CODES = new Set(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'NOT_FOUND', 'TAG_UNKNOWN']);
const NOT_MISSING_CODES = new Set(['UNAUTHORIZED', 'DENIED', 'NAME_INVALID', 'TAG_INVALID', 'UNSUPPORTED', 'TOOMANYREQUESTS']);
/** Harbor's not-found forms behind 500s: `unknown: artifact p/n:t not found`, `unknown: repository p/n not found`. */
const HARBOR_NOT_FOUND_RE = /\b(?:artifact|repository)\b[^\n]{0,300}?\bnot found\b/i;
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
/** The manifest types every manifest request accepts (MANIFEST_ACCEPT). */
const ACCEPTED_TYPES = new Set<string>(Object.values(MEDIA_TYPES));

function parseErrors(body: Buffer): RegistryError[] {
  if (body.length === 0) return [];
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    if (Array.isArray(j.errors)) {
      return j.errors
        .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
        .map((e) => ({
          code: typeof e.code === 'string' ? e.code : undefined,
          message: typeof e.message === 'string' ? e.message : undefined,
        }));
    }
  } catch {
    // not JSON
  }
  return [];
}

/** Whether a (GET) answer is one of the ways registries say "no such tag/repository". */
export function isNotFoundAnswer(status: number, body: Buffer): boolean {
  const errors = parseErrors(body);
  if (status === 404) return !errors.some((e) => e.code && NOT_MISSING_CODES.has(e.code.toUpperCase()));
  if (errors.some((e) => e.code && NOT_FOUND_CODES.has(e.code.toUpperCase()))) return true;
  if (status >= 500) {
    if (errors.some((e) => e.message && HARBOR_NOT_FOUND_RE.test(e.message))) return true;
    const text = body.toString('utf8', 0, Math.min(body.length, 2048));
    return /^\s*unknown:/i.test(text) && HARBOR_NOT_FOUND_RE.test(text);
  }
  return false;
}

function contentType(res: HttpResponse): string | undefined {
  const ct = res.headers['content-type'];
  return ct ? ct.split(';')[0].trim().toLowerCase() : undefined;
}

/**
 * Why a 2xx answer to a manifest request is not a manifest, or undefined when it is one. Only a
 * Content-Type among the manifest types the request accepted makes a 2xx an image: a captive
 * portal, a catch-all proxy or a web server answers 200 with text/html, application/json or no
 * type at all, and a Docker-Content-Digest alone is no proof (any server can send one).
 */
export function notAManifest(res: HttpResponse): string | undefined {
  const type = contentType(res);
  if (type !== undefined && ACCEPTED_TYPES.has(type)) return undefined;
  const shown = type === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(type.slice(0, 100))}`;
  return `HTTP ${res.status} with ${shown}, which is not one of the manifest types asked for (a captive portal or a proxy answering for the registry?)`;
}

export class RegistryClient {
  readonly redactor: Redactor;
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  private readonly insecure: InsecureRegistries;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly env: Record<string, string | undefined>;
  private readonly logFn: LogFn;
  private readonly hosts = new Map<string, Promise<HostInfo>>();
  private readonly creds = new Map<string, Promise<Credential | undefined>>();
  private readonly inflight = new Map<string, Promise<ImageStatus>>();

  constructor(private readonly opts: CheckOptions = {}) {
    this.redactor = new Redactor(opts.setSecret);
    this.env = opts.env ?? process.env;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...(opts.retry ?? {}) };
    this.insecure = new InsecureRegistries(opts.insecureRegistries ?? []);
    const log = opts.log;
    this.logFn = log ? (line) => log(this.redactor.redact(line)) : () => undefined;
    this.transport = new Transport({
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxSockets: Math.max(1, opts.concurrency ?? 8),
      ca: [...(opts.ca ?? []), ...extraCaFromEnv(this.env)],
      insecure: this.insecure,
      userAgent: opts.userAgent,
    });
    this.auth = new Authenticator({
      fetch: async (req) => (await this.retrying({ ...req }, (res) => isRetryableStatus(res.status))).response,
      redactor: this.redactor,
      clock: this.clock,
      log: this.logFn,
    });
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  /** Status of one image; never throws. */
  check(query: string | ImageQuery): Promise<ImageStatus> {
    const q = typeof query === 'string' ? { ref: query } : query;
    const key = `${q.ref}|${splitPlatforms(q.platforms).join(',')}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.checkOne(q);
      this.inflight.set(key, p);
    }
    return p;
  }

  private unknown(reason: string): ImageStatus {
    return { status: 'unknown', reason: this.redactor.redact(reason) };
  }

  private missing(reason: string, absentPlatforms?: string[]): ImageStatus {
    const r: ImageStatus = { status: 'missing', reason: this.redactor.redact(reason) };
    if (absentPlatforms) r.absentPlatforms = absentPlatforms;
    return r;
  }

  private reasonOf(e: unknown): string {
    if (e instanceof TransportError) return `${e.message}${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ''}`;
    if (e instanceof AuthError || e instanceof CredentialError || e instanceof InvalidReferenceError) return e.message;
    return `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  }

  private async checkOne(q: ImageQuery): Promise<ImageStatus> {
    let ref: ImageReference;
    try {
      ref = parseReference(q.ref);
    } catch (e) {
      return this.unknown(`invalid image reference: ${this.reasonOf(e)}`);
    }
    if (!ref.explicitRegistry && !this.opts.allowImplicitRegistry) {
      return this.unknown(
        `${JSON.stringify(q.ref)} names no registry host (Docker would read it as docker.io/${ref.repository}); cannot check where it would be pushed`,
      );
    }
    let wanted: Platform[];
    try {
      wanted = splitPlatforms(q.platforms).map(parsePlatform);
    } catch (e) {
      return this.unknown((e as Error).message);
    }
    const started = this.clock.now();
    try {
      const status = await this.checkManifest(ref, wanted);
      this.logFn(`${q.ref}: ${status.status}${'reason' in status ? ` (${status.reason})` : ''} in ${this.clock.now() - started} ms`);
      return status;
    } catch (e) {
      const status = this.unknown(this.reasonOf(e));
      this.logFn(`${q.ref}: unknown (${'reason' in status ? status.reason : ''})`);
      return status;
    }
  }

  // ------------------------------------------------------------ HTTP plumbing

  private async exchange(req: HttpRequest): Promise<HttpResponse> {
    const t0 = Date.now();
    try {
      const res = await this.transport.send(req);
      this.logFn(`${req.method} ${res.url.href} -> ${res.status} in ${Date.now() - t0} ms`);
      return res;
    } catch (e) {
      this.logFn(`${req.method} ${req.url.href} failed in ${Date.now() - t0} ms: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private retrying(req: HttpRequest, retryStatus: (res: HttpResponse) => boolean) {
    return withRetries(() => this.exchange(req), {
      policy: this.policy,
      clock: this.clock,
      random: this.random,
      retryStatus,
      onRetry: (ev) =>
        this.logFn(
          `retrying ${req.method} ${req.url.href} in ${ev.delayMs} ms after ${ev.cause} (attempt ${ev.attempt} of ${this.policy.maxAttempts})`,
        ),
    });
  }

  /** Scheme and auth challenge of a registry host, from one `GET /v2/` (memoized, failures too). */
  private host(apiHost: string): Promise<HostInfo> {
    let p = this.hosts.get(apiHost);
    if (!p) {
      p = this.resolveHost(apiHost);
      this.hosts.set(apiHost, p);
      p.catch(() => undefined);
    }
    return p;
  }

  private async resolveHost(apiHost: string): Promise<HostInfo> {
    let base = `https://${apiHost}`;
    let first: HttpResponse | undefined;
    if (plainHttpAllowed(apiHost, this.insecure)) {
      // Loopback or insecure-registries: HTTPS first, plain HTTP when the host does not speak TLS
      // (as Docker does). A certificate problem stays an error: the host does speak TLS.
      try {
        first = await this.exchange({ method: 'GET', url: new URL(`${base}/v2/`), headers: {} });
      } catch (e) {
        if (!(e instanceof TransportError) || e.kind === 'tls' || e.kind === 'insecure') throw e;
        base = `http://${apiHost}`;
        this.logFn(`${apiHost}: no TLS (${e.kind}); using plain HTTP`);
      }
    }
    let ping: HttpResponse;
    if (first && !isRetryableStatus(first.status)) {
      ping = first;
    } else {
      const r = await this.retrying({ method: 'GET', url: new URL(`${base}/v2/`), headers: {} }, (res) => isRetryableStatus(res.status));
      ping = r.response;
      if (isRetryableStatus(ping.status)) {
        const e = new TransportError('connection', `registry ${apiHost} answered GET /v2/ with HTTP ${ping.status}`);
        e.attempts = r.attempts;
        throw e;
      }
    }
    const challenges = ping.status === 401 ? parseChallenges(ping.challenges) : [];
    return { base, challenges };
  }

  private credential(registry: string): Promise<Credential | undefined> {
    let p = this.creds.get(registry);
    if (!p) {
      p = lookupCredentials(registry, this.redactor, { ...(this.opts.credentials ?? {}), env: this.env });
      this.creds.set(registry, p);
      p.catch(() => undefined);
    }
    return p;
  }

  /** One registry request: auth from the host's challenge, retries, one re-auth after a 401. */
  private async request(
    host: HostInfo,
    ref: ImageReference,
    method: 'GET' | 'HEAD',
    path: string,
    accept: string,
    retryStatus: (res: HttpResponse) => boolean,
  ): Promise<Answer> {
    const scope = pullScope(ref.repository);
    let credential: Credential | undefined;
    let authorization: string | undefined;
    if (host.challenges.length > 0) {
      credential = await this.credential(ref.registry);
      authorization = await this.auth.authorization(host.challenges, scope, credential);
    }
    const send = () =>
      this.retrying(
        { method, url: new URL(`${host.base}${path}`), headers: { accept, ...(authorization ? { authorization } : {}) } },
        retryStatus,
      );
    let { response, attempts } = await send();
    if (response.status === 401) {
      const challenges = parseChallenges(response.challenges);
      if (challenges.length > 0) {
        credential = await this.credential(ref.registry);
        const again = await this.auth.authorization(challenges, scope, credential, true);
        if (again !== undefined && (again !== authorization || again.startsWith('Bearer '))) {
          authorization = again;
          const second = await send();
          response = second.response;
          attempts += second.attempts;
        }
      }
    }
    return { response, attempts, credential };
  }

  // ------------------------------------------------------------ the check

  private describeErrors(res: HttpResponse): string {
    const errors = parseErrors(res.body);
    let text = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    if (!text && res.body.length > 0 && !/html/i.test(res.headers['content-type'] ?? '')) text = res.body.toString('utf8', 0, 300);
    text = text.replace(/\s+/g, ' ').trim().slice(0, 300);
    return text ? `: ${text}` : '';
  }

  private failure(ref: ImageReference, a: Answer, what: string): ImageStatus {
    const res = a.response;
    const after = a.attempts > 1 ? ` after ${a.attempts} attempts` : '';
    const detail = this.describeErrors(res);
    if (res.status === 401) {
      const configFile = dockerConfigPath(this.env, this.opts.credentials?.homedir ?? os.homedir);
      return this.unknown(
        a.credential
          ? `${what}: credentials from ${a.credential.source} were not accepted (HTTP 401)${detail}`
          : `${what}: authentication required (HTTP 401) and no credentials for ${ref.registry} in ${configFile}${detail}`,
      );
    }
    if (res.status === 403) return this.unknown(`${what}: access denied (HTTP 403)${detail}`);
    if (res.status === 429) return this.unknown(`${what}: rate limited (HTTP 429)${after}${detail}`);
    if (res.status >= 500) return this.unknown(`${what}: server error HTTP ${res.status}${after}${detail}`);
    return this.unknown(`${what}: unexpected HTTP ${res.status}${detail}`);
  }

  private async checkManifest(ref: ImageReference, wanted: Platform[]): Promise<ImageStatus> {
    const host = await this.host(ref.apiHost);
    const path = `/v2/${ref.repository}/manifests/${manifestReference(ref)}`;
    let method: 'HEAD' | 'GET' = 'HEAD';
    // HEAD carries no body, so anything but a clear answer is asked again with GET, whose error
    // body tells Harbor's "not found" 500s from real server errors (those are retried).
    let a = await this.request(host, ref, 'HEAD', path, MANIFEST_ACCEPT, (res) => res.status === 429 || res.status === 408);
    const headOk = a.response.status >= 200 && a.response.status < 300;
    // A 2xx HEAD without a manifest type is asked again with GET too: a registry that leaves the
    // type off HEAD answers still has it on GET; a captive portal answers GET with its page.
    if ((![200, 401, 403, 404, 408, 429].includes(a.response.status) && !headOk) || (headOk && notAManifest(a.response))) {
      method = 'GET';
      const first = a.attempts;
      a = await this.request(
        host,
        ref,
        'GET',
        path,
        MANIFEST_ACCEPT,
        (res) => isRetryableStatus(res.status) && !isNotFoundAnswer(res.status, res.body),
      );
      a.attempts += first;
    }
    const res = a.response;
    if (res.status >= 200 && res.status < 300) {
      const bad = notAManifest(res);
      if (bad) return this.unknown(`manifest ${manifestReference(ref)} of ${ref.registry}/${ref.repository}: ${bad}`);
      const digest =
        res.headers['docker-content-digest'] ??
        (method === 'GET' ? `sha256:${createHash('sha256').update(res.body).digest('hex')}` : undefined);
      const mediaType = contentType(res);
      if (wanted.length < 2) {
        const out: ImageStatus = { status: 'exists' };
        if (digest) out.digest = digest;
        if (mediaType) out.mediaType = mediaType;
        return out;
      }
      return this.checkPlatforms(host, ref, wanted, method === 'GET' ? res : undefined, digest, mediaType);
    }
    // HEAD answers have no body: there only a bare 404 says "not found".
    if ((res.status === 404 || method === 'GET') && isNotFoundAnswer(res.status, res.body)) {
      const detail = this.describeErrors(res);
      return this.missing(
        `${manifestReference(ref)} not found in ${ref.registry}/${ref.repository} (HTTP ${res.status}${detail ? detail.replace(/^:/, ',') : ''})`,
      );
    }
    return this.failure(ref, a, `manifest ${manifestReference(ref)} of ${ref.registry}/${ref.repository}`);
  }

  /** GET the manifest (if HEAD was enough so far) and compare its platforms with the wanted ones. */
  private async checkPlatforms(
    host: HostInfo,
    ref: ImageReference,
    wanted: Platform[],
    got: HttpResponse | undefined,
    digest: string | undefined,
    mediaType: string | undefined,
  ): Promise<ImageStatus> {
    const path = `/v2/${ref.repository}/manifests/${digest ?? manifestReference(ref)}`;
    let res = got;
    if (!res) {
      const a = await this.request(host, ref, 'GET', path, MANIFEST_ACCEPT, (r) => isRetryableStatus(r.status));
      if (a.response.status < 200 || a.response.status > 299) return this.failure(ref, a, 'reading the image index');
      const bad = notAManifest(a.response);
      if (bad) return this.unknown(`reading the image index: ${bad}`);
      res = a.response;
    }
    let manifest: {
      mediaType?: unknown;
      manifests?: Array<{ platform?: Record<string, unknown>; annotations?: Record<string, unknown> }>;
      config?: { digest?: unknown };
    };
    try {
      manifest = JSON.parse(res.body.toString('utf8')) as typeof manifest;
    } catch {
      return this.unknown(`the manifest of ${ref.original} is not JSON`);
    }
    const type = (typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined) ?? contentType(res) ?? mediaType;
    let available: Platform[];
    if (Array.isArray(manifest.manifests) && (type === undefined || INDEX_TYPES.has(type))) {
      available = manifest.manifests
        .filter((m) => m?.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
        .map((m) => platformOf(m?.platform))
        .filter((p): p is Platform => p !== undefined);
    } else if (typeof manifest.config?.digest === 'string') {
      const blob = `/v2/${ref.repository}/blobs/${manifest.config.digest}`;
      const a = await this.request(host, ref, 'GET', blob, '*/*', (r) => isRetryableStatus(r.status));
      if (a.response.status < 200 || a.response.status > 299) return this.failure(ref, a, 'reading the image config');
      let config: { os?: unknown; architecture?: unknown; variant?: unknown };
      try {
        config = JSON.parse(a.response.body.toString('utf8')) as typeof config;
      } catch {
        return this.unknown(`the image config of ${ref.original} is not JSON`);
      }
      const p = platformOf(config);
      available = p ? [p] : [];
    } else {
      return this.unknown(`cannot tell the platforms of ${ref.original} (manifest type ${type ?? 'unknown'})`);
    }
    const have = available.map(formatPlatform);
    const absent = wanted.filter((w) => !available.some((h) => platformMatches(w, h))).map(formatPlatform);
    if (absent.length > 0) {
      return this.missing(
        `the image exists but lacks platform${absent.length > 1 ? 's' : ''} ${absent.join(', ')} (it has ${have.join(', ') || 'none'})`,
        absent,
      );
    }
    const out: ImageStatus = { status: 'exists', platforms: have };
    if (digest) out.digest = digest;
    if (type) out.mediaType = type;
    return out;
  }
}

/**
 * Checks every query with at most `concurrency` in flight; results keep the input order.
 * Never throws for a registry problem: each image gets its own `unknown` with a reason.
 */
export async function checkImages(queries: ReadonlyArray<string | ImageQuery>, opts: CheckOptions = {}): Promise<ImageCheckResult[]> {
  const client = new RegistryClient(opts);
  try {
    const statuses = await mapLimit(queries, opts.concurrency ?? 8, (q) => client.check(q));
    return queries.map((q, i) => ({ ref: typeof q === 'string' ? q : q.ref, result: statuses[i] }));
  } finally {
    client.close();
  }
}
