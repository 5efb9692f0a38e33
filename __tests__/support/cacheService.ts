/** The GitHub Actions cache-service stand-in (scripts/gha-cache/server.mjs) as a child process. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './runner';

const SERVER = path.join(REPO_ROOT, 'scripts', 'gha-cache', 'server.mjs');

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  scope: string;
  size: number;
  done: boolean;
}

export interface CacheService {
  url: string;
  /** The variables the runner gives a node action that may use the cache (v2 service). */
  env(scopes?: string[]): Record<string, string>;
  entries(): Promise<CacheEntry[]>;
  requests(): Promise<Array<{ method: string; path: string }>>;
  control(body: { quotaBytes?: number | null; fail?: string[] }): Promise<void>;
  stop(): Promise<void>;
}

export function mintToken(scopes: string[] = ['refs/heads/main']): string {
  return execFileSync(process.execPath, [SERVER, '--mint-token', ...scopes], { encoding: 'utf8' }).trim();
}

export async function startCacheService(): Promise<CacheService> {
  const child: ChildProcess = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`cache server exited with ${code}`)));
  });
  const get = async <T>(p: string): Promise<T> => (await (await fetch(url + p)).json()) as T;
  return {
    url,
    env: (scopes) => ({ ACTIONS_RESULTS_URL: url, ACTIONS_RUNTIME_TOKEN: mintToken(scopes), ACTIONS_CACHE_SERVICE_V2: 'True' }),
    entries: () => get('_control/entries'),
    requests: () => get('_control/requests'),
    async control(body) {
      await fetch(url + '_control', { method: 'POST', body: JSON.stringify(body) });
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill();
      }),
  };
}
