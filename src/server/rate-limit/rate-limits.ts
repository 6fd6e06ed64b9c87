import type { Principal } from '../../auth/api-keys.js';
import type { RateDecision, RateLimiter } from './rate-limiter.js';

export interface RateLimitSettings {
  /** Requests per minute for each key; 0: no limit. */
  readonly perKey: number;
  /** Requests per minute for each address without a valid key (anonymous, or a key that is not one); 0: none. */
  readonly perAddress: number;
}

/**
 * Who pays for a request: a key by its name, or the address it came from. A request with a wrong key pays by
 * address, so that guessing keys is limited like anonymous reads are.
 */
const rateClientOf = (principal: Principal, address: string | undefined): string =>
  principal.role === 'anonymous' || principal.role === 'invalid'
    ? `address:${address ?? 'unknown'}`
    : `key:${principal.keyName}`;

export const checkRate = (
  limiter: RateLimiter,
  settings: RateLimitSettings,
  principal: Principal,
  address: string | undefined,
): Promise<RateDecision> => {
  const client = rateClientOf(principal, address);
  const limit = client.startsWith('key:') ? settings.perKey : settings.perAddress;
  return limit === 0 ? Promise.resolve({ allowed: true }) : limiter.take(client, limit);
};

/** Retry-After, in whole seconds, never 0: a client told 0 would come straight back. */
export const retryAfterSeconds = (decision: { retryAfterMs: number }): number =>
  Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
