/**
 * Batched differential checking with fast-check shrinking.
 *
 * Phase 1 samples `numRuns` inputs from the seed and sends them to the Python oracle pipelined, so
 * a thousand cases cost one round of pipe traffic. Only when some case differs does phase 2 run the
 * same seed through `fc.asyncProperty`, which asks the oracle one case at a time and shrinks the
 * failure to a minimal counterexample; that is what the failing test prints (with the seed).
 */
import fc from 'fast-check';
import type { Oracle, OracleAnswer, Request } from './oracle';

export interface DiffStats {
  cases: number;
  /** Cases where the action is deliberately stricter than flytekit (refused what flytekit accepts). */
  stricter: number;
  /** Cases both sides refused. */
  bothRejected: number;
}

/**
 * `compare` returns undefined when the two sides agree, `'stricter'`/`'both-rejected'` to count an
 * agreement of that kind, or a description of the difference.
 */
export type Verdict = undefined | 'stricter' | 'both-rejected' | { diff: string };

export interface DiffCheck<T, A> {
  name: string;
  arb: fc.Arbitrary<T>;
  numRuns: number;
  seed: number;
  /** May do setup (write files) before returning the request. */
  request(value: T): Request;
  compare(value: T, answer: OracleAnswer<A>): Verdict;
  /** Called after compare, to remove what request() created. */
  cleanup?(value: T): void;
  /** Cases sent to the oracle at once in phase 1. */
  batch?: number;
}

export async function runDiff<T, A>(oracle: Oracle, c: DiffCheck<T, A>): Promise<DiffStats> {
  const stats: DiffStats = { cases: 0, stricter: 0, bothRejected: 0 };
  const samples = fc.sample(c.arb, { seed: c.seed, numRuns: c.numRuns });
  const batch = c.batch ?? 500;
  const failures: Array<{ value: T; diff: string }> = [];
  for (let i = 0; i < samples.length; i += batch) {
    const chunk = samples.slice(i, i + batch);
    try {
      const answers = await oracle.askAll<A>(chunk.map((v) => c.request(v)));
      chunk.forEach((v, j) => {
        const verdict = c.compare(v, answers[j]);
        stats.cases++;
        if (verdict === 'stricter') stats.stricter++;
        else if (verdict === 'both-rejected') stats.bothRejected++;
        else if (verdict !== undefined) failures.push({ value: v, diff: verdict.diff });
      });
    } finally {
      for (const v of chunk) c.cleanup?.(v);
    }
  }
  if (failures.length === 0) return stats;

  // Phase 2: the same seed, one case at a time, so fast-check can shrink the first failure.
  const shrunk = await fc.check(
    fc.asyncProperty(c.arb, async (v) => {
      try {
        const verdict = c.compare(v, await oracle.ask<A>(c.request(v)));
        if (typeof verdict === 'object') throw new Error(verdict.diff);
      } finally {
        c.cleanup?.(v);
      }
    }),
    { seed: c.seed, numRuns: c.numRuns, endOnFailure: false },
  );
  const first = failures[0];
  const detail = shrunk.failed
    ? `minimal counterexample (after ${shrunk.numShrinks} shrinks): ${fc.stringify(shrunk.counterexample?.[0])}\n` +
      `${shrunk.errorInstance instanceof Error ? shrunk.errorInstance.message : String(shrunk.errorInstance)}`
    : `(phase 2 did not reproduce it)`;
  throw new Error(
    `${c.name}: ${failures.length} of ${stats.cases} cases differ from Python (seed ${c.seed}; rerun with IMAGESPEC_FC_SEED=${c.seed}).\n` +
      `${detail}\n\nfirst unshrunk case: ${fc.stringify(first.value)}\n${first.diff}`,
  );
}
