import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withTimeout } from './with-timeout.js';

/** How long /readyz waits for Redis' PONG: a load balancer's check should not hang on it. */
const PING_TIMEOUT_MS = 1_000;

export interface RedisHealth {
  /** 'ok', or why Redis is not usable now. */
  check(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A connection of its own that only PINGs, for /readyz. The read-model feed alone does not tell: a leading
 * projector checks its progress against the log, not Redis, so it looked ready with Redis gone until its next
 * write failed. With no retries a PING to a Redis that is away fails at its next reconnect attempt, and the
 * timeout bounds the rest.
 */
export const createRedisHealth = (url: string, logger: Logger): RedisHealth => {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, connectTimeout: PING_TIMEOUT_MS });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection trouble (health check)'));
  return {
    check: async () => {
      try {
        const answer = await withTimeout(redis.ping(), PING_TIMEOUT_MS);
        return answer === 'PONG' ? 'ok' : `unexpected answer to PING: ${answer}`;
      } catch (error) {
        // ioredis' word for a connection that is down ('reconnecting', …) says more than its retry-limit message.
        if (redis.status !== 'ready') return `not connected (${redis.status})`;
        return error instanceof Error ? error.message : String(error);
      }
    },
    close: async () => {
      redis.disconnect();
    },
  };
};
