// Registry plumbing of the no-op benchmark: the fault proxy (scripts/fault-proxy/proxy.mjs) in front
// of a registry, and a fast way to make hundreds of tags exist: one tiny image uploaded once per
// repository, its manifest PUT under every tag (no image build involved).
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { REPO_ROOT, startServer } from './common.mjs';

/** Plain-HTTP request with a body, collected. */
export function request(url, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts the fault proxy in front of `target` (http://host:port); resolves once it listens. */
export async function startProxy(target) {
  const { info, stop } = await startServer(
    path.join(REPO_ROOT, 'scripts/fault-proxy/proxy.mjs'),
    ['--target', target, '--port', '0'],
    'fault proxy',
  );
  const { port } = info;
  const control = async (method, p, body) => {
    const r = await request(`http://127.0.0.1:${port}${p}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      agent: false,
    });
    if (r.status >= 300) throw new Error(`proxy ${method} ${p}: ${r.status} ${r.body}`);
    return JSON.parse(r.body.toString() || '{}');
  };
  return {
    hostport: `127.0.0.1:${port}`,
    setRules: (rules) => control('PUT', '/__proxy/rules', rules),
    stats: () => control('GET', '/__proxy/stats'),
    resetStats: () => control('DELETE', '/__proxy/stats'),
    stop,
  };
}

/** A Bearer token for `scope` from the registry's token server (Basic credentials). */
async function pushToken(registry, repository, user, password) {
  const ping = await request(`http://${registry}/v2/`);
  const challenge = String(ping.headers['www-authenticate'] ?? '');
  if (ping.status !== 401 || !/^bearer/i.test(challenge)) return undefined; // no auth needed
  const param = (n) => new RegExp(`${n}="([^"]*)"`, 'i').exec(challenge)?.[1];
  const url = new URL(param('realm'));
  url.searchParams.set('service', param('service') ?? '');
  url.searchParams.set('scope', `repository:${repository}:pull,push`);
  const r = await request(url.href, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  if (r.status !== 200) throw new Error(`token server refused a push token: ${r.status} ${r.body}`);
  const j = JSON.parse(r.body.toString());
  return j.token ?? j.access_token;
}

const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Makes `registry/repository:tag` exist for every given tag: uploads a tiny config and layer blob
 * (an empty tar) once, then PUTs one OCI manifest under each tag, `concurrency` at a time.
 */
export async function pushTags(registry, repository, tags, { user, password, concurrency = 8 } = {}) {
  const token = await pushToken(registry, repository, user, password);
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(Buffer.alloc(1024))] } }),
  );
  const layer = Buffer.alloc(1024); // an empty tar archive
  for (const blob of [config, layer]) {
    const digest = sha256(blob);
    const head = await request(`http://${registry}/v2/${repository}/blobs/${digest}`, { method: 'HEAD', headers: auth, agent });
    if (head.status === 200) continue;
    const start = await request(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: auth, agent });
    if (start.status !== 202) throw new Error(`blob upload refused: ${start.status} ${start.body}`);
    const loc = new URL(start.headers.location, `http://${registry}`);
    loc.searchParams.set('digest', digest);
    const put = await request(loc.href, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': blob.length },
      body: blob,
      agent,
    });
    if (put.status !== 201) throw new Error(`blob upload failed: ${put.status} ${put.body}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    }),
  );
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const tag = tags[next++];
      const r = await request(`http://${registry}/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': manifest.length },
        body: manifest,
        agent,
      });
      if (r.status !== 201) throw new Error(`manifest PUT ${repository}:${tag} failed: ${r.status} ${r.body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
}
