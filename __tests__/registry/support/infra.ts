/**
 * Real servers for the registry tests: the three registries of scripts/lib/registry.sh (started
 * idempotently, never skipped: a missing server fails the test), the fault proxy, and small
 * helpers (a closed port, a fake clock, a temporary Docker config).
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Clock } from '../../../src/registry';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
const REGISTRY_SH = path.join(REPO_ROOT, 'scripts/lib/registry.sh');

export interface Registries {
  plain: string;
  tls: string;
  tlsCa: string;
  token: string;
  tokenRealm: string;
  tokenService: string;
  user: string;
  password: string;
  /** Repository holding the pushed test images (tags below). */
  repo: string;
}

/** Tags pushed by `registry.sh fixtures` to every registry. */
export const FIXTURE_TAGS = {
  ociManifest: 'oci-manifest',
  dockerV2: 'docker-v2',
  arm64Manifest: 'arm64-manifest',
  ociIndex: 'oci-index',
  dockerList: 'docker-list',
  partialIndex: 'partial-index',
  partialList: 'partial-list',
} as const;

function run(cmd: string): string {
  try {
    return execFileSync('bash', [REGISTRY_SH, cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`registry.sh ${cmd} failed: ${err.stderr || err.stdout || err.message}`, { cause: e });
  }
}

let cached: Registries | undefined;

/** Starts the registries (fast when they already run), pushes the fixtures, returns their coordinates. */
export function startRegistries(): Registries {
  if (cached) return cached;
  run('start');
  run('fixtures');
  const env: Record<string, string> = {};
  for (const line of run('env').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  const need = (k: string) => {
    if (!env[k]) throw new Error(`registry.sh env printed no ${k}`);
    return env[k];
  };
  cached = {
    plain: need('REGISTRY_PLAIN'),
    tls: need('REGISTRY_TLS'),
    tlsCa: need('REGISTRY_TLS_CA'),
    token: need('REGISTRY_TOKEN'),
    tokenRealm: need('REGISTRY_TOKEN_REALM'),
    tokenService: need('REGISTRY_TOKEN_SERVICE'),
    user: need('REGISTRY_USER'),
    password: need('REGISTRY_PASSWORD'),
    repo: need('REGISTRY_FIXTURE_REPO'),
  };
  return cached;
}

// ---------------------------------------------------------------- fault proxy

/**
 * Copy the loopback registry's fixture image `tag` to `dest` with skopeo (`extra`: e.g. `--all`
 * for every platform of an index, `--dest-creds`), so a tag the action computes really exists.
 */
export function copyFixture(reg: Registries, tag: string, dest: string, extra: string[] = []): void {
  execFileSync(
    'skopeo',
    [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...extra,
      `docker://${reg.plain}/${reg.repo}:${tag}`,
      `docker://${dest}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

export interface ProxyRule {
  method?: string;
  path?: string;
  times?: number;
  action: 'respond' | 'reset' | 'hang' | 'delay';
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export interface ProxyStats {
  requests: number;
  connections: number;
  badRequests: number;
  maxInFlight: number;
  log: Array<{ method: string; path: string; action: string; status?: number }>;
}

export interface FaultProxy {
  /** host:port, usable as a registry host in references. */
  hostport: string;
  setRules(rules: ProxyRule[]): Promise<void>;
  stats(): Promise<ProxyStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

function control(port: number, method: string, p: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: p, agent: false, headers: data ? { 'content-type': 'application/json' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`proxy control ${method} ${p}: ${res.statusCode} ${text}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Starts scripts/fault-proxy/proxy.mjs in front of `target` (host:port). */
export async function startProxy(target: string): Promise<FaultProxy> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'scripts/fault-proxy/proxy.mjs'), '--target', `http://${target}`, '--port', '0'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`fault proxy did not start: ${err}`)), 10_000);
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`fault proxy exited with ${code}: ${err}`)));
  });
  return {
    hostport: `127.0.0.1:${port}`,
    setRules: async (rules) => {
      await control(port, 'PUT', '/__proxy/rules', rules);
    },
    stats: async () => JSON.parse(await control(port, 'GET', '/__proxy/stats')) as ProxyStats,
    resetStats: async () => {
      await control(port, 'DELETE', '/__proxy/stats');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------- misc

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A clock whose sleeps return at once and are recorded. */
export function fakeClock(start = 1_700_000_000_000): Clock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `imagespec-${prefix}-`));
}

/** Writes `<dir>/config.json` and returns the directory (for DOCKER_CONFIG). */
export function dockerConfig(config: unknown): string {
  const dir = tempDir('docker-config');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
