/**
 * Registry credentials the way Docker clients find them: `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`), in Docker's order: `credHelpers[<registry>]`, then `credsStore`, then
 * `auths[<registry>]` (`auth` = base64 "user:password", `identitytoken`, `registrytoken`).
 * Helpers run as `docker-credential-<name> get` with the server URL on stdin.
 * Every secret found is registered with the redactor before anything else sees it.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from './redact';
import { DOCKER_HUB } from './reference';

export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`, or a helper answering Username `<token>`). */
  identityToken?: string;
  /** A bearer token to send as is (`registrytoken`). */
  registryToken?: string;
  /** Where it came from, for messages: `/x/config.json auths["ghcr.io"]`, `docker-credential-gcloud`. */
  source: string;
}

export interface HelperResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CredentialDeps {
  env: Record<string, string | undefined>;
  homedir: () => string;
  /** File contents, or undefined when the file does not exist. */
  readFile: (file: string) => Promise<string | undefined>;
  /** Runs `docker-credential-<helper> get` with `serverUrl` on stdin. */
  runHelper: (helper: string, serverUrl: string, env: Record<string, string | undefined>) => Promise<HelperResult>;
}

export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

/** Key under which Docker stores Docker Hub credentials. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
/** A credential helper gets this long to answer (a keychain prompt never comes in CI). */
export const HELPER_TIMEOUT_MS = 30_000;
/** A helper's answer is a small JSON object; more output than this is not one. */
export const HELPER_OUTPUT_MAX = 1024 * 1024;
/** Docker config files are a few KiB; a bigger one is not read. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/**
 * The config file's text, or undefined when it does not exist. Opened without blocking (a FIFO
 * would otherwise wait for a writer forever), then only read when it is a regular file of
 * bounded size.
 */
async function readFileIfExists(file: string): Promise<string | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > CONFIG_MAX_BYTES) throw new Error(`larger than ${CONFIG_MAX_BYTES} bytes`);
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export interface HelperLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

/**
 * Spawns the helper found on `env.PATH`; never through a shell. It runs in its own process group,
 * so that on timeout or too much output the whole group (a script and what it started) is killed,
 * and the answer never waits on a grandchild that still holds the pipes open.
 */
export function spawnHelper(
  helper: string,
  serverUrl: string,
  env: Record<string, string | undefined>,
  limits: HelperLimits = { timeoutMs: HELPER_TIMEOUT_MS, maxOutputBytes: HELPER_OUTPUT_MAX },
): Promise<HelperResult> {
  return new Promise((resolve, reject) => {
    const name = `docker-credential-${helper}`;
    const child = spawn(name, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const abort = (why: string) => {
      killGroup();
      finish(() => reject(new Error(why)));
    };
    const timer = setTimeout(() => abort(`no answer within ${limits.timeoutMs / 1000} s`), limits.timeoutMs);
    const collect = (into: Buffer[]) => (b: Buffer) => {
      size += b.length;
      if (size > limits.maxOutputBytes) abort(`more than ${limits.maxOutputBytes} bytes of output`);
      else into.push(b);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => finish(() => reject(e)));
    child.on('exit', (code, signal) => {
      // Output already written is in the pipes; 'close' follows unless a grandchild holds them.
      const result = () =>
        finish(() =>
          resolve({
            code: code ?? (signal ? 128 : 1),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          }),
        );
      child.on('close', result);
      setTimeout(() => {
        killGroup();
        result();
      }, 1000).unref();
    });
    child.stdin.on('error', () => undefined); // helper exited before reading stdin
    child.stdin.end(serverUrl);
  });
}

export const defaultCredentialDeps: CredentialDeps = {
  env: process.env,
  homedir: () => os.homedir(),
  readFile: readFileIfExists,
  runHelper: spawnHelper,
};

export function dockerConfigPath(env: Record<string, string | undefined>, homedir: () => string): string {
  const dir = env.DOCKER_CONFIG && env.DOCKER_CONFIG.trim() !== '' ? env.DOCKER_CONFIG : path.join(homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** `https://host/v1/` and `HOST` both name `host` (Docker accepts both forms in config keys). */
export function normalizeConfigKey(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = DOCKER_HUB;
  return k;
}

/** The server URL a credential helper is asked about. */
export function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry;
}

/** Value of the entry whose key names `registry`: exact key first, then any equivalent form. */
function findEntry<T>(map: Record<string, T> | undefined, registry: string): [string, T] | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const exact = registry === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : registry;
  if (Object.prototype.hasOwnProperty.call(map, exact)) return [exact, map[exact]];
  const want = normalizeConfigKey(registry);
  for (const key of Object.keys(map)) if (normalizeConfigKey(key) === want) return [key, map[key]];
  return undefined;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const NOT_FOUND_RE = /credentials not found|not found in native keychain|no credentials/i;

async function fromHelper(helper: string, registry: string, deps: CredentialDeps, redactor: Redactor): Promise<Credential | undefined> {
  const name = `docker-credential-${helper}`;
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) throw new CredentialError(`invalid credential helper name ${JSON.stringify(helper)}`);
  let res: HelperResult;
  try {
    res = await deps.runHelper(helper, helperServerUrl(registry), deps.env);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CredentialError(`credential helper ${name} not found on PATH`);
    throw new CredentialError(`credential helper ${name} failed: ${redactor.redact(String((e as Error).message))}`);
  }
  // Parse first so the secret is registered before any of the output can reach a message.
  let parsed: { Username?: unknown; Secret?: unknown } | undefined;
  try {
    parsed = JSON.parse(res.stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed.Secret === 'string') redactor.add(parsed.Secret);
  if (res.code !== 0) {
    const text = `${res.stdout}\n${res.stderr}`;
    if (NOT_FOUND_RE.test(text)) return undefined;
    const first = redactor.redact(text.trim().split('\n')[0] ?? '').slice(0, 200);
    throw new CredentialError(`credential helper ${name} exited with ${res.code}${first ? `: ${first}` : ''}`);
  }
  if (!parsed || typeof parsed.Secret !== 'string') {
    throw new CredentialError(`credential helper ${name} returned no JSON with a Secret`);
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : undefined;
  if (parsed.Secret === '' && !username) return undefined;
  if (username === '<token>') return { identityToken: parsed.Secret, source: name };
  return { username, password: parsed.Secret, source: name };
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string], where: string, redactor: Redactor): Credential | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    redactor.add(entry.auth);
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new CredentialError(`${where}.auth is not base64 of "user:password"`);
    username = decoded.slice(0, i);
    password = decoded.slice(i + 1);
  }
  redactor.add(password);
  const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== '' ? entry.identitytoken : undefined;
  const registryToken = typeof entry.registrytoken === 'string' && entry.registrytoken !== '' ? entry.registrytoken : undefined;
  redactor.add(identityToken);
  redactor.add(registryToken);
  if (!password && !identityToken && !registryToken) return undefined;
  return { username: username || undefined, password: password || undefined, identityToken, registryToken, source: where };
}

/**
 * Credentials for `registry` (as in `ImageReference.registry`), or undefined for anonymous access.
 * Throws CredentialError when the config is unreadable or a configured helper fails.
 */
export async function lookupCredentials(
  registry: string,
  redactor: Redactor,
  overrides: Partial<CredentialDeps> = {},
): Promise<Credential | undefined> {
  const deps: CredentialDeps = { ...defaultCredentialDeps, ...overrides };
  const file = dockerConfigPath(deps.env, deps.homedir);
  let text: string | undefined;
  try {
    text = await deps.readFile(file);
  } catch (e) {
    throw new CredentialError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (text === undefined || text.trim() === '') return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch (e) {
    throw new CredentialError(`cannot parse ${file}: ${(e as Error).message.replace(/ in JSON at.*$/, '')}`);
  }
  if (!config || typeof config !== 'object') throw new CredentialError(`${file} is not a JSON object`);

  const helper = findEntry(config.credHelpers, registry);
  if (helper && typeof helper[1] === 'string' && helper[1] !== '') {
    const c = await fromHelper(helper[1], registry, deps, redactor);
    if (c) return c;
  } else if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    const c = await fromHelper(config.credsStore, registry, deps, redactor);
    if (c) return c;
  }
  const auth = findEntry(config.auths, registry);
  if (auth) return fromAuthEntry(auth[1], `${file} auths[${JSON.stringify(auth[0])}]`, redactor);
  return undefined;
}
