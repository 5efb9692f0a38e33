/**
 * The benchmarks wait for a build of their own checkout, and only for it: `scripts/build.mjs` holds
 * the checkout's lock (scripts/lib/build-lock.cjs) while it rewrites dist/, and `snapshotAction`
 * (bench/lib/common.mjs) waits while a live process holds that lock. An unrelated process whose
 * command line says `npm run build`, or a build of another checkout, does not make it wait; a lock
 * left behind by a killed build is stale. Real processes throughout; the one stand-in is the
 * bundler (a script in place of ncc that writes its output slowly), since the test is about the
 * lock, not about bundling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/runner';

interface Holder {
  pid: number;
  start: string;
  since: string;
}
interface BuildLock {
  LOCK_NAME: string;
  lockPath(root: string): string;
  lockHolder(root: string): Holder | undefined;
  acquireBuildLock(root: string, opts?: { timeoutMs?: number; pollMs?: number; onWait?: (h: Holder) => void }): Promise<() => void>;
  processStart(pid: number): string | undefined;
}
const LOCK_MODULE = path.join(REPO_ROOT, 'scripts', 'lib', 'build-lock.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lock = require(LOCK_MODULE) as BuildLock;
const COMMON = path.join(REPO_ROOT, 'bench', 'lib', 'common.mjs');

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lock-'));
  dirs.push(d);
  return d;
}

/** A checkout with a complete dist/ written long enough ago for a benchmark to take it. */
function checkout(): string {
  const root = tempDir();
  fs.copyFileSync(path.join(REPO_ROOT, 'action.yml'), path.join(root, 'action.yml'));
  for (const f of ['dist/index.js', 'dist/post/index.js']) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '// bundle\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(root, f), old, old);
  }
  return root;
}

function start(args: string[], opts: { cwd?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: opts.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Resolves with stdout once it contains `text`. */
function waitFor(child: ChildProcess, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing ${text}: ${out}${err}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A process that takes the lock of `root`, says so, and holds it until its stdin closes. */
async function holdLock(root: string): Promise<ChildProcess> {
  const child = start([
    '-e',
    `require(${JSON.stringify(LOCK_MODULE)}).acquireBuildLock(${JSON.stringify(root)}).then(() => {
       process.stdout.write('held\\n');
       process.stdin.resume();
       process.stdin.on('end', () => process.exit(0));
     });`,
  ]);
  await waitFor(child, 'held');
  return child;
}

/** `snapshotAction(root)` of the benchmarks in a process of its own; prints `ok <ms> <dist/index.js>` or the error. */
function snapshot(root: string, timeoutMs: number): ChildProcess {
  return start([
    '--input-type=module',
    '-e',
    `import { snapshotAction } from ${JSON.stringify(COMMON)};
     import * as fs from 'node:fs';
     const t0 = Date.now();
     try {
       const dir = snapshotAction(${JSON.stringify(root)}, { timeoutMs: ${timeoutMs}, pollMs: 100 });
       const ok = fs.existsSync(dir + '/dist/index.js') && fs.existsSync(dir + '/dist/post/index.js');
       const bundle = ok ? fs.readFileSync(dir + '/dist/index.js', 'utf8') : '';
       fs.rmSync(dir, { recursive: true, force: true });
       console.log(ok ? 'ok ' + (Date.now() - t0) + ' ' + bundle : 'incomplete');
     } catch (e) {
       console.log('error ' + e.message);
     }`,
  ]);
}

describe('the lock file', () => {
  test('holds the pid and start time of its holder, and is gone once released', async () => {
    const root = tempDir();
    const release = await lock.acquireBuildLock(root);
    const holder = lock.lockHolder(root);
    expect(holder).toMatchObject({ pid: process.pid, start: lock.processStart(process.pid) });
    release();
    expect(fs.existsSync(lock.lockPath(root))).toBe(false);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('a second holder waits for the first, and gets the lock when the first exits', async () => {
    const root = tempDir();
    const first = await holdLock(root);
    let waitedFor: number | undefined;
    await expect(lock.acquireBuildLock(root, { timeoutMs: 500, pollMs: 50, onWait: (h) => (waitedFor = h.pid) })).rejects.toThrow(
      new RegExp(`held by pid ${first.pid}`),
    );
    expect(waitedFor).toBe(first.pid);

    const second = lock.acquireBuildLock(root, { timeoutMs: 20_000, pollMs: 50 });
    first.stdin?.end();
    const release = await second;
    expect(lock.lockHolder(root)?.pid).toBe(process.pid);
    release();
  });

  test('a lock left by a killed build is stale, and the next build takes it', async () => {
    const root = tempDir();
    const holder = await holdLock(root);
    expect(lock.lockHolder(root)?.pid).toBe(holder.pid);
    holder.kill('SIGKILL');
    await exited(holder);
    expect(fs.existsSync(lock.lockPath(root))).toBe(true);
    expect(lock.lockHolder(root)).toBeUndefined();
    const release = await lock.acquireBuildLock(root, { timeoutMs: 1000 });
    expect(lock.lockHolder(root)?.pid).toBe(process.pid);
    release();
  });

  test.each([
    ['a live pid with another start time (pid reuse)', () => JSON.stringify({ pid: process.pid, start: 'earlier', since: 'x' })],
    ['garbage', () => 'not json'],
    ['a pid that is not a number', () => JSON.stringify({ pid: 'x', start: '1' })],
  ])('a lock naming %s is stale', async (_what, content) => {
    const root = tempDir();
    fs.writeFileSync(lock.lockPath(root), content());
    expect(lock.lockHolder(root)).toBeUndefined();
    const release = await lock.acquireBuildLock(root, { timeoutMs: 1000 });
    expect(lock.lockHolder(root)?.pid).toBe(process.pid);
    release();
  });
});

describe('the benchmark snapshot of dist/', () => {
  test('does not wait for an unrelated process whose command line says npm run build', async () => {
    const root = checkout();
    const unrelated = start(['-e', 'setTimeout(() => {}, 60000)', 'npm', 'run', 'build']);
    await new Promise((r) => setTimeout(r, 200));
    if (process.platform === 'linux') {
      // What the benchmark used to look for, so the case is a real one.
      expect(fs.readFileSync(`/proc/${unrelated.pid}/cmdline`, 'utf8').replace(/\0/g, ' ')).toContain('npm run build');
    }
    // The unrelated process outlives the snapshot's 3 s: waiting for it would end in an error.
    const r = await exited(snapshot(root, 3000));
    expect(r.stdout).toMatch(/^ok \d+/);
  });

  test('does not wait for a build of another checkout', async () => {
    const root = checkout();
    const other = checkout();
    await holdLock(other);
    const r = await exited(snapshot(root, 3000));
    expect(r.stdout).toMatch(/^ok \d+/);
  });

  test('waits while a build of its own checkout holds the lock, and takes dist/ after it', async () => {
    const root = checkout();
    const holder = await holdLock(root);
    expect((await exited(snapshot(root, 1000))).stdout).toMatch(/^error no complete dist\/.*npm run build of this checkout is running/);

    const child = snapshot(root, 20_000);
    const waiting = exited(child);
    await new Promise((r) => setTimeout(r, 1500));
    // Still waiting a second and a half later, with a complete dist/ in front of it.
    expect(child.exitCode).toBeNull();
    holder.stdin?.end();
    expect((await waiting).stdout).toMatch(/^ok \d+/);
  });

  test('does not wait for a lock left by a killed build', async () => {
    const root = checkout();
    const holder = await holdLock(root);
    holder.kill('SIGKILL');
    await exited(holder);
    expect(fs.existsSync(lock.lockPath(root))).toBe(true);
    const r = await exited(snapshot(root, 3000));
    expect(r.stdout).toMatch(/^ok \d+/);
  });
});

describe('scripts/build.mjs', () => {
  /** A checkout whose bundler writes each bundle after `delayMs`: build.mjs as it is, ncc replaced. */
  function buildableCheckout(delayMs: number): string {
    const root = checkout();
    fs.mkdirSync(path.join(root, 'scripts', 'lib'), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'scripts', 'build.mjs'), path.join(root, 'scripts', 'build.mjs'));
    fs.copyFileSync(LOCK_MODULE, path.join(root, 'scripts', 'lib', 'build-lock.cjs'));
    // build.mjs also copies the exact engine's Python helpers next to the bundle.
    fs.copyFileSync(path.join(REPO_ROOT, 'scripts', 'lib', 'python-helpers.mjs'), path.join(root, 'scripts', 'lib', 'python-helpers.mjs'));
    fs.mkdirSync(path.join(root, 'src', 'exact', 'python'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'exact', 'python', 'helper.py'), '# a helper\n');
    const ncc = path.join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    fs.mkdirSync(path.dirname(ncc), { recursive: true });
    fs.writeFileSync(
      ncc,
      `const fs = require('node:fs');
       const out = process.argv[process.argv.indexOf('-o') + 1];
       setTimeout(() => {
         fs.mkdirSync(out, { recursive: true });
         fs.writeFileSync(out + '/index.js', '// new bundle\\n');
       }, ${delayMs});`,
    );
    return root;
  }

  test('holds the lock while it rewrites dist/; a benchmark waits and takes the new dist/; a second build waits', async () => {
    const root = buildableCheckout(3000);
    const build = start([path.join(root, 'scripts', 'build.mjs')], { cwd: root });
    const built = exited(build);
    // The lock appears before dist/ is emptied.
    const t0 = Date.now();
    while (!lock.lockHolder(root) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(lock.lockHolder(root)?.pid).toBe(build.pid);

    const second = start([path.join(root, 'scripts', 'build.mjs')], { cwd: root });
    const secondOut = exited(second);
    const bench = exited(snapshot(root, 30_000));

    expect((await built).code).toBe(0);
    const s = await secondOut;
    expect(s.code).toBe(0);
    expect(s.stdout).toContain(`waiting for the build of this checkout running as pid ${build.pid}`);
    const b = await bench;
    expect(b.stdout).toMatch(/^ok \d+ \/\/ new bundle\n/);
    expect(fs.readFileSync(path.join(root, 'dist', 'index.js'), 'utf8')).toBe('// new bundle\n');
    expect(fs.readFileSync(path.join(root, 'dist', 'exact', 'helper.py'), 'utf8')).toBe('# a helper\n');
    expect(fs.existsSync(lock.lockPath(root))).toBe(false);
  }, 60_000);
});
