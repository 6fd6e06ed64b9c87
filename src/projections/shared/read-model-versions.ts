import type { Redis } from 'ioredis';
import type { ReadModelCheckpoint } from '../../read-store/read-model-store.js';
import { scanKeys } from '../../read-store/redis/connection.js';
import { openRedisReadStore } from '../../read-store/redis/redis-read-store.js';
import { readModelKeys } from './read-model-keys.js';

export interface ReadModelVersion {
  readonly version: number;
  readonly current: boolean;
  readonly checkpoint: ReadModelCheckpoint | null;
  /** The lease's holder value while a projector leads this version. */
  readonly leader: string | null;
}

// SCAN's pattern is a glob: the prefix is checked to hold none of its special characters (environment.ts).
const VERSION_OF_LEASE = /:rm:v(\d+)\}:lease:term$/;

/** Every read-model version under a prefix that a projector ever led, newest first. */
export const listReadModelVersions = async (
  redis: Redis,
  redisUrl: string,
  prefix: string,
): Promise<ReadModelVersion[]> => {
  const versions = new Set<number>();
  for (const key of await scanKeys(redis, `{${prefix}:rm:v*}:lease:term`)) {
    const match = VERSION_OF_LEASE.exec(key);
    if (match && key.startsWith(`{${prefix}:rm:v`)) versions.add(Number(match[1]));
  }
  const current = Number((await redis.get(readModelKeys(prefix).current)) ?? 0);
  const listed: ReadModelVersion[] = [];
  for (const version of [...versions].sort((a, b) => b - a)) {
    const keys = readModelKeys(prefix, version);
    const store = openRedisReadStore({ url: redisUrl, prefix, version });
    try {
      listed.push({
        version,
        current: version === current,
        // Versions before 2 kept another layout, which this one does not read.
        checkpoint: version >= 2 ? await store.checkpoint() : null,
        leader: await redis.get(`${keys.lease}:holder`),
      });
    } finally {
      await store.close();
    }
  }
  return listed;
};

export class ReadModelInUseError extends Error {}

/**
 * Deletes every key of an old version, once its processes are gone: never the current one, nor one a projector
 * still leads.
 */
export const dropReadModelVersion = async (
  redis: Redis,
  redisUrl: string,
  prefix: string,
  version: number,
): Promise<void> => {
  const keys = readModelKeys(prefix, version);
  if (Number((await redis.get(keys.current)) ?? 0) === version) {
    throw new ReadModelInUseError(`version ${version} is the current one: it is what the API processes read`);
  }
  if ((await redis.get(`${keys.lease}:holder`)) !== null) {
    throw new ReadModelInUseError(`a projector still leads version ${version}: stop it first`);
  }
  const store = openRedisReadStore({ url: redisUrl, prefix, version });
  try {
    await store.clear();
  } finally {
    await store.close();
  }
  // What is left under the version's own tag: its lease's term counter, and an older layout's keys.
  const left = await scanKeys(redis, `{${prefix}:rm:v${version}}:*`);
  if (left.length > 0) await redis.unlink(...left);
};
