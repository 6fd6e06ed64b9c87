/** The verdict on one more request from a client: go on, or come back after `retryAfterMs`. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * A budget of requests per client per window: fixed windows, started by a client's first request in it. A client
 * is a key (by name) or, without a valid key, an address.
 */
export interface RateLimiter {
  take(client: string, limit: number): Promise<RateDecision>;
  close(): Promise<void>;
}

export const RATE_WINDOW_MS = 60_000;
