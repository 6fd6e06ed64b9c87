import type { Redis } from 'ioredis';
import type { LogPosition } from '../../../events/index.js';
import type { ActorSummary } from '../../time-travel/actor-at.js';
import type { Snapshot } from '../../time-travel/snapshots.js';
import { encodePosition } from '../../store/position-cursor.js';
import { decodeRecord, encodeRecord } from '../../read-store/record-codec.js';
import type { ReadModelKeys } from './read-model-keys.js';

/** One snapshot the leader left while applying the event at `position`: the list holds them in log order. */
export interface SnapshotRecord {
  readonly position: string;
  readonly actorId: string;
  readonly snapshot: Snapshot<ActorSummary>;
}

/** Encoded at once: the model goes on to close snapshots (invalidAtMs), and the record must hold it as built. */
export const encodeSnapshotRecord = (
  position: LogPosition,
  actorId: string,
  snapshot: Snapshot<ActorSummary>,
): string => encodeRecord({ position: encodePosition(position), actorId, snapshot } satisfies SnapshotRecord);

export class ReadModelDivergedError extends Error {
  constructor(detail: string) {
    super(`this process's read model and the shared one disagree: ${detail}`);
    this.name = 'ReadModelDivergedError';
  }
}

/**
 * A follower's cursor over the snapshot list: before it applies events up to a checkpoint it loads the records
 * written up to that checkpoint, then hands each out as the fold asks for it, checking that the leader built it at
 * the same event for the same actor.
 */
export interface SnapshotFeed {
  /** Loads the records up to `count` (the checkpoint's snapshots) that are not loaded yet. */
  loadUpTo(redis: Redis, count: number): Promise<void>;
  take(position: LogPosition, actorId: string): Snapshot<ActorSummary>;
  readonly taken: number;
}

const PAGE = 256;

export const createSnapshotFeed = (keys: ReadModelKeys): SnapshotFeed => {
  let loaded = 0;
  let taken = 0;
  const pending: SnapshotRecord[] = [];
  return {
    loadUpTo: async (redis, count) => {
      while (loaded < count) {
        const page = await redis.lrange(keys.snapshots, loaded, Math.min(count, loaded + PAGE) - 1);
        if (page.length === 0) throw new ReadModelDivergedError(`snapshot ${loaded} of ${count} is missing`);
        for (const text of page) pending.push(decodeRecord<SnapshotRecord>(text));
        loaded += page.length;
      }
    },
    take: (position, actorId) => {
      const next = pending.shift();
      const at = encodePosition(position);
      if (!next || next.position !== at || next.actorId !== actorId) {
        throw new ReadModelDivergedError(
          `a snapshot of ${actorId} is due at ${at}; the leader's next is ` +
            (next ? `of ${next.actorId} at ${next.position}` : 'missing'),
        );
      }
      taken += 1;
      return next.snapshot;
    },
    get taken() {
      return taken;
    },
  };
};
