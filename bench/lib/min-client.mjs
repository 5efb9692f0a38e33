// The lower bound of a no-op check: the least a client must do to learn that N tags exist, and
// nothing else. One `GET /v2/` for the auth challenge, one Bearer token per repository (Basic
// credentials to the token realm, as the action sends them from the Docker config), then one
// `HEAD /v2/<repo>/manifests/<tag>` per image with the same Accept header, `concurrency` in flight
// over keep-alive sockets. No retries, no credential files, no spec parsing.
//
//   node bench/lib/min-client.mjs <job.json>     job: {refs: ["host/repo:tag"], concurrency, user, password}
// Prints {"exists": n, "other": n, "requests": n, "tokens": n}.
import * as fs from 'node:fs';
import * as http from 'node:http';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const concurrency = job.concurrency ?? 8;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

let requests = 0;
function send(url, method, headers = {}) {
  requests += 1;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const parsed = job.refs.map((ref) => {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  return { host: ref.slice(0, slash), repository: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
});

// One challenge per host.
const challenges = new Map();
const challenge = (host) => {
  if (!challenges.has(host)) {
    challenges.set(
      host,
      send(`http://${host}/v2/`, 'GET').then((r) => {
        const h = String(r.headers['www-authenticate'] ?? '');
        if (r.status !== 401 || !/^bearer/i.test(h)) return undefined;
        const param = (n) => new RegExp(`${n}="([^"]*)"`, 'i').exec(h)?.[1];
        return { realm: param('realm'), service: param('service') };
      }),
    );
  }
  return challenges.get(host);
};

// One token per repository, shared by concurrent checks.
const tokens = new Map();
const token = (host, repository) => {
  const key = `${host}/${repository}`;
  if (!tokens.has(key)) {
    tokens.set(
      key,
      challenge(host).then(async (c) => {
        if (!c) return undefined;
        const url = new URL(c.realm);
        if (c.service) url.searchParams.set('service', c.service);
        url.searchParams.set('scope', `repository:${repository}:pull`);
        const basic = Buffer.from(`${job.user}:${job.password}`).toString('base64');
        const r = await send(url.href, 'GET', { authorization: `Basic ${basic}` });
        const j = JSON.parse(r.body.toString());
        return j.token ?? j.access_token;
      }),
    );
  }
  return tokens.get(key);
};

let exists = 0;
let other = 0;
let next = 0;
const worker = async () => {
  while (next < parsed.length) {
    const { host, repository, tag } = parsed[next++];
    const t = await token(host, repository);
    const r = await send(`http://${host}/v2/${repository}/manifests/${tag}`, 'HEAD', {
      accept: ACCEPT,
      ...(t ? { authorization: `Bearer ${t}` } : {}),
    });
    if (r.status === 200) exists += 1;
    else other += 1;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
process.stdout.write(`${JSON.stringify({ exists, other, requests, tokens: tokens.size })}\n`);
