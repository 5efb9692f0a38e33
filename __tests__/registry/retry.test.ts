import { HttpResponse, TransportError } from '../../src/registry/http';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, withRetries } from '../../src/registry/retry';
import { limiter, mapLimit } from '../../src/util/limit';
import { fakeClock } from './support/infra';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  test.each([
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['1.5', 1_500],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0], // in the past
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
    [undefined, undefined],
  ])('%j → %j', (value, want) => expect(parseRetryAfter(value, NOW)).toBe(want));
});

describe('backoffDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  test('exponential steps, capped, equal jitter in [step/2, step]', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });
  test('defaults: 0.5 s, doubling, capped at 8 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_RETRY_POLICY, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});

test('isRetryableStatus', () => {
  expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
  expect([200, 301, 400, 401, 403, 404, 405].some(isRetryableStatus)).toBe(false);
});

function res(status: number, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, challenges: [], body: Buffer.alloc(0), url: new URL('http://x/') };
}

describe('withRetries (fake clock, no sleeping)', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, retryAfterCapMs: 5000 };
  const retryStatus = (r: HttpResponse) => isRetryableStatus(r.status);

  test('retries 5xx with backoff, then returns the success', async () => {
    const clock = fakeClock();
    const answers = [res(500), res(503), res(200)];
    const out = await withRetries(async () => answers.shift()!, { policy, clock, random: () => 0.5, retryStatus });
    expect(out.response.status).toBe(200);
    expect(out.attempts).toBe(3);
    expect(clock.sleeps).toEqual([75, 150]);
  });

  test('honours Retry-After (seconds and HTTP date), capped', async () => {
    const clock = fakeClock(NOW);
    const answers = [
      res(429, { 'retry-after': '2' }),
      res(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' }), // 2 s after the first wait
      res(429, { 'retry-after': '3600' }),
      res(200),
    ];
    const out = await withRetries(async () => answers.shift()!, { policy, clock, random: () => 0, retryStatus });
    expect(out.attempts).toBe(4);
    expect(clock.sleeps).toEqual([2000, 2000, 5000]);
  });

  test('bounded: the last retryable answer is returned after maxAttempts', async () => {
    const clock = fakeClock();
    let n = 0;
    const out = await withRetries(async () => (n++, res(502)), { policy, clock, random: () => 0, retryStatus });
    expect(out).toMatchObject({ attempts: 4, response: { status: 502 } });
    expect(n).toBe(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  test('retryable transport errors are retried; the last one is thrown with the attempt count', async () => {
    const clock = fakeClock();
    const err = await withRetries(
      async () => {
        throw new TransportError('reset', 'connection reset');
      },
      { policy, clock, random: () => 0, retryStatus },
    ).catch((e: TransportError) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.attempts).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
  });

  test('non-retryable transport errors (TLS) fail at once', async () => {
    const clock = fakeClock();
    let n = 0;
    await expect(
      withRetries(
        async () => {
          n++;
          throw new TransportError('tls', 'bad cert');
        },
        { policy, clock, random: () => 0, retryStatus },
      ),
    ).rejects.toThrow('bad cert');
    expect(n).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});

test('mapLimit keeps order and never exceeds the limit', async () => {
  let active = 0;
  let peak = 0;
  const out = await mapLimit(
    Array.from({ length: 50 }, (_, i) => i),
    4,
    async (i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      active--;
      return i * 2;
    },
  );
  expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  expect(peak).toBe(4);
  expect(await mapLimit([], 3, async () => 1)).toEqual([]);
});

test('limiter: tasks arriving over time, at most the limit in flight, a freed slot goes to the longest waiter', async () => {
  const gate = limiter(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (i: number, ms: number) => async () => {
    active++;
    peak = Math.max(peak, active);
    order.push(i);
    await new Promise((r) => setTimeout(r, ms));
    active--;
    return i;
  };
  const first = [gate(task(0, 5)), gate(task(1, 20)), gate(task(2, 1)), gate(task(3, 1))];
  await first[0];
  // Arrives just as task 0 hands its slot to task 2: must wait behind task 3.
  const late = gate(task(4, 1));
  expect(await Promise.all([...first, late])).toEqual([0, 1, 2, 3, 4]);
  expect(peak).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4]);
  await expect(gate(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
  expect(await gate(async () => 'after a failure')).toBe('after a failure');
});
