import * as core from '@actions/core';
import type { PlannedImage } from '../plan/plan';
import { checkImages } from '../registry';
import { fieldWhere } from '../spec/postInit';
import { decide } from './decide';
import type { Inputs } from './inputs';
import { ImageRecord, record } from './outputs';
import { annotationProps } from './report';

/** Ask the registries about every image that a builder would produce; noop images are someone else's. */
export async function runCheckMode(inputs: Inputs, images: PlannedImage[]): Promise<{ records: ImageRecord[]; failures: string[] }> {
  const checked = images.filter((p) => !p.noop);
  const results = await checkImages(
    checked.map((p) => ({ ref: p.image, platforms: p.spec.values.platform.kind === 'str' ? p.spec.values.platform.value : undefined })),
    {
      concurrency: inputs.concurrency,
      insecureRegistries: inputs.insecureRegistries,
      setSecret: (s) => core.setSecret(s),
      log: (line) => core.debug(line),
    },
  );
  const failures: string[] = [];
  const records = images.map((p) => {
    if (p.noop) return { ...record(p, 'skipped'), reason: 'builder: noop uses base_image as it is' };
    const d = decide(results[checked.indexOf(p)].result, inputs.onUnknown);
    const r: ImageRecord = { ...record(p, d.status), reason: d.reason, digest: d.digest };
    const at = annotationProps(fieldWhere(p.spec, 'name'), inputs.workingDirectory, inputs.workspace);
    if (d.fatal) {
      core.error(`${p.image}: cannot tell whether the image exists: ${d.reason}`, { ...at, title: 'Registry check failed' });
      failures.push(p.file.key);
    } else if (d.status === 'unknown') {
      core.warning(`${p.image}: cannot tell whether the image exists (${d.reason}); on-unknown: ${inputs.onUnknown}`, at);
    }
    if (d.status === 'missing' && inputs.failOnMissing && inputs.mode === 'check') {
      core.error(`${p.image} is not in the registry`, { ...at, title: 'Image missing' });
      failures.push(p.file.key);
    }
    return r;
  });
  return { records, failures: [...new Set(failures)] };
}

