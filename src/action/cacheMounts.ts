/**
 * The action's side of cache-mount persistence: `@actions/cache` and `docker buildx` wired to
 * src/cachemounts, the main step's restore and the post step's save, linked by the action's state.
 */
import * as cache from '@actions/cache';
import * as core from './core';
import { runTool } from './runTool';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PreparedContext } from '../docker/context';
import { mountCacheKeys, mountIdsUsed } from '../cachemounts/mounts';
import { MountIo, MountState, restoreMounts, saveMounts } from '../cachemounts/persist';
import { MOUNT_STATE } from './loadCacheMounts';

const io: MountIo = {
  cache: {
    restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
    save: (paths, key) => cache.saveCache(paths, key),
  },
  docker: (args) => runTool('docker', args),
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
};

const sha256File = (p: string): string => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/**
 * Before the builds: restore what earlier runs saved, and leave the post step what it needs to
 * save the mounts afterwards. Without a cache service (a local run) this is a no-op.
 */
export async function restoreCacheMounts(contexts: PreparedContext[], builder: string | undefined): Promise<void> {
  const ids = mountIdsUsed(contexts.map((c) => c.dockerfile));
  if (ids.length === 0) return;
  if (!cache.isFeatureAvailable()) {
    core.info('cache mounts: no GitHub Actions cache service here (ACTIONS_RESULTS_URL is not set); they are not kept');
    return;
  }
  const { key, restoreKeys } = mountCacheKeys(contexts, os.arch(), sha256File);
  const state: MountState = { dir: path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'imagespec-cache-mounts'), ids, key, builder };
  core.startGroup(`Restoring cache mounts (${ids.join(', ')})`);
  try {
    state.matchedKey = await restoreMounts(state, restoreKeys, io);
  } finally {
    core.endGroup();
  }
  core.saveState(MOUNT_STATE, JSON.stringify(state));
}

/** The post step: save the mounts main restored (or started empty). */
export async function saveCacheMounts(): Promise<void> {
  const raw = core.getState(MOUNT_STATE);
  if (!raw) return;
  const state = JSON.parse(raw) as MountState;
  core.startGroup(`Saving cache mounts (${state.ids.join(', ')})`);
  try {
    await saveMounts(state, io);
  } finally {
    core.endGroup();
  }
}
