// The lock `npm run build` holds in its own checkout while it rewrites dist/ (`.build.lock` at the
// root), so that whatever reads dist/ from that checkout (the benchmarks) waits for that build, and
// only for it: builds in other checkouts, and other processes whose command line merely mentions a
// build, do not concern it.
//
// The file holds the holder's pid and that process's start time. A lock whose process is gone, or
// whose pid now belongs to a process started later (pid reuse), is stale: a build that was killed
// leaves one behind, and the next build or reader ignores it. Shared by scripts/build.mjs and
// bench/lib/common.mjs; plain CommonJS so that both, and the tests, can load it.
const fs = require('node:fs');
const path = require('node:path');

const LOCK_NAME = '.build.lock';

/** @param {string} root */
const lockPath = (root) => path.join(root, LOCK_NAME);

/**
 * When process `pid` started, as an opaque string: Linux's start time in clock ticks since boot
 * (/proc/<pid>/stat, field 22); elsewhere '' for any live process. Undefined when there is no such
 * process.
 * @param {number} pid
 * @returns {string | undefined}
 */
function processStart(pid) {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return undefined; // exited, not yet reaped
    return fields[19];
  }
  try {
    process.kill(pid, 0);
    return '';
  } catch (e) {
    return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM' ? '' : undefined;
  }
}

/**
 * The live holder of the lock in `root`, or undefined when there is no lock or it is stale.
 * @param {string} root
 * @returns {{ pid: number, start: string, since: string } | undefined}
 */
function lockHolder(root) {
  let text;
  try {
    text = fs.readFileSync(lockPath(root), 'utf8');
  } catch {
    return undefined;
  }
  return liveHolder(text);
}

/** @param {string} text @returns {{ pid: number, start: string, since: string } | undefined} */
function liveHolder(text) {
  let lock;
  try {
    lock = JSON.parse(text);
  } catch {
    return undefined; // never half written (see acquire), so garbage is stale
  }
  if (typeof lock !== 'object' || lock === null || typeof lock.pid !== 'number' || typeof lock.start !== 'string') return undefined;
  return processStart(lock.pid) === lock.start ? lock : undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock of `root` for this process, waiting while another live process holds it (a second
 * `npm run build` of the same checkout), at most `timeoutMs`. Resolves with `release()`, which is
 * also called when the process exits; a process killed by a signal leaves a stale lock behind.
 * @param {string} root
 * @param {{ timeoutMs?: number, pollMs?: number, onWait?: (holder: { pid: number }) => void }} [opts]
 * @returns {Promise<() => void>}
 */
async function acquireBuildLock(root, { timeoutMs = 600_000, pollMs = 200, onWait } = {}) {
  const file = lockPath(root);
  const start = processStart(process.pid);
  if (start === undefined) throw new Error('cannot read this process start time');
  const content = `${JSON.stringify({ pid: process.pid, start, since: new Date().toISOString() })}\n`;
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    // Written aside, then linked into place: the lock file appears with its content or not at all.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(tmp, content);
    let taken = false;
    try {
      fs.linkSync(tmp, file);
      taken = true;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    if (taken) break;

    let current;
    try {
      current = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // released in between
    }
    const holder = liveHolder(current);
    if (!holder) {
      removeIfStill(file, current);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${file} is held by pid ${holder.pid} since ${holder.since}`);
    if (!told) onWait?.(holder);
    told = true;
    await sleep(pollMs);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    removeIfStill(file, content);
  };
  process.on('exit', release);
  return release;
}

/**
 * Removes `file` if it still holds `content`. Moved aside first, atomically, so that a lock another
 * process took in the meantime is put back instead of deleted.
 * @param {string} file @param {string} content
 */
function removeIfStill(file, content) {
  const aside = `${file}.gone.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // already gone
  }
  if (fs.readFileSync(aside, 'utf8') !== content) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process holds the lock now; the one moved aside had been replaced anyway.
    }
  }
  fs.rmSync(aside, { force: true });
}

module.exports = { LOCK_NAME, lockPath, lockHolder, acquireBuildLock, processStart };
