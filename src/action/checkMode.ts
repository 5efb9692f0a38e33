import * as core from './core';
import type { PlannedImage } from '../plan/plan';
import { RegistryClient } from '../registry';
import { limiter } from '../util/limit';
import type { ImageStatus } from '../registry/types';
import { fieldWhere } from '../imagespec/postInit';
import { decide } from './decide';
import type { Inputs } from './inputs';
import { ImageRecord, notBuiltRecord, record } from './outputs';
import { annotationProps } from './report';

/**
 * The registry checks of one run. A check may start while specs are still being planned (`start`,
 * as each tag is known): on a no-op run the registry round trips are the whole cost, and this
 * overlaps them with reading the specs. Checks only read, so one started for a plan that turns
 * out invalid does no harm; `close` drops it.
 */
export class RegistryChecks {
  private readonly client: RegistryClient;
  private readonly gate: <R>(task: () => Promise<R>) => Promise<R>;
  private readonly started = new Map<string, Promise<ImageStatus>>();

  constructor(private readonly inputs: Inputs) {
    this.client = new RegistryClient({
      concurrency: inputs.concurrency,
      insecureRegistries: inputs.insecureRegistries,
      setSecret: (s) => core.setSecret(s),
      // The runner drops debug lines unless debug logging is on; a line per request, each a write
      // to stdout, was a tenth of a no-op run's time (bench/noop-check.mjs).
      log: core.isDebug() ? (line) => core.debug(line) : undefined,
    });
    this.gate = limiter(inputs.concurrency);
  }

  /** Starts checking an image unless that has started; images the action does not build are not asked about. */
  start(p: PlannedImage): void {
    if (p.notBuilt || this.started.has(p.key)) return;
    const platforms = p.spec.values.platform.kind === 'str' ? p.spec.values.platform.value : undefined;
    this.started.set(
      p.key,
      this.gate(() => this.client.check({ ref: p.image, platforms })),
    );
  }

  close(): void {
    this.client.close();
  }

  /** Checks whatever has not started, waits for all, and decides each image's status. */
  async finish(images: PlannedImage[]): Promise<{ records: ImageRecord[]; failures: string[] }> {
    images.forEach((p) => this.start(p));
    const statuses = new Map<string, ImageStatus>();
    try {
      for (const p of images) if (!p.notBuilt) statuses.set(p.key, await this.started.get(p.key)!);
    } finally {
      this.close();
    }
    const failures: string[] = [];
    const records = images.map((p) => {
      if (p.notBuilt) return notBuiltRecord(p, p.notBuilt);
      const d = decide(statuses.get(p.key)!, this.inputs.onUnknown);
      const r: ImageRecord = { ...record(p, d.status), reason: d.reason, digest: d.digest };
      const at = annotationProps(fieldWhere(p.spec, 'name'), this.inputs.workingDirectory, this.inputs.workspace);
      if (d.fatal) {
        core.error(`${p.image}: cannot tell whether the image exists: ${d.reason}`, { ...at, title: 'Registry check failed' });
        failures.push(p.key);
      } else if (d.status === 'unknown') {
        core.warning(`${p.image}: cannot tell whether the image exists (${d.reason}); on-unknown: ${this.inputs.onUnknown}`, at);
      }
      if (d.status === 'missing' && this.inputs.failOnMissing && this.inputs.mode === 'check') {
        core.error(`${p.image} is not in the registry`, { ...at, title: 'Image missing' });
        failures.push(p.key);
      }
      return r;
    });
    return { records, failures: [...new Set(failures)] };
  }
}
