import type { Principal } from '../../auth/api-keys.js';
import { RATE_WINDOW_MS, type RateDecision, type RateLimiter } from './rate-limiter.js';

export interface RateLimitSettings {
  /** Requests per minute for each key; 0: no limit. */
  readonly perKey: number;
  /** Requests per minute for each address without a valid key (anonymous, or a key that is not one); 0: none. */
  readonly perAddress: number;
  /** Subscriptions per minute for each key or address, a budget apart from the requests'; 0: no limit. */
  readonly subscriptions: number;
}

/** What a request or a subscription spends from: its own budget, per client. */
export type RateSpending = 'request' | 'subscription';

/**
 * Who pays for a request: a key by its name, or the address it came from. A request with a wrong key pays by
 * address, so that guessing keys is limited like anonymous reads are.
 */
const rateClientOf = (principal: Principal, address: string | undefined): string =>
  principal.role === 'anonymous' || principal.role === 'invalid'
    ? `address:${address ?? 'unknown'}`
    : `key:${principal.keyName}`;

/** A decision under a limit, with what the RateLimit headers say of it: the policy's name and its quota. */
export interface RateCheck {
  readonly decision: RateDecision;
  readonly policy: string;
  readonly limit: number;
}

/** Spends one from the client's budget; null when no limit applies to it. */
export const checkRate = async (
  limiter: RateLimiter,
  settings: RateLimitSettings,
  principal: Principal,
  address: string | undefined,
  spending: RateSpending = 'request',
): Promise<RateCheck | null> => {
  const client = rateClientOf(principal, address);
  const byKey = client.startsWith('key:');
  const limit = spending === 'subscription' ? settings.subscriptions : byKey ? settings.perKey : settings.perAddress;
  if (limit === 0) return null;
  const policy = spending === 'subscription' ? 'subscriptions' : byKey ? 'key' : 'address';
  const decision = await limiter.take(spending === 'subscription' ? `subscribe:${client}` : client, limit);
  return { decision, policy, limit };
};

/** Retry-After, in whole seconds, never 0: a client told 0 would come straight back. */
export const retryAfterSeconds = (decision: { retryAfterMs: number }): number =>
  Math.max(1, Math.ceil(decision.retryAfterMs / 1000));

/**
 * The RateLimit-Policy and RateLimit fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-09 and later:
 * structured fields, a named policy with its quota `q` and window `w`, what is left `r` and the seconds to reset `t`).
 * Nothing when the count could not be kept (Redis away): a guess would mislead a client that paces itself.
 */
export const rateLimitHeaders = ({ decision, policy, limit }: RateCheck): Record<string, string> => {
  const { budget } = decision;
  if (!budget) return {};
  return {
    'RateLimit-Policy': `"${policy}";q=${limit};w=${RATE_WINDOW_MS / 1000}`,
    RateLimit: `"${policy}";r=${budget.remaining};t=${Math.max(0, Math.ceil(budget.resetMs / 1000))}`,
  };
};
