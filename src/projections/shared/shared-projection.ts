import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isAfter, type LogPosition, type TimelineEvent } from '../../../events/index.js';
import { createCachedReader, type CachedReader } from '../../read-store/cached-reader.js';
import type { ReadModelStore } from '../../read-store/read-model-store.js';
import { FencedOutError, openRedisReadStore } from '../../read-store/redis/redis-read-store.js';
import type { EventStore } from '../../store/event-store.js';
import { createAppliedProgress } from '../applied-progress.js';
import { startLeaderLease, type LeaderLease } from '../leader-lease.js';
import { adoptCommitted } from '../adopt-committed.js';
import { createProjection } from '../projection.js';
import { pumpLog, type Projector } from '../projector.js';
import type { ReadModelKeys } from './read-model-keys.js';

export class LeadershipLostError extends Error {
  constructor(token: number, options?: ErrorOptions) {
    super(`this projector lost its lease (term ${token}) and stopped: another process leads now`, options);
    this.name = 'LeadershipLostError';
  }
}

export class ReadModelDivergedError extends Error {
  constructor(detail: string) {
    super(`this process and the shared read models disagree: ${detail}`);
    this.name = 'ReadModelDivergedError';
  }
}

export interface SharedProjectionOptions {
  readonly store: EventStore;
  readonly redisUrl: string;
  readonly keys: ReadModelKeys;
  /** The heap this process keeps as a cache of the shared read models, in bytes. */
  readonly cacheBytes: number;
  /** Stand for election as the projector (roles project and all); a serve-only process only follows. */
  readonly elect: boolean;
  /** How long a leader that stopped renewing keeps the lease: the longest a failover takes. */
  readonly leaseTtlMs: number;
  readonly logger: Logger;
  /** How often a follower looks at the checkpoint when no pub/sub message told it to. */
  readonly pollMs?: number;
  /** The most events one batch writes. */
  readonly batchSize?: number;
  /** Index entries between two snapshots of an actor (SNAPSHOT_EVERY by default); small in tests, to walk snapshots. */
  readonly snapshotEvery?: number;
  /** Told once when the projection stops for good (lost leadership, a diverged read model, a write that failed). */
  readonly onFailure?: (error: Error) => void;
}

export interface SharedProjection extends Projector {
  /** True while this process is the projector that writes the shared read models. */
  readonly leading: boolean;
}

/** Something to wait on that anyone may ring: a pub/sub message, a new lease, a stop. */
const createBell = () => {
  let ring: () => void = () => undefined;
  return {
    ring: () => ring(),
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          ring = () => undefined;
          resolve();
        }
        ring = done;
      }),
  };
};

// Only a newer version takes over `current`: an old projector still running during an upgrade cannot take it back.
const ADVANCE_CURRENT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/**
 * The read models in Redis, shared by every process of a deployment.
 *
 * Only the elected leader projects: it applies the log through the one projection and commits each batch to the
 * Redis read store, whose checkpoint write is fenced by its lease term. Every other process holds no model: it
 * reads the store through its bounded cache, and follows the checkpoint (pub/sub, or a poll): when it moves, it
 * reads the events in between from the log, lets its cache forget what they changed, and hands them to its live
 * subscribers. When the leader dies, a follower standing for election takes the lease within its TTL and goes on
 * from the checkpoint.
 */
export const startSharedProjection = (options: SharedProjectionOptions): SharedProjection => {
  const { store, keys, logger } = options;
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.redisUrl);
  for (const [role, connection] of Object.entries({ redis, subscriber })) {
    connection.on('error', (error: Error) => logger.warn({ err: error, role }, 'redis connection trouble'));
  }
  let lease: LeaderLease | null = null;
  const readStore: ReadModelStore = openRedisReadStore({
    url: options.redisUrl,
    prefix: keys.prefix,
    version: keys.version,
    ...(options.elect ? { fence: { leaseKey: keys.lease, token: () => lease?.token ?? null } } : {}),
  });
  // A follower cannot tell from the log which actors the leader snapshotted: it reads their lists again now and then.
  const reads: CachedReader = createCachedReader(readStore, options.cacheBytes, { snapshotListTtlMs: 5_000 });
  let checkpoint: LogPosition | null = null;
  const progress = createAppliedProgress(() => checkpoint);
  const bell = createBell();
  let stopped = false;
  let closeLeading: (() => Promise<void>) | null = null;

  subscriber.on('message', () => bell.ring());
  subscriber.subscribe(keys.checkpointMoved).catch((error: unknown) => {
    logger.warn({ err: error }, 'redis subscribe failed; following by polling');
  });

  if (options.elect) {
    lease = startLeaderLease(redis, {
      key: keys.lease,
      ttlMs: options.leaseTtlMs,
      onLost: (token) => {
        logger.error({ token }, 'projector lease lost');
        bell.ring();
      },
    });
    lease.acquired().then(
      () => bell.ring(),
      () => undefined,
    );
  }

  const pastTheLog = (position: LogPosition) =>
    new ReadModelDivergedError(
      `the shared checkpoint (${position.commit}) is past the end of the event log: the read models under this ` +
        'prefix were built from another log (set TIMELINE_REDIS_PREFIX, or drop them)',
    );

  /** Hands the events up to the store's checkpoint to this process; false when there was nothing new. */
  const follow = async (): Promise<boolean> => {
    const target = await readStore.checkpoint();
    if (target === null || !isAfter(target.position, checkpoint)) {
      if (target === null && checkpoint !== null) {
        throw new ReadModelDivergedError('the shared checkpoint is gone (Redis lost the read models); restart');
      }
      // Checkpoints only move on: one behind what this process took from it is a Redis that lost its last writes
      // (restored from an older file, or a replica promoted before it had them). Reads would mix the two.
      if (target !== null && checkpoint !== null && isAfter(checkpoint, target.position)) {
        throw new ReadModelDivergedError(
          `the shared checkpoint went back from ${checkpoint.commit} to ${target.position.commit} (Redis lost ` +
            `some of the read models); restart`,
        );
      }
      return false;
    }
    if (checkpoint === null && !progress.listening) {
      // A process that starts on read models already there holds nothing of them: it takes their checkpoint as it
      // stands. Reading the log up to it would be a fold of the whole log at every start, for a cache that is empty.
      // Only a live subscriber that came before this (its replay attached at no checkpoint) is handed the log.
      const head = await store.headPosition();
      if (head === null || isAfter(target.position, head)) throw pastTheLog(target.position);
      checkpoint = target.position;
      reads.clear();
      progress.reached();
      return true;
    }
    while (isAfter(target.position, checkpoint)) {
      const page = (await store.readAll({ after: checkpoint, maxCount: batchSize })) as TimelineEvent[];
      const taken = page.filter((event) => !isAfter(event.position, target.position));
      if (taken.length === 0) throw pastTheLog(target.position);
      const changes = await adoptCommitted(readStore, reads, taken);
      for (const event of taken) {
        checkpoint = event.position;
        progress.applied(event, changes.get(event));
      }
    }
    return true;
  };

  const lead = async (token: number): Promise<void> => {
    // The lease is ours, so nobody else moves the checkpoint now: catch up with it, then go on from there.
    await follow();
    logger.info({ token, checkpoint: checkpoint?.commit.toString() ?? null }, 'projector leads');
    // A follower's snapshot lists may lack what the leader before wrote (they are kept a while, and served past it):
    // a question only walks further, but the projection places changes by the furthest snapshot, so it starts cold.
    // From here on every snapshot of this version is its own, and its commits keep the lists whole.
    reads.clear();
    const projection = createProjection({ reads, writer: readStore, snapshotEvery: options.snapshotEvery });
    const pump = pumpLog(store, checkpoint, batchSize);
    closeLeading = pump.close;
    let current = false;
    // A batch asked for and not come yet is kept for the next turn: a race lost to the bell must not drop it.
    let next = pump.next();
    try {
      while (!stopped) {
        if (lease?.token !== token) throw new LeadershipLostError(token);
        const batch = await Promise.race([next, bell.wait(pollMs).then(() => 'idle' as const)]);
        if (batch === null) return;
        if (batch === 'idle') {
          if (!current) current = await advanceCurrent();
          continue;
        }
        next = pump.next();
        // Only this leader moves the checkpoint while it holds the lease: one that is not where it left it is a Redis
        // that lost writes (restored, or a replica promoted), and going on would leave a gap in the read models.
        const stored = (await readStore.checkpoint())?.position ?? null;
        if (
          stored === null
            ? checkpoint !== null
            : checkpoint === null || isAfter(stored, checkpoint) || isAfter(checkpoint, stored)
        ) {
          throw new ReadModelDivergedError(
            `the shared checkpoint is at ${stored?.commit ?? 'none'}, this leader left it at ${checkpoint?.commit ?? 'none'}`,
          );
        }
        try {
          const projected = await projection.apply(batch);
          checkpoint = projected.batch.checkpoint.position;
          for (const event of batch) progress.applied(event, projected.changes.get(event));
        } catch (error) {
          if (error instanceof FencedOutError) throw new LeadershipLostError(token, { cause: error });
          throw error;
        }
        await redis.publish(keys.checkpointMoved, String(token)).catch(() => undefined);
      }
    } finally {
      closeLeading = null;
      await pump.close();
    }
  };

  /** Once the leader has caught up with the log, its version is the one to read. */
  const advanceCurrent = async (): Promise<boolean> => {
    const head = await store.headPosition();
    if (head !== null && isAfter(head, checkpoint)) return false;
    await redis.eval(ADVANCE_CURRENT, 1, keys.current, keys.version);
    return true;
  };

  const running = (async () => {
    while (!stopped) {
      try {
        const token = lease?.token ?? null;
        if (token !== null) await lead(token);
        else if (!(await follow())) await bell.wait(pollMs);
      } catch (error) {
        if (stopped) return;
        // A follower rides out a Redis or store that is away: it keeps serving what it has and looks again. A
        // leader does not: a standby takes over from the checkpoint it committed last.
        const fatal =
          error instanceof ReadModelDivergedError || error instanceof LeadershipLostError || lease?.token != null;
        if (!fatal) {
          logger.warn({ err: error }, 'following the shared read models failed; trying again');
          await bell.wait(pollMs * 4);
          continue;
        }
        const failure = error instanceof Error ? error : new Error(String(error));
        progress.fail(failure);
        lease?.abandon();
        options.onFailure?.(failure);
        return;
      }
    }
  })();

  const leading = () => lease?.token != null && progress.failure === null;

  return {
    reads,
    get checkpoint() {
      return checkpoint;
    },
    waitFor: progress.waitFor,
    catchUp: async (timeoutMs) => {
      await lease?.firstCheck();
      const target = leading() ? await store.headPosition() : ((await readStore.checkpoint())?.position ?? null);
      await progress.waitFor(target, timeoutMs);
    },
    isCaughtUp: async () => {
      if (progress.failure) return false;
      if (leading()) {
        const head = await store.headPosition();
        return head === null || !isAfter(head, checkpoint);
      }
      // A version still being built (blue-green) is not current yet: its processes take no traffic until it is.
      const [latest, current] = await Promise.all([readStore.checkpoint(), redis.get(keys.current)]);
      if (latest === null) return (await store.headPosition()) === null;
      return Number(current ?? 0) >= keys.version && !isAfter(latest.position, checkpoint);
    },
    onApplied: progress.onApplied,
    get failure() {
      return progress.failure;
    },
    get leading() {
      return leading();
    },
    stop: async () => {
      stopped = true;
      bell.ring();
      await closeLeading?.();
      await running;
      await lease?.release().catch(() => undefined);
      await readStore.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
};
