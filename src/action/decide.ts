import type { ImageStatus } from '../registry/types';
import type { ImageStatusName } from './outputs';

export type OnUnknown = 'fail' | 'build' | 'skip';

/** What the action does with one image, given what the registry said. Pure, so every rule is unit-tested. */
export interface Decision {
  /** The status reported in outputs: `exists`, `missing` or `unknown`. */
  status: 'exists' | 'missing' | 'unknown';
  reason?: string;
  digest?: string;
  /** Counts as missing: built in build mode, listed in `missing`, fails a `fail-on-missing` gate. */
  needsBuild: boolean;
  /** An unknown status that must fail the step (`on-unknown: fail`). */
  fatal: boolean;
}

export function decide(s: ImageStatus, onUnknown: OnUnknown): Decision {
  switch (s.status) {
    case 'exists':
      return { status: 'exists', digest: s.digest, needsBuild: false, fatal: false };
    case 'missing': {
      const absent = s.absentPlatforms?.length ? ` (absent platforms: ${s.absentPlatforms.join(', ')})` : '';
      return { status: 'missing', reason: s.reason + absent, needsBuild: true, fatal: false };
    }
    case 'unknown':
      return { status: 'unknown', reason: s.reason, needsBuild: onUnknown === 'build', fatal: onUnknown === 'fail' };
  }
}

/**
 * Whether build mode builds an image, given its status after the registry check. The `matrix`
 * output uses the same rule, so a check job fans out exactly the builds a build job would run.
 */
export function needsBuild(notBuilt: boolean, status: ImageStatusName, o: { force: boolean; onUnknown: OnUnknown }): boolean {
  return !notBuilt && (o.force || status === 'missing' || (status === 'unknown' && o.onUnknown === 'build'));
}
