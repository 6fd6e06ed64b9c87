import { scanKeys as scanNode } from '../../src/read-store/redis/connection.js';
import type { Redis } from 'ioredis';

/**
 * Keys of the shared Redis, for tests that must clean up after themselves: the Redis on 6379 is everybody's, so a
 * test deletes the keys of its own (random) prefix and nothing else, never FLUSHALL.
 */

/** Every key matching a SCAN pattern, sorted. */
export const scanKeys = async (redis: Redis, pattern: string): Promise<string[]> =>
  [...new Set(await scanNode(redis, pattern))].sort();

/** Deletes every key matching a SCAN pattern. */
const deleteKeys = async (redis: Redis, pattern: string): Promise<void> => {
  const keys = await scanKeys(redis, pattern);
  for (let at = 0; at < keys.length; at += 1000) await redis.unlink(...keys.slice(at, at + 1000));
};

/**
 * The SCAN patterns of every key under a prefix: `<prefix>:…` (each entity's records, `current`) and
 * `{<prefix>:…` (each version's checkpoint, clock, ids, lease and pub/sub channel, under the version's hash tag).
 */
const prefixPatterns = (prefix: string): [string, string] => {
  // SCAN MATCH is a glob: a test prefix is a plain name, but escape its special characters all the same.
  const escaped = prefix.replace(/[*?[\]\\{}]/g, (char) => `\\${char}`);
  return [`${escaped}:*`, `\\{${escaped}:*`];
};

/** Every key under a prefix, sorted. */
export const prefixKeys = async (redis: Redis, prefix: string): Promise<string[]> =>
  [...new Set((await Promise.all(prefixPatterns(prefix).map((pattern) => scanKeys(redis, pattern)))).flat())].sort();

/** Deletes every key under a prefix, and only those. */
export const deletePrefix = async (redis: Redis, prefix: string): Promise<void> => {
  for (const pattern of prefixPatterns(prefix)) await deleteKeys(redis, pattern);
};
