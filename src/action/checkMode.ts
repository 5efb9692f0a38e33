import * as core from './core';
import type { PlannedImage } from '../plan/plan';
import type { Flyte2Planned } from '../plan/flyte2';
import { RegistryClient } from '../registry';
import type { ImageCheckResult, ImageQuery } from '../registry/check';
import { flyte2Checks, flyte2Queries } from '../flyte2/check';
import { limiter } from '../util/limit';
import type { ImageStatus } from '../registry/types';
import { fieldWhere } from '../imagespec/postInit';
import type { Where } from '../errors';
import { decide } from './decide';
import type { Inputs } from './inputs';
import { flyte2Record, ImageRecord, notBuiltRecord, record } from './outputs';
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
  /** Flyte 2 checks by query (reference and platforms): environments with equal images share one. */
  private readonly startedFlyte2 = new Map<string, Promise<ImageStatus>>();

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

  /** Starts checking the Flyte 2 images the SDK would build (flyte2Queries: those with a registry). */
  startFlyte2(images: readonly Flyte2Planned[]): void {
    for (const q of flyte2Queries(images.map((p) => p.sdk))) {
      const k = queryKey(q);
      if (!this.startedFlyte2.has(k))
        this.startedFlyte2.set(
          k,
          this.gate(() => this.client.check(q)),
        );
    }
  }

  close(): void {
    this.client.close();
  }

  /**
   * Checks whatever has not started, waits for all, and decides each image's status: the
   * ImageSpecs' records, then the Flyte 2 environments'.
   */
  async finish(images: PlannedImage[], flyte2: readonly Flyte2Planned[] = []): Promise<{ records: ImageRecord[]; failures: string[] }> {
    images.forEach((p) => this.start(p));
    this.startFlyte2(flyte2);
    const statuses = new Map<string, ImageStatus>();
    const queries = flyte2Queries(flyte2.map((p) => p.sdk));
    let results: ImageCheckResult[];
    try {
      for (const p of images) if (!p.notBuilt) statuses.set(p.key, await this.started.get(p.key)!);
      results = await Promise.all(queries.map(async (q) => ({ ref: q.ref, result: await this.startedFlyte2.get(queryKey(q))! })));
    } finally {
      this.close();
    }
    const failures: string[] = [];
    const records = images.map((p) => {
      if (p.notBuilt) return notBuiltRecord(p, p.notBuilt);
      return this.judge(record(p, 'planned'), statuses.get(p.key)!, fieldWhere(p.spec, 'name'), failures);
    });
    const checks = flyte2Checks(
      flyte2.map((p) => p.sdk),
      results,
    );
    flyte2.forEach((p, i) => {
      const c = checks[i];
      records.push(
        c.check === 'checked' ? this.judge(flyte2Record(p, 'planned'), c.result, p.source, failures) : flyte2Record(p, 'external'),
      );
    });
    return { records, failures: [...new Set(failures)] };
  }

  /** An image's record after the registry's answer, with the annotations the answer calls for. */
  private judge(base: ImageRecord, s: ImageStatus, where: Where, failures: string[]): ImageRecord {
    const d = decide(s, this.inputs.onUnknown);
    const r: ImageRecord = { ...base, status: d.status, reason: d.reason, digest: d.digest };
    const at = annotationProps(where, this.inputs.workingDirectory, this.inputs.workspace);
    if (d.fatal) {
      core.error(`${r.image}: cannot tell whether the image exists: ${d.reason}`, { ...at, title: 'Registry check failed' });
      failures.push(r.key);
    } else if (d.status === 'unknown') {
      core.warning(`${r.image}: cannot tell whether the image exists (${d.reason}); on-unknown: ${this.inputs.onUnknown}`, at);
    }
    if (d.status === 'missing' && this.inputs.failOnMissing && this.inputs.mode === 'check') {
      core.error(`${r.image} is not in the registry`, { ...at, title: 'Image missing' });
      failures.push(r.key);
    }
    return r;
  }
}

function queryKey(q: ImageQuery): string {
  return `${q.ref}\0${typeof q.platforms === 'string' ? q.platforms : (q.platforms ?? []).join(',')}`;
}
