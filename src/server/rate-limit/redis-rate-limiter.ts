import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { requestLogger } from '../../observability/request-log.js';
import { decisionFor, RATE_WINDOW_MS, type RateLimiter } from './rate-limiter.js';

// One more request in the client's window: the count, and the time left in the window (ms).
const TAKE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}`;

/** What a request let through while Redis does not answer is told: nothing known of the budget. */
const UNCOUNTED = { allowed: true } as const;

/** How long the first requests wait for Redis at start before they are let through uncounted. */
const FIRST_CONNECTION_WAIT_MS = 2_000;

/**
 * Shared by every process of a deployment (REDIS_URL), so that a client's budget does not grow with the number of
 * API processes. While Redis does not answer, requests are let through: an outage of Redis must not become one of
 * the API (the log and the read models are still there), and it is logged.
 */
export const createRedisRateLimiter = (
  url: string,
  prefix: string,
  logger: Logger,
  windowMs = RATE_WINDOW_MS,
): RateLimiter => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection trouble (rate limits)'));
  // Without an offline queue a request before the first connection would fail, and pass uncounted: the first
  // requests after a start wait for it, a little, so that a process that just started does not open every budget.
  let connecting: Promise<void> | null = new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      connecting = null;
      resolve();
    };
    const timer = setTimeout(settle, FIRST_CONNECTION_WAIT_MS).unref();
    redis.once('ready', settle);
  });
  return {
    take: async (client, limit) => {
      if (connecting) await connecting;
      try {
        const [count, left] = (await redis.eval(TAKE, 1, `${prefix}:rate:${client}`, windowMs)) as [number, number];
        return decisionFor(count, limit, left);
      } catch (error) {
        // Said of the request it let through, with its id.
        requestLogger(logger).warn({ err: error }, 'rate limits not enforced: Redis does not answer');
        return UNCOUNTED;
      }
    },
    close: async () => {
      redis.disconnect();
    },
  };
};
