import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isAfter, type TimelineEvent } from '../../../events/index.js';
import type { EventStore, LogSubscription } from '../../store/event-store.js';
import { createAppliedProgress } from '../applied-progress.js';
import { startLeaderLease, type LeaderLease } from '../leader-lease.js';
import type { Projector } from '../projector.js';
import type { TimelineReadModel } from '../timeline-read-model.js';
import { queueBatchWrites, touchedBy } from './batch-writes.js';
import { readCheckpoint, type CheckpointRecord } from './checkpoint-record.js';
import type { ReadModelKeys } from './read-model-keys.js';
import { createSnapshotFeed, encodeSnapshotRecord, ReadModelDivergedError } from './snapshot-records.js';

export class LeadershipLostError extends Error {
  constructor(token: number) {
    super(`this projector lost its lease (term ${token}) and stopped: another process leads now`);
    this.name = 'LeadershipLostError';
  }
}

export interface SharedProjectionOptions {
  readonly store: EventStore;
  readonly model: TimelineReadModel;
  readonly redisUrl: string;
  readonly keys: ReadModelKeys;
  /** Stand for election as the projector (roles project and all); a serve-only process only follows. */
  readonly elect: boolean;
  /** How long a leader that stopped renewing keeps the lease: the longest a failover takes. */
  readonly leaseTtlMs: number;
  readonly logger: Logger;
  /** How often a follower looks at the checkpoint when no pub/sub message told it to. */
  readonly pollMs?: number;
  /** The most events one transaction writes. */
  readonly batchSize?: number;
  /** Told once when the projection stops for good (lost leadership, a diverged read model, a write that failed). */
  readonly onFailure?: (error: Error) => void;
}

export interface SharedProjection extends Projector {
  /** True while this process is the projector that writes the shared read models. */
  readonly leading: boolean;
}

/** Something to wait on that anyone may ring: a pub/sub message, a new lease, new events, a stop. */
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
 * A read model fed through the shared read models in Redis, for a process among many.
 *
 * Every process keeps its own in-memory model (the time-travel engine folds it synchronously), but only the
 * elected leader projects: it applies the log, builds the snapshots, and writes the shared read models and their
 * checkpoint in one fenced transaction per batch. Every other process follows the shared checkpoint: it applies
 * the log only up to it, taking the leader's snapshots instead of building them, so that it never gets ahead of what
 * the leader committed and holds exactly the leader's model. When the leader dies, a follower standing for
 * election takes the lease within its TTL, catches up with the checkpoint, and goes on from there.
 */
export const startSharedProjection = (options: SharedProjectionOptions): SharedProjection => {
  const { store, model, keys, logger } = options;
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const reader = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.redisUrl);
  // A leader's write must fail fast when Redis is away: its model is ahead of the shared one until it lands.
  const writer = options.elect ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1 }) : null;
  for (const [role, connection] of Object.entries({ reader, subscriber, writer })) {
    connection?.on('error', (error: Error) => logger.warn({ err: error, role }, 'redis connection trouble'));
  }
  const progress = createAppliedProgress(model);
  const bell = createBell();
  const feed = createSnapshotFeed(keys);
  let stopped = false;
  let shared: CheckpointRecord | null = null;
  let subscription: LogSubscription | null = null;

  subscriber.on('message', () => bell.ring());
  subscriber.subscribe(keys.checkpointMoved).catch((error: unknown) => {
    logger.warn({ err: error }, 'redis subscribe failed; following by polling');
  });

  let lease: LeaderLease | null = null;
  if (options.elect) {
    lease = startLeaderLease(reader, {
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

  /** Applies the log up to the shared checkpoint, with the leader's snapshots; false when there was nothing new. */
  const follow = async (): Promise<boolean> => {
    const target = await readCheckpoint(reader, keys);
    // Terms only grow and the snapshot list only grows: anything else means Redis lost what it held (a restart
    // without persistence, a flush). This model cannot go back with it; a restart folds afresh from what is there.
    if (shared !== null && (target === null || target.token < shared.token || target.snapshots < shared.snapshots)) {
      throw new ReadModelDivergedError(
        `the shared read models went back (checkpoint of term ${shared.token} gone): Redis lost them; restart`,
      );
    }
    shared = target;
    if (target === null || !isAfter(target.position, model.checkpoint)) return false;
    await feed.loadUpTo(reader, target.snapshots);
    while (isAfter(target.position, model.checkpoint)) {
      const page = await store.readAll({ after: model.checkpoint, maxCount: batchSize });
      if (page.length === 0) {
        throw new ReadModelDivergedError(
          `the shared checkpoint (${target.position.commit}) is past the end of the event log: the read models ` +
            `under this prefix were built from another log (set TIMELINE_REDIS_PREFIX, or drop them)`,
        );
      }
      for (const recorded of page) {
        if (isAfter(recorded.position, target.position)) break;
        const event = recorded as TimelineEvent;
        model.apply(event, { takeSnapshot: (actorId) => feed.take(event.position, actorId) });
        progress.applied(event);
      }
    }
    return true;
  };

  const lead = async (token: number): Promise<void> => {
    // The lease is ours, so nobody else moves the checkpoint now: catch up with it, then go on from there.
    await follow();
    let snapshotCount = feed.taken;
    if (snapshotCount !== (shared?.snapshots ?? 0)) {
      throw new ReadModelDivergedError(`took ${snapshotCount} snapshots, the checkpoint says ${shared?.snapshots}`);
    }
    logger.info({ token, checkpoint: model.checkpoint?.commit.toString() ?? null }, 'projector leads');
    const buffer: TimelineEvent[] = [];
    const events = store.subscribeToAll({ after: model.checkpoint ?? 'start' });
    subscription = events;
    let pumpFailure: unknown = null;
    let drained: (() => void) | null = null;
    let finished = false;
    const drain = () => {
      drained?.();
      drained = null;
    };
    const pump = (async () => {
      try {
        for await (const event of events) {
          buffer.push(event as TimelineEvent);
          bell.ring();
          // Stay a few batches ahead at most: the log can be far longer than memory.
          while (buffer.length >= batchSize * 4 && !finished) await new Promise<void>((resolve) => (drained = resolve));
        }
      } catch (error) {
        pumpFailure = error;
        bell.ring();
      }
    })();
    let current = false;
    try {
      while (!stopped) {
        if (pumpFailure) throw pumpFailure;
        if (lease?.token !== token) throw new LeadershipLostError(token);
        if (buffer.length === 0) {
          // Looking at the head takes a while, during which events may arrive: look at the buffer again after.
          if (!current && (current = await advanceCurrent())) continue;
          if (buffer.length === 0) await bell.wait(pollMs);
          continue;
        }
        const batch = buffer.splice(0, batchSize);
        drain();
        const records: string[] = [];
        for (const event of batch) {
          model.apply(event, {
            onSnapshot: (actorId, snapshot) => records.push(encodeSnapshotRecord(event.position, actorId, snapshot)),
          });
          progress.applied(event);
        }
        const last = batch.at(-1)!;
        const checkpoint: CheckpointRecord = {
          position: last.position,
          recordedAtMs: last.recordedAt.getTime(),
          token,
          snapshots: snapshotCount + records.length,
        };
        const touched = touchedBy(batch);
        const written = await lease!.fencedTransaction(writer!, (multi) =>
          queueBatchWrites(multi, keys, model, touched, records, checkpoint),
        );
        if (!written) throw new LeadershipLostError(token);
        snapshotCount = checkpoint.snapshots;
        shared = checkpoint;
      }
    } finally {
      finished = true;
      drain();
      await events.close();
      await pump;
    }
  };

  /** Once the leader has caught up with the log, its version is the one to read. */
  const advanceCurrent = async (): Promise<boolean> => {
    const head = await store.headPosition();
    if (head !== null && isAfter(head, model.checkpoint)) return false;
    await writer!.eval(ADVANCE_CURRENT, 1, keys.current, keys.version);
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
        // leader does not: its model is ahead of the shared one, so it stops and a standby takes over.
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
    model,
    waitFor: progress.waitFor,
    catchUp: async (timeoutMs) => {
      await lease?.firstCheck();
      const target = leading() ? await store.headPosition() : ((await readCheckpoint(reader, keys))?.position ?? null);
      await progress.waitFor(target, timeoutMs);
    },
    isCaughtUp: async () => {
      if (progress.failure) return false;
      if (leading()) {
        const head = await store.headPosition();
        return head === null || !isAfter(head, model.checkpoint);
      }
      // A version still being built (blue-green) is not current yet: its processes take no traffic until it is.
      const [latest, current] = await Promise.all([readCheckpoint(reader, keys), reader.get(keys.current)]);
      if (latest === null) return (await store.headPosition()) === null;
      return Number(current ?? 0) >= keys.version && !isAfter(latest.position, model.checkpoint);
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
      await subscription?.close();
      await running;
      await lease?.release().catch(() => undefined);
      reader.disconnect();
      subscriber.disconnect();
      writer?.disconnect();
    },
  };
};
