// The post step runs at the end of the job, after every build of the main step: it saves the
// BuildKit cache mounts. A cache problem is never a job failure.
import * as core from '@actions/core';
import { saveCacheMounts } from './action/cacheMounts';

saveCacheMounts().catch((e: unknown) => core.warning(`cache mounts: not saved: ${e instanceof Error ? e.message : String(e)}`));
