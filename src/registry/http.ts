/**
 * One HTTP(S) exchange with a per-request deadline over keep-alive agents, plus the transport
 * policy: HTTPS always, plain HTTP only for loopback hosts and hosts in `insecure-registries`.
 * Retries live in retry.ts; registry semantics in check.ts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { isRegistryHost } from './reference';

export type Headers = Record<string, string>;

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers?: Headers;
  body?: string;
  /** Larger bodies fail with kind `too-large`. Default 4 MiB. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", " except www-authenticate (see `challenges`). */
  headers: Record<string, string>;
  /** Every WWW-Authenticate header value, in order. */
  challenges: string[];
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

export type TransportErrorKind =
  'timeout' | 'refused' | 'reset' | 'connection' | 'dns' | 'tls' | 'protocol' | 'insecure' | 'too-large' | 'redirect';

const RETRYABLE_KINDS: ReadonlySet<TransportErrorKind> = new Set(['timeout', 'refused', 'reset', 'connection']);

export class TransportError extends Error {
  /** Attempts made when the error was final (set by the retry loop). */
  attempts = 1;
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

// ---------------------------------------------------------------- transport policy

/** `localhost`, `*.localhost`, 127.0.0.0/8, ::1 (with or without port/brackets). */
export function isLoopbackHost(hostport: string): boolean {
  const host = splitHostPort(hostport).host.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host) || host === '::ffff:127.0.0.1';
  return false;
}

export function splitHostPort(hostport: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostport);
  if (v6) return { host: v6[1], port: v6[2] };
  const i = hostport.lastIndexOf(':');
  if (i > 0 && hostport.indexOf(':') === i) return { host: hostport.slice(0, i), port: hostport.slice(i + 1) };
  return { host: hostport };
}

/**
 * Hosts allowed to speak plain HTTP, from the `insecure-registries` input: entries separated by
 * commas, whitespace or newlines, each a registry `host` (every port) or `host:port`, by the
 * registry grammar of image references. Anything else (a scheme, a path, a wildcard, a CIDR range)
 * is refused: plain HTTP is a decision about one named host.
 */
export class InsecureRegistries {
  private readonly hosts = new Set<string>();

  constructor(entries: string | readonly string[] = []) {
    const list = typeof entries === 'string' ? entries.split(/[\s,]+/) : entries.flatMap((e) => e.split(/[\s,]+/));
    for (const raw of list) {
      if (raw === '') continue;
      if (!isRegistryHost(raw)) throw new Error(`insecure registry ${JSON.stringify(raw)} is not host or host:port`);
      this.hosts.add(raw.toLowerCase());
    }
  }

  has(hostport: string): boolean {
    const hp = hostport.toLowerCase();
    if (this.hosts.has(hp)) return true;
    const { host } = splitHostPort(hp);
    return this.hosts.has(host) || this.hosts.has(`[${host}]`);
  }
}

/** Whether plain HTTP may be used with `hostport`. */
export function plainHttpAllowed(hostport: string, insecure: InsecureRegistries): boolean {
  return isLoopbackHost(hostport) || insecure.has(hostport);
}

// ---------------------------------------------------------------- errors

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** "write EPROTO 80DC..:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/..." → "wrong version number". */
function opensslReason(msg: string): string {
  const m = /:SSL routines:[^:]*:([^:]+)/.exec(msg);
  return m ? m[1].trim() : msg.replace(/^write EPROTO\s*/, '');
}

/** Maps a Node socket/TLS error to a TransportError with a message that names no secrets. */
export function classifyError(e: unknown, url: URL): TransportError {
  if (e instanceof TransportError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const where = `${url.protocol}//${url.host}`;
  const msg = String(err?.message ?? e).split('\n')[0];
  if (code && (TLS_CODES.has(code) || code.startsWith('CERT_') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    return new TransportError('tls', `TLS error from ${where}: ${msg} (${code}); for a private CA set NODE_EXTRA_CA_CERTS`, code);
  }
  switch (code) {
    case 'EPROTO':
      return new TransportError('protocol', `TLS handshake with ${where} failed (EPROTO): ${opensslReason(msg)}`, code);
    case 'ECONNREFUSED':
      return new TransportError('refused', `connection refused by ${url.host} (ECONNREFUSED)`, code);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new TransportError('reset', `connection to ${url.host} reset (${code})`, code);
    case 'ENOTFOUND':
      return new TransportError('dns', `host ${url.hostname} not found (ENOTFOUND)`, code);
    case 'EAI_AGAIN':
      return new TransportError('connection', `DNS lookup of ${url.hostname} failed temporarily (EAI_AGAIN)`, code);
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return new TransportError('connection', `cannot reach ${url.host} (${code})`, code);
    default:
      return new TransportError('connection', `request to ${where} failed: ${msg}${code ? ` (${code})` : ''}`, code);
  }
}

// ---------------------------------------------------------------- transport

export interface TransportOptions {
  /** Deadline for one exchange: connect, headers and body. */
  timeoutMs: number;
  /** Sockets per origin (keep-alive). */
  maxSockets: number;
  /** Extra CA certificates (PEM), trusted on top of Node's bundled roots. */
  ca?: string[];
  insecure: InsecureRegistries;
  userAgent?: string;
}

const MAX_REDIRECTS = 5;
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

/**
 * PEM files named by NODE_EXTRA_CA_CERTS in `env`. Node reads that variable itself at start-up;
 * reading it here too makes an injected environment (and a variable set later) work the same.
 */
export function extraCaFromEnv(env: Record<string, string | undefined>): string[] {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [fs.readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly opts: TransportOptions) {
    const common = { keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(common);
    const ca = opts.ca && opts.ca.length > 0 ? [...tls.rootCertificates, ...opts.ca] : undefined;
    this.httpsAgent = new https.Agent({ ...common, ...(ca ? { ca } : {}) });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Refuses URLs that would send anything over plain HTTP to a host that may not get it. */
  assertAllowed(url: URL): void {
    if (url.protocol === 'https:') return;
    if (url.protocol !== 'http:') throw new TransportError('insecure', `unsupported URL scheme ${url.protocol}`);
    if (!plainHttpAllowed(url.host, this.opts.insecure)) {
      throw new TransportError(
        'insecure',
        `refusing plain HTTP to ${url.host}: only loopback hosts and hosts listed in insecure-registries may use http://`,
      );
    }
  }

  /** One exchange (following up to 5 redirects; Authorization is dropped when the host changes). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current);
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (hop >= MAX_REDIRECTS) throw new TransportError('redirect', `too many redirects from ${req.url.host}`);
      const next = new URL(location, current.url);
      const headers = { ...(current.headers ?? {}) };
      if (next.host !== current.url.host || next.protocol !== current.url.protocol) delete headers.authorization;
      const method = res.status === 303 && current.method === 'POST' ? 'GET' : current.method;
      current = { ...current, url: next, headers, method, body: method === 'POST' ? current.body : undefined };
    }
  }

  private once(req: HttpRequest): Promise<HttpResponse> {
    this.assertAllowed(req.url);
    const url = req.url;
    const isHttps = url.protocol === 'https:';
    const maxBody = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const headers: Headers = { 'user-agent': this.opts.userAgent ?? 'imagespec-action', ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const request = (isHttps ? https : http).request(
        url,
        { method: req.method, headers, agent: isHttps ? this.httpsAgent : this.httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBody) {
              const e = new TransportError('too-large', `response from ${url.host} larger than ${maxBody} bytes`);
              finish(() => reject(e));
              request.destroy(e);
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (e) => finish(() => reject(classifyError(e, url))));
          res.on('aborted', () => finish(() => reject(new TransportError('reset', `connection to ${url.host} closed mid-response`))));
          res.on('end', () => {
            const out: Record<string, string> = {};
            const challenges: string[] = [];
            const distinct = res.headersDistinct;
            for (const [name, values] of Object.entries(distinct)) {
              if (!values) continue;
              if (name === 'www-authenticate') challenges.push(...values);
              out[name] = values.join(', ');
            }
            finish(() => resolve({ status: res.statusCode ?? 0, headers: out, challenges, body: Buffer.concat(chunks), url }));
          });
        },
      );
      const timer = setTimeout(() => {
        const e = new TransportError('timeout', `no complete answer from ${url.host} within ${this.opts.timeoutMs} ms`);
        finish(() => reject(e));
        request.destroy(e);
      }, this.opts.timeoutMs);
      request.on('error', (e) => finish(() => reject(classifyError(e, url))));
      request.end(req.body);
    });
  }
}
