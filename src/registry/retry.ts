/**
 * Bounded retries with exponential backoff and jitter, honouring Retry-After (capped).
 * Time and randomness come in through `Clock` and `random` so schedules are testable without sleeping.
 */
import { HttpResponse, TransportError } from './http';
import { Clock } from './types';

export interface RetryPolicy {
  /** Total attempts, first one included (>= 1). */
  maxAttempts: number;
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound of a backoff delay. */
  maxDelayMs: number;
  /** Upper bound of a wait asked for by Retry-After. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  retryAfterCapMs: 30_000,
};

/**
 * Delay before retry number `retry` (1 for the first retry): the exponential step
 * `min(maxDelayMs, baseDelayMs * 2^(retry-1))`, jittered into [step/2, step) ("equal jitter",
 * so it never collapses to zero).
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(step / 2 + (step / 2) * r);
}

/**
 * Retry-After in milliseconds: delta-seconds (`120`) or an HTTP date relative to `nowMs`.
 * Undefined when absent or unparsable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (/^\d+\.\d+$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/[a-z]/i.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowMs);
}

/** 408, 429 and 5xx answers are worth another try (by default). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  cause: string;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random: () => number;
  /** Whether this (non-2xx) answer should be retried. */
  retryStatus: (res: HttpResponse) => boolean;
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryResult {
  response: HttpResponse;
  attempts: number;
}

/**
 * Runs `attempt` until it yields an answer that is not to be retried, or attempts run out.
 * Returns the last answer (possibly a retryable status when attempts ran out); throws the last
 * TransportError (with `attempts` set) when no answer came.
 */
export async function withRetries(attempt: (n: number) => Promise<HttpResponse>, opts: RetryOptions): Promise<RetryResult> {
  const max = Math.max(1, Math.floor(opts.policy.maxAttempts));
  for (let n = 1; ; n++) {
    let delay: number;
    let cause: string;
    try {
      const response = await attempt(n);
      if (!opts.retryStatus(response) || n >= max) return { response, attempts: n };
      const retryAfter =
        response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers['retry-after'], opts.clock.now()) : undefined;
      delay = retryAfter !== undefined ? Math.min(retryAfter, opts.policy.retryAfterCapMs) : backoffDelay(n, opts.policy, opts.random);
      cause = `HTTP ${response.status}${retryAfter !== undefined ? ` (Retry-After ${response.headers['retry-after']})` : ''}`;
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      e.attempts = n;
      if (!e.retryable || n >= max) throw e;
      delay = backoffDelay(n, opts.policy, opts.random);
      cause = e.kind;
    }
    opts.onRetry?.({ attempt: n, delayMs: delay, cause });
    await opts.clock.sleep(delay);
  }
}
