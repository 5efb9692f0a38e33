#!/usr/bin/env node
// A stand-in for the GitHub Actions cache service (v2) on 127.0.0.1, for tests and benchmarks:
// the Twirp JSON control plane that @actions/cache and BuildKit's go-actions-cache call, and an
// Azure-Blob-shaped data plane for the signed URLs it hands out (Put Blob, Put Block, Put Block
// List, ranged GET, HEAD). Node's standard library only.
//
//   node server.mjs [--port 0] [--dir DIR] [--quota BYTES]   prints {"url","pid","dir"} on one line
//   node server.mjs --mint-token [scope ...]                  prints an ACTIONS_RUNTIME_TOKEN
//
// Faults for tests: --quota (or POST /_control {"quotaBytes": n}) makes CreateCacheEntry answer
// like a service whose storage is full; POST /_control {"fail": "<Method>"} makes one Twirp
// method answer 500. GET /_control/entries and /_control/requests show what happened.
//
// Like the real service, entries are visible per scope: the token's `ac` claim lists the scopes a
// job may read (its ref, then e.g. the default branch), and the last writable one is where it saves.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const TWIRP = '/twirp/github.actions.results.api.v1.CacheService/';
// Azure's path-style ("IP") URLs put the account first; the SDKs parse it from there.
const BLOB_PREFIX = '/devstoreaccount1/actions-cache/';

/**
 * A runtime token as the runner hands it to actions: a JWT whose `ac` claim is a JSON string of
 * {Scope, Permission} (1 read, 2 write). go-actions-cache decodes it without verifying the
 * signature but insists on `ac`, `exp` and `nbf`.
 */
export function mintRuntimeToken(scopes = ['refs/heads/main'], ttlSeconds = 6 * 3600) {
  const now = Math.floor(Date.now() / 1000);
  const ac = scopes.map((scope, i) => ({ Scope: scope, Permission: i === 0 ? 3 : 1 }));
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ ac: JSON.stringify(ac), nbf: now - 30, exp: now + ttlSeconds, iat: now, repository_id: '1' })}`;
  return `${unsigned}.${crypto.createHmac('sha256', 'imagespec-action-test').update(unsigned).digest('base64url')}`;
}

function scopesOf(authorization) {
  const m = /^Bearer ([^.]+)\.([^.]+)\.[^.]*$/.exec(authorization ?? '');
  if (!m) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return undefined;
    const ac = JSON.parse(claims.ac ?? '[]');
    return Array.isArray(ac) ? ac : undefined;
  } catch {
    return undefined;
  }
}

function body(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export async function startCacheServer({ port = 0, dir, quotaBytes = Infinity } = {}) {
  dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gha-cache-'));
  fs.mkdirSync(dir, { recursive: true });
  /** @type {Map<number, {id:number,key:string,version:string,scope:string,size:number,done:boolean,created:number,blocks:Map<string,Buffer>}>} */
  const entries = new Map();
  const requests = [];
  const control = { quotaBytes, fail: new Set() };
  let nextId = 1;
  let base = '';

  const stored = () => [...entries.values()].reduce((n, e) => n + e.size, 0);
  const file = (e) => path.join(dir, `entry-${e.id}`);
  const twirpError = (res, status, code, msg) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, msg }));
  };
  const ok = (res, obj) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  // Azure answers every request with a request id; go-actions-cache logs it and breaks without it.
  const azure = (res, status, headers = {}) => {
    res.writeHead(status, { 'x-ms-request-id': crypto.randomUUID(), 'x-ms-version': '2024-08-04', ...headers });
  };

  // Blob URLs on the host the client called, so that a proxy in front of this server (the
  // benchmarks' network model) also carries the blob traffic.
  const origin = (req) => (/^127\.0\.0\.1:\d+$/.test(req.headers.host ?? '') ? `http://${req.headers.host}/` : base);

  async function twirp(req, res, method) {
    const scopes = scopesOf(req.headers.authorization);
    if (!scopes) return twirpError(res, 401, 'unauthenticated', 'a valid runtime token is required');
    if (control.fail.has(method)) return twirpError(res, 500, 'internal', `injected failure of ${method}`);
    const q = JSON.parse((await body(req)).toString('utf8') || '{}');
    const readable = new Set(scopes.filter((s) => s.Permission & 1).map((s) => s.Scope));
    const writable = scopes
      .filter((s) => s.Permission & 2)
      .map((s) => s.Scope)
      .pop();

    if (method === 'CreateCacheEntry') {
      if (!writable) return twirpError(res, 403, 'permission_denied', 'the token has no writable scope');
      // A full cache refuses the reservation in the response body, as the service does (the
      // clients show its `message`); an HTTP 429 would read as rate limiting, which clients retry.
      if (stored() >= control.quotaBytes) return ok(res, { ok: false, signed_upload_url: '', message: 'cache storage quota exceeded' });
      const taken = [...entries.values()].some((e) => e.key === q.key && e.version === q.version && e.scope === writable);
      if (taken) return twirpError(res, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      const e = {
        id: nextId++,
        key: q.key,
        version: q.version,
        scope: writable,
        size: 0,
        done: false,
        created: Date.now(),
        blocks: new Map(),
      };
      entries.set(e.id, e);
      return ok(res, { ok: true, signed_upload_url: `${origin(req)}${BLOB_PREFIX.slice(1)}${e.id}?sv=2024-08-04&sig=upload` });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const e = [...entries.values()].find((x) => x.key === q.key && x.version === q.version && x.scope === writable && !x.done);
      if (!e || !fs.existsSync(file(e))) return twirpError(res, 404, 'not_found', 'no upload to finalize');
      e.size = fs.statSync(file(e)).size;
      if (q.size_bytes !== undefined && Number(q.size_bytes) !== e.size)
        return twirpError(res, 400, 'invalid_argument', `size ${q.size_bytes} != uploaded ${e.size}`);
      e.done = true;
      return ok(res, { ok: true, entry_id: String(e.id) });
    }
    if (method === 'GetCacheEntryDownloadURL') {
      // Newest first; the exact key wins, then each restore key as a prefix, in the order given.
      const candidates = [...entries.values()]
        .filter((e) => e.done && e.version === q.version && readable.has(e.scope))
        .sort((a, b) => b.created - a.created || b.id - a.id);
      let hit = candidates.find((e) => e.key === q.key);
      for (const prefix of q.restore_keys ?? []) hit = hit ?? candidates.find((e) => e.key.startsWith(prefix));
      if (!hit) return ok(res, { ok: false, signed_download_url: '', matched_key: '' });
      return ok(res, {
        ok: true,
        signed_download_url: `${origin(req)}${BLOB_PREFIX.slice(1)}${hit.id}?sv=2024-08-04&sig=download`,
        matched_key: hit.key,
      });
    }
    return twirpError(res, 404, 'bad_route', `unknown method ${method}`);
  }

  async function blob(req, res, url, e) {
    if (req.method === 'PUT') {
      if (e.done) return (azure(res, 409, { 'x-ms-error-code': 'BlobAlreadyExists' }), res.end());
      const data = await body(req);
      const comp = url.searchParams.get('comp');
      if (comp === 'block') {
        e.blocks.set(url.searchParams.get('blockid') ?? '', data);
      } else if (comp === 'blocklist') {
        const ids = [...data.toString('utf8').matchAll(/<(?:Latest|Committed|Uncommitted)>([^<]*)<\//g)].map((m) => m[1]);
        const missing = ids.find((id) => !e.blocks.has(id));
        if (missing !== undefined) return (azure(res, 400, { 'x-ms-error-code': 'InvalidBlockList' }), res.end());
        fs.writeFileSync(file(e), Buffer.concat(ids.map((id) => e.blocks.get(id))));
        e.blocks.clear();
      } else {
        fs.writeFileSync(file(e), data);
      }
      azure(res, 201, { etag: `"${e.id}-${Date.now()}"`, 'last-modified': new Date().toUTCString() });
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return (azure(res, 405), res.end());
    if (!e.done) return (azure(res, 404, { 'x-ms-error-code': 'BlobNotFound' }), res.end());
    const size = e.size;
    const r = /^bytes=(\d+)-(\d*)$/.exec(req.headers['x-ms-range'] ?? req.headers.range ?? '');
    const start = r ? Number(r[1]) : 0;
    const end = r && r[2] ? Math.min(Number(r[2]), size - 1) : size - 1;
    const headers = {
      'content-length': String(Math.max(0, end - start + 1)),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-ms-blob-type': 'BlockBlob',
      etag: `"${e.id}"`,
      'last-modified': new Date(e.created).toUTCString(),
      ...(r ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    };
    azure(res, r ? 206 : 200, headers);
    if (req.method === 'HEAD' || end < start) return res.end();
    fs.createReadStream(file(e), { start, end }).pipe(res);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method, path: url.pathname, range: req.headers['x-ms-range'] ?? req.headers.range });
    try {
      if (req.method === 'POST' && url.pathname.startsWith(TWIRP)) return await twirp(req, res, url.pathname.slice(TWIRP.length));
      if (url.pathname.startsWith(BLOB_PREFIX)) {
        const e = entries.get(Number(url.pathname.slice(BLOB_PREFIX.length)));
        if (!e) return (azure(res, 404, { 'x-ms-error-code': 'BlobNotFound' }), res.end());
        return await blob(req, res, url, e);
      }
      if (url.pathname === '/_control/entries')
        return ok(
          res,
          [...entries.values()].map(({ blocks: _blocks, ...e }) => e),
        );
      if (url.pathname === '/_control/requests') return ok(res, requests);
      if (url.pathname === '/_control' && req.method === 'POST') {
        const c = JSON.parse((await body(req)).toString('utf8') || '{}');
        if (c.quotaBytes !== undefined) control.quotaBytes = c.quotaBytes === null ? Infinity : Number(c.quotaBytes);
        if (c.fail !== undefined) control.fail = new Set([].concat(c.fail));
        return ok(res, { ok: true });
      }
      res.writeHead(404).end();
    } catch (err) {
      if (!res.headersSent) twirpError(res, 500, 'internal', String(err?.message ?? err));
      else res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  return { url: base, dir, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const args = process.argv.slice(2);
  if (args[0] === '--mint-token') {
    process.stdout.write(mintRuntimeToken(args.length > 1 ? args.slice(1) : undefined) + '\n');
  } else {
    const opt = (name) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const s = await startCacheServer({
      port: Number(opt('--port') ?? 0),
      dir: opt('--dir'),
      quotaBytes: opt('--quota') ? Number(opt('--quota')) : Infinity,
    });
    process.stdout.write(JSON.stringify({ url: s.url, pid: process.pid, dir: s.dir }) + '\n');
  }
}
