import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLeaderLease, type LeaderLease } from '../../src/projections/leader-lease.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/** The projector's leader lease on the real Redis of this machine (127.0.0.1:6379, or REDIS_URL). */

let redis: Redis;
let leases: LeaderLease[] = [];
let key: string;

beforeAll(() => {
  redis = new Redis(SHARED_REDIS_URL);
});

afterAll(async () => {
  await redis.quit();
});

afterEach(async () => {
  for (const lease of leases) await lease.release().catch(() => undefined);
  leases = [];
  await redis.del(`${key}:holder`, `${key}:term`, `${key}:checkpoint`);
});

const lease = (ttlMs: number, onLost?: (token: number) => void): LeaderLease => {
  const started = startLeaderLease(redis, { key, ttlMs, checkEveryMs: 20, onLost });
  leases.push(started);
  return started;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A leader's fenced write of the checkpoint, on a connection of its own (WATCH is per connection). */
const writeCheckpoint = async (holder: LeaderLease, value: string): Promise<boolean> => {
  const connection = new Redis(SHARED_REDIS_URL);
  try {
    return await holder.fencedTransaction(connection, (multi) => multi.set(`${key}:checkpoint`, value));
  } finally {
    connection.disconnect();
  }
};

describe('leader lease', () => {
  it('lets one contender lead at a time, and the next take over at once when it hands the lease back', async () => {
    key = `test-lease-${randomUUID()}`;
    const first = lease(2_000);
    const firstToken = await first.acquired();
    const second = lease(2_000);
    await pause(150);
    expect(second.token).toBeNull();

    await first.release();
    const secondToken = await second.acquired();
    expect(secondToken).toBe(firstToken + 1);
    expect(first.token).toBeNull();
  });

  it('when the leader dies, another takes over after the TTL with a higher token, and the old one can no longer write', async () => {
    key = `test-lease-${randomUUID()}`;
    const first = lease(300);
    const firstToken = await first.acquired();
    expect(await writeCheckpoint(first, 'by-first')).toBe(true);

    const second = lease(300);
    await pause(100);
    expect(second.token).toBeNull();
    // The leader stops renewing, as a killed process would, but still believes it leads.
    first.abandon();
    const secondToken = await second.acquired();
    expect(secondToken).toBeGreaterThan(firstToken);
    expect(first.token).toBe(firstToken);

    expect(await writeCheckpoint(first, 'by-stale-first')).toBe(false);
    expect(await writeCheckpoint(second, 'by-second')).toBe(true);
    expect(await redis.get(`${key}:checkpoint`)).toBe('by-second');
  });

  it('tells a holder that lost its lease, and comes back, if at all, only as a new term', async () => {
    key = `test-lease-${randomUUID()}`;
    const lost: number[] = [];
    const holder = lease(1_000, (token) => lost.push(token));
    const token = await holder.acquired();
    // Someone (an operator, a partition that outlived the TTL) ends this term.
    await redis.del(`${key}:holder`);
    await pause(100);
    expect(lost).toEqual([token]);
    // Nobody else wanted it, so the same process leads again, in a new term with a higher token.
    expect(await holder.acquired()).toBeGreaterThan(token);
  });
});
