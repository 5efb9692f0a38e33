// The post step runs at the end of the job, after every build of the main step: it saves the
// BuildKit cache mounts. A cache problem is never a job failure.
import * as core from './action/core';
import { loadCacheMounts, MOUNT_STATE } from './action/loadCacheMounts';

async function post(): Promise<void> {
  // Most jobs restored no mounts (plan, check, nothing to build): they skip loading the cache code.
  if (!core.getState(MOUNT_STATE)) return;
  await loadCacheMounts().saveCacheMounts();
}

post().catch((e: unknown) => core.warning(`cache mounts: not saved: ${e instanceof Error ? e.message : String(e)}`));
