import { LRUCache } from 'lru-cache';
import { comparePositions } from '../../events/envelope.js';
import type { ReadModelCheckpoint, ReadModelReader, StoredSnapshot } from '../read-store/read-model-store.js';
import { snapshotActorAt, snapshotFoldLength } from '../time-travel/actor-at.js';
import { SNAPSHOT_EVERY } from '../time-travel/snapshots.js';

export interface SnapshotPolicyOptions {
  /** Index entries between two snapshots; small values make tests walk the snapshot paths. */
  readonly snapshotEvery?: number;
  /** How many entries beyond the new ones building a snapshot may walk per new entry (Infinity: always build). */
  readonly extraFoldsPerEntry?: number;
  /**
   * The longest walk a correction may leave for questions at the latest knownAt: past it, the projector replaces
   * the snapshots the correction closed with one built now, however far back it must start. Off by default
   * (Infinity): each replacement walks up to the whole index, so with corrections reaching back a rebuild grows with
   * the square of the busiest histories (measured: 2,600 events/s at 600,000 events without, 290 with a bound of
   * four intervals). Set it where questions matter more than rebuilds.
   */
  readonly maxWalk?: number;
}

/**
 * When to leave a snapshot of an actor's index. Every `snapshotEvery` entries an actor's index gains, the projector
 * builds one as the store stands at the batch's checkpoint, from the one before: questions at any later knownAt
 * start there until a correction contradicts it. When corrections have closed the snapshots before (the walk would
 * start far back), it waits until the walk beyond the new entries is at most `extraFoldsPerEntry` per new entry:
 * building stays linear in the log, where building each from scratch would be quadratic in the busiest histories.
 *
 * Snapshots are a cache of answers: where they fall depends on how the log was cut into batches, what they answer
 * never does. The counts are kept for recently active actors only, and read again from the store for the others.
 */
export interface SnapshotPolicy {
  /** After a batch committed at `checkpoint`: the snapshots due, built from the store as it now stands. */
  afterCommit(
    reads: ReadModelReader,
    gains: ReadonlyMap<string, number>,
    checkpoint: ReadModelCheckpoint,
    /** Actors whose snapshots the batch closed. */
    closed?: ReadonlySet<string>,
  ): Promise<StoredSnapshot[]>;
  /** Forgets the counts (a batch that did not commit). */
  reset(): void;
}

export const createSnapshotPolicy = ({
  snapshotEvery = SNAPSHOT_EVERY,
  extraFoldsPerEntry = 0.5,
  maxWalk = Infinity,
}: SnapshotPolicyOptions = {}): SnapshotPolicy => {
  let sinceSnapshot = new LRUCache<string, { count: number; waitFor: number }>({ max: 100_000 });

  const countFromStore = async (reads: ReadModelReader, actorId: string): Promise<number> => {
    const metas = await reads.snapshotMetas(actorId);
    const newest = metas.reduce<(typeof metas)[number] | undefined>(
      (found, meta) => (found && comparePositions(found.builtPosition, meta.builtPosition) >= 0 ? found : meta),
      undefined,
    );
    return reads.countEntries({ kind: 'actor', id: actorId }, { addedAfter: newest?.builtPosition ?? null });
  };

  return {
    afterCommit: async (reads, gains, checkpoint, closed = new Set()) => {
      const due: string[] = [];
      await Promise.all(
        [...gains].map(async ([actorId, gained]) => {
          const known = sinceSnapshot.get(actorId);
          // Read after the commit, the store's count already holds this batch's gains.
          const counts = known
            ? { count: known.count + gained, waitFor: known.waitFor }
            : { count: await countFromStore(reads, actorId), waitFor: 0 };
          sinceSnapshot.set(actorId, counts);
          if (counts.count >= Math.max(snapshotEvery, counts.waitFor) || closed.has(actorId)) due.push(actorId);
        }),
      );
      for (const actorId of closed) if (!gains.has(actorId)) due.push(actorId);
      const built: StoredSnapshot[] = [];
      for (const actorId of [...new Set(due)].sort()) {
        const counts = sinceSnapshot.get(actorId) ?? { count: 0, waitFor: 0 };
        const walk = await snapshotFoldLength(reads, actorId, checkpoint);
        // A correction that leaves questions a long walk is paid for now, once, by a replacement built here: the
        // questions after it would each pay it again. Short of that, the snapshot waits until the new entries pay
        // for its walk, so that rebuilding stays linear in the log.
        const replace = closed.has(actorId) && walk > maxWalk;
        if (!replace && counts.count < Math.max(snapshotEvery, counts.waitFor)) continue;
        // The walk only grows while the index does, so the next look is when the count has caught up with this one.
        const waitFor = Math.ceil(walk / (1 + extraFoldsPerEntry));
        if (!replace && waitFor > counts.count) {
          sinceSnapshot.set(actorId, { ...counts, waitFor });
          continue;
        }
        const snapshot = await snapshotActorAt(reads, actorId, checkpoint);
        if (snapshot) built.push(snapshot);
        sinceSnapshot.set(actorId, { count: 0, waitFor: 0 });
      }
      return built;
    },
    reset: () => {
      sinceSnapshot = new LRUCache({ max: 100_000 });
    },
  };
};
