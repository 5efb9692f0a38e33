// The network model of the benchmarks: a reverse proxy in front of one service (package index,
// GitHub cache service, registry) that adds a fixed latency to every request and passes bytes at a
// fixed bandwidth, each direction a link of its own shared by every request in flight, and counts
// what crosses it. The Host header goes upstream unchanged, so the URLs a service builds from it
// (a registry's upload Location, the cache service's blob URLs) lead back through the proxy.
import * as http from 'node:http';
import { pipeline, Transform } from 'node:stream';

/** One direction of a link: requests queue for it in the order their bytes arrive. */
class Link {
  constructor(bytesPerSecond) {
    this.msPerByte = 1000 / bytesPerSecond;
    this.free = 0; // when the link has sent everything queued so far (performance.now() time)
    this.bytes = 0;
  }
  /** Queues `n` bytes; resolves the delay in ms until they have crossed. */
  reserve(n) {
    const now = performance.now();
    this.free = Math.max(now, this.free) + n * this.msPerByte;
    this.bytes += n;
    return this.free - now;
  }
}

/** Copies `src` to `dst`, each chunk released when the link has carried it. */
function paced(src, dst, link) {
  const delay = new Transform({
    transform(chunk, _enc, done) {
      setTimeout(() => done(null, chunk), link.reserve(chunk.length));
    },
  });
  pipeline(src, delay, dst, () => {});
}

/**
 * Starts a shaping proxy in front of `target` (http://host:port) on a free loopback port:
 * `latencyMs` before each request goes upstream, `mbps` (MB/s, 10^6 bytes) each way.
 */
export async function startShaper(target, { latencyMs, mbps }) {
  const t = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const rate = mbps * 1e6;
  let down = new Link(rate);
  let up = new Link(rate);
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    req.pause();
    setTimeout(() => {
      const upstream = http.request(
        { host: t.hostname, port: t.port || 80, method: req.method, path: req.url, headers: req.headers, agent },
        (ures) => {
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          paced(ures, res, down);
        },
      );
      upstream.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(String(e));
        else res.destroy(e);
      });
      res.on('close', () => upstream.destroy());
      paced(req, upstream, up);
      req.resume();
    }, latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    hostport: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    /** Bytes downloaded (upstream → client) and uploaded, and requests, since the last reset. */
    stats: () => ({ down: down.bytes, up: up.bytes, requests }),
    reset() {
      down = new Link(rate);
      up = new Link(rate);
      requests = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
