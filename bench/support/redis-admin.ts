import type { Redis } from 'ioredis';

/** What a bench needs of a Redis it shares with others: its memory, and removing only its own keys. */

const infoField = (info: string, field: string): number => {
  const match = new RegExp(`^${field}:(\\d+)\\s*$`, 'm').exec(info);
  if (!match) throw new Error(`INFO has no ${field}`);
  return Number(match[1]);
};

/** INFO memory used_memory, in bytes. */
export const usedMemory = async (redis: Redis): Promise<number> => infoField(await redis.info('memory'), 'used_memory');

/** Waits (at most `timeoutMs`) until UNLINKed keys are freed (lazyfree_pending_objects 0). */
export const settleLazyFree = async (redis: Redis, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (infoField(await redis.info('memory'), 'lazyfree_pending_objects') === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Deletes every key of a prefix, `<prefix>:*` and `{<prefix>:*` (hash-tagged), with SCAN and UNLINK: never
 * FLUSHALL, the Redis may hold others' keys. The prefix must hold no glob character. Returns the keys removed.
 */
export const deletePrefixKeys = async (redis: Redis, prefix: string): Promise<number> => {
  if (/[*?[\]\\{}]/.test(prefix)) throw new Error(`a prefix with glob or brace characters: ${prefix}`);
  let removed = 0;
  for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) removed += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return removed;
};
