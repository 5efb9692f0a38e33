// Bounded concurrency for the registry checks and the git processes of planning.

/**
 * A gate for tasks that arrive over time: at most `limit` run at once, the others wait in arrival
 * order. A finishing task hands its slot straight to the next waiter, so a task arriving in
 * between cannot take it too.
 */
export function limiter(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  const max = Math.max(1, Math.floor(limit) || 1);
  const waiting: Array<() => void> = [];
  let active = 0;
  return async (task) => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const gate = limiter(limit);
  return Promise.all(items.map((item, i) => gate(() => fn(item, i))));
}
