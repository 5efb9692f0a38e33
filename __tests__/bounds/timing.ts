/**
 * Helpers for tests that assert complexity rather than speed: doubling an input must not much more
 * than double the time. Each measurement is the fastest of a few runs, which filters out the pauses
 * a loaded two-core machine adds; a quadratic algorithm still shows its 4x.
 */
export function fastestMs(runs: number, f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

/**
 * Time at n and 2n; the ratio of a linear algorithm stays near 2, a quadratic one near 4. The two
 * sizes run alternately, so a burst of load elsewhere falls on both; and the measurement is taken
 * up to three times, keeping the lowest ratio: a pause can only raise a ratio, while a quadratic
 * algorithm stays near 4 on every attempt.
 */
export function doublingRatio(n: number, make: (n: number) => () => void, runs = 3): { small: number; large: number; ratio: number } {
  // One warm-up run, so that compilation is not charged to the smaller input.
  make(Math.max(1, n >> 3))();
  const smallRun = make(n);
  const largeRun = make(2 * n);
  let best = { small: Infinity, large: Infinity, ratio: Infinity };
  for (let attempt = 0; attempt < 3 && best.ratio >= 2.2; attempt++) {
    let small = Infinity;
    let large = Infinity;
    for (let i = 0; i < runs; i++) {
      small = Math.min(small, fastestMs(1, smallRun));
      large = Math.min(large, fastestMs(1, largeRun));
    }
    const ratio = large / Math.max(small, 1);
    if (ratio < best.ratio) best = { small, large, ratio };
  }
  return best;
}
