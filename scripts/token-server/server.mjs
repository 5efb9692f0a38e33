// Registry v2 token server for tests (the Docker Hub / GHCR flow). Node >= 20, no dependencies.
//
//   node server.mjs            (configured through the environment, see below)
//
// GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]   optional Basic user:password
// POST /token  (application/x-www-form-urlencoded, OAuth2 as `docker login` speaks it)
//        grant_type=password&username=U&password=P[&access_type=offline]  -> also a refresh_token
//        grant_type=refresh_token&refresh_token=R                            -> R is an "identity token"
//      with service, scope, client_id.
// Answers {token, access_token, expires_in, issued_at[, refresh_token]}: an RS256 JWT whose header
// carries x5c = [the signing certificate], which the registry trusts through `rootcertbundle`.
// Anonymous callers get only "pull"; a known user gets what the scope asks for.
//
// Environment: TOKEN_PORT (5600), TOKEN_HOST (127.0.0.1), TOKEN_KEY / TOKEN_CERT (PEM files),
// TOKEN_ISSUER (test-issuer), TOKEN_USERS_FILE (lines "user:password"), TOKEN_TTL (300 s),
// TOKEN_PID_FILE (written once listening).
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const env = process.env;
const port = Number(env.TOKEN_PORT || 5600);
const host = env.TOKEN_HOST || '127.0.0.1';
const issuer = env.TOKEN_ISSUER || 'test-issuer';
const ttl = Number(env.TOKEN_TTL || 300);
const key = fs.readFileSync(env.TOKEN_KEY);
const certDerB64 = fs
  .readFileSync(env.TOKEN_CERT, 'utf8')
  .replace(/-----[^-]+-----/g, '')
  .replace(/\s+/g, '');

const users = new Map();
for (const line of fs.readFileSync(env.TOKEN_USERS_FILE, 'utf8').split('\n')) {
  const i = line.indexOf(':');
  if (i > 0) users.set(line.slice(0, i), line.slice(i + 1).replace(/\r$/, ''));
}

const b64u = (b) => Buffer.from(b).toString('base64url');
const sign = (claims) => {
  const input = `${b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certDerB64] }))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
};
// Refresh ("identity") tokens are stateless: user + HMAC(user) under the signing key.
const refreshMac = (user) => crypto.createHmac('sha256', key).update(`refresh:${user}`).digest('base64url');
const refreshTokenFor = (user) => `rt.${b64u(user)}.${refreshMac(user)}`;
const userOfRefreshToken = (rt) => {
  const m = /^rt\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(rt || '');
  if (!m) return undefined;
  const user = Buffer.from(m[1], 'base64url').toString();
  const want = Buffer.from(refreshMac(user));
  const got = Buffer.from(m[2]);
  return users.has(user) && want.length === got.length && crypto.timingSafeEqual(want, got) ? user : undefined;
};

function issue(res, user, service, scopes, extra = {}) {
  const access = scopes
    .flatMap((s) => s.split(' '))
    .filter(Boolean)
    .map((s) => {
      const parts = s.split(':');
      const actions = (parts.pop() || '').split(',').filter(Boolean);
      const type = parts.shift();
      return { type, name: parts.join(':'), actions: user ? actions : actions.filter((a) => a === 'pull') };
    });
  const now = Math.floor(Date.now() / 1000);
  const token = sign({
    iss: issuer,
    sub: user,
    aud: service || 'test-registry',
    exp: now + ttl,
    nbf: now - 10,
    iat: now,
    jti: crypto.randomUUID(),
    access,
  });
  const body = { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString(), ...extra };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const deny = (res, status, detail) =>
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: detail }] }));

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://token.invalid');
  if (u.pathname === '/healthz') return res.writeHead(200).end('ok');
  if (u.pathname !== '/token') return res.writeHead(404).end();

  if (req.method === 'GET') {
    let user = '';
    const auth = req.headers.authorization || '';
    if (/^basic /i.test(auth)) {
      const s = Buffer.from(auth.slice(6), 'base64').toString();
      const i = s.indexOf(':');
      if (i < 0 || users.get(s.slice(0, i)) !== s.slice(i + 1)) return deny(res, 401, 'incorrect username or password');
      user = s.slice(0, i);
    }
    return issue(res, user, u.searchParams.get('service'), u.searchParams.getAll('scope'));
  }

  if (req.method === 'POST') {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 65536) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const grant = form.get('grant_type');
      const service = form.get('service');
      const scopes = form.getAll('scope');
      if (grant === 'password') {
        const user = form.get('username') || '';
        if (!users.has(user) || users.get(user) !== form.get('password')) return deny(res, 401, 'incorrect username or password');
        const extra = form.get('access_type') === 'offline' ? { refresh_token: refreshTokenFor(user) } : {};
        return issue(res, user, service, scopes, extra);
      }
      if (grant === 'refresh_token') {
        const user = userOfRefreshToken(form.get('refresh_token'));
        if (!user) return deny(res, 401, 'invalid refresh token');
        return issue(res, user, service, scopes);
      }
      return deny(res, 400, 'unsupported grant_type');
    });
    return undefined;
  }
  return res.writeHead(405).end();
});

server.listen(port, host, () => {
  if (env.TOKEN_PID_FILE) fs.writeFileSync(env.TOKEN_PID_FILE, `${process.pid}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
