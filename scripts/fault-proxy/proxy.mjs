// Fault-injection HTTP proxy for tests. Node >= 20, no dependencies.
//
//   node proxy.mjs --target http://127.0.0.1:5000 [--port 0] [--host 127.0.0.1]
//
// Prints one JSON line {"port":N,"pid":P} on stdout once listening, then forwards every request to
// the target unless a rule matches. Control endpoints (never forwarded):
//   PUT    /__proxy/rules   JSON array of rules (replaces them)      DELETE /__proxy/rules
//   GET    /__proxy/stats   {requests, connections (sockets that carried proxied requests), badRequests
//                            (e.g. TLS hellos), maxInFlight, bytes (response body bytes forwarded
//                            from the target), log:[{method,path,action,status}]}
//   DELETE /__proxy/stats   reset counters and log
// A rule: {
//   method?: "HEAD"|"GET"|...,  path?: "regex" (matched against the path+query),
//   times?: n                   (applies to the next n matching requests, then expires; default always)
//   action: "respond" | "reset" | "hang" | "delay",
//   status?, headers?, body?    (respond; body and header values are templates, see below)
//   delayMs?                    (delay: wait, then forward; respond: wait, then respond)
// }
// Templates: {{authorization}} (the request's Authorization header), {{authorization.decoded}}
// (its Basic part base64-decoded), {{self}} (http://host:port of this proxy).
import http from 'node:http';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const target = new URL(opt('target', 'http://127.0.0.1:5000'));
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', '0'));

let rules = [];
let stats = { requests: 0, connections: 0, badRequests: 0, maxInFlight: 0, bytes: 0, log: [] };
const counted = new WeakSet(); // sockets that carried a proxied (non-control) request
let inFlight = 0;
let self = '';

const render = (template, req) => {
  const auth = req.headers.authorization || '';
  const basic = /^basic\s+(.*)$/i.exec(auth);
  const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
  return String(template)
    .replaceAll('{{authorization}}', auth)
    .replaceAll('{{authorization.decoded}}', decoded)
    .replaceAll('{{self}}', self);
};

const readBody = (req) =>
  new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

function control(req, res, path) {
  const json = (status, obj) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
  if (path === '/__proxy/rules' && (req.method === 'PUT' || req.method === 'POST')) {
    return readBody(req).then((text) => {
      try {
        const parsed = JSON.parse(text || '[]');
        if (!Array.isArray(parsed)) throw new Error('rules must be an array');
        rules = parsed.map((r) => ({ ...r, re: r.path ? new RegExp(r.path) : undefined }));
        json(200, { rules: rules.length });
      } catch (e) {
        json(400, { error: String(e.message) });
      }
    });
  }
  if (path === '/__proxy/rules' && req.method === 'DELETE') {
    rules = [];
    return json(200, { rules: 0 });
  }
  if (path === '/__proxy/stats' && req.method === 'GET') return json(200, stats);
  if (path === '/__proxy/stats' && req.method === 'DELETE') {
    stats = { requests: 0, connections: 0, badRequests: 0, maxInFlight: 0, bytes: 0, log: [] };
    return json(200, {});
  }
  return json(404, { error: 'unknown control endpoint' });
}

function pickRule(req) {
  for (const r of rules) {
    if (r.times !== undefined && r.times <= 0) continue;
    if (r.method && r.method.toUpperCase() !== req.method) continue;
    if (r.re && !r.re.test(req.url)) continue;
    if (r.times !== undefined) r.times -= 1;
    return r;
  }
  return undefined;
}

function forward(req, res, entry, done) {
  const upstream = http.request(
    { host: target.hostname, port: target.port || 80, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      entry.status = up.statusCode;
      res.writeHead(up.statusCode, up.headers);
      up.on('data', (chunk) => (stats.bytes += chunk.length));
      up.pipe(res);
      up.on('end', done);
    },
  );
  upstream.on('error', (e) => {
    entry.status = 502;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: upstream error ${e.code || e.message}`);
    done();
  });
  req.pipe(upstream);
}

const server = http.createServer({ keepAlive: true }, (req, res) => {
  const path = req.url || '/';
  if (path.startsWith('/__proxy/')) return control(req, res, path);
  stats.requests += 1;
  if (!counted.has(req.socket)) {
    counted.add(req.socket);
    stats.connections += 1;
  }
  inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
  let finished = false;
  const done = () => {
    if (!finished) {
      finished = true;
      inFlight -= 1;
    }
  };
  res.on('close', done);
  const rule = pickRule(req);
  const entry = { method: req.method, path, action: rule ? rule.action : 'forward' };
  if (stats.log.length < 5000) stats.log.push(entry);
  if (!rule) return forward(req, res, entry, done);
  switch (rule.action) {
    case 'reset':
      req.socket.destroy();
      return done();
    case 'hang':
      return undefined; // the client's deadline ends it
    case 'delay':
      return void setTimeout(() => (req.socket.destroyed ? done() : forward(req, res, entry, done)), rule.delayMs || 0);
    case 'respond':
    default: {
      const send = () => {
        if (req.socket.destroyed) return done();
        const headers = {};
        for (const [k, v] of Object.entries(rule.headers || {})) headers[k] = render(v, req);
        const body = rule.body === undefined ? '' : render(rule.body, req);
        if (!headers['content-type'] && body) headers['content-type'] = 'application/json';
        entry.status = rule.status || 500;
        res.writeHead(entry.status, headers).end(req.method === 'HEAD' ? undefined : body);
        done();
      };
      // drain the request body first
      req.resume();
      return void (rule.delayMs ? setTimeout(send, rule.delayMs) : send());
    }
  }
});
// TLS hellos (clients probing for HTTPS) and other garbage: answer 400 and close, like any server.
server.on('clientError', (_e, socket) => {
  stats.badRequests += 1;
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  else socket.destroy();
});
server.listen(port, host, () => {
  const addr = server.address();
  self = `http://${host}:${addr.port}`;
  process.stdout.write(`${JSON.stringify({ port: addr.port, pid: process.pid })}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
