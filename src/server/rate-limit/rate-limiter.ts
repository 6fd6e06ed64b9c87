/** What is left of a client's budget, and when its window ends. */
interface Budget {
  readonly remaining: number;
  readonly resetMs: number;
}

/**
 * The verdict on one more request from a client: go on, or come back after `retryAfterMs`; with what is left of the
 * budget, for the RateLimit headers a client paces itself by (unknown when the count could not be kept).
 */
export type RateDecision =
  | { readonly allowed: true; readonly budget?: Budget }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly budget: Budget };

/**
 * A budget of requests per client per window: fixed windows, started by a client's first request in it. A client
 * is a key (by name) or, without a valid key, an address.
 */
export interface RateLimiter {
  take(client: string, limit: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export const RATE_WINDOW_MS = 60_000;

/** What a limiter answers for the `count`th request in a window with `leftMs` to run. */
export const decisionFor = (count: number, limit: number, leftMs: number): RateDecision =>
  count <= limit
    ? { allowed: true, budget: { remaining: limit - count, resetMs: leftMs } }
    : { allowed: false, retryAfterMs: leftMs, budget: { remaining: 0, resetMs: leftMs } };
