import { LRUCache } from 'lru-cache';
import { comparePositions } from '../../events/envelope.js';
import { comparePlaces } from '../read-store/places.js';
import type {
  ReadModelCheckpoint,
  ReadModelReader,
  SnapshotMeta,
  StoredSnapshot,
} from '../read-store/read-model-store.js';
import { snapshotActorAt } from '../time-travel/actor-at.js';
import { SNAPSHOT_EVERY } from '../time-travel/snapshots.js';

export interface SnapshotPolicyOptions {
  /** Index entries between two snapshots; small values make tests walk the snapshot paths. */
  readonly snapshotEvery?: number;
  /**
   * Boundaries built again with each new snapshot: those built longest ago that something changed behind since.
   * Each costs what changed behind it, never a refold.
   */
  readonly rebuildsPerSnapshot?: number;
}

/**
 * When to leave a snapshot of an actor's index. Every `snapshotEvery` entries an actor's index gains, the projector
 * builds one at its end as the store stands at the batch's checkpoint: from the one before, brought to now, plus
 * the new entries. With it, it builds again the boundaries built longest ago that something changed behind (a late
 * arrival, a correction, a retraction), so that what a question applies on top of a snapshot stays short. Both
 * cost what is new or changed since, never the history before: building stays linear in the log.
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
  ): Promise<StoredSnapshot[]>;
  /** Forgets the counts (a batch that did not commit). */
  reset(): void;
}

/** Each boundary's newest version, the stalest first; the index's last boundary is left to the next snapshot. */
const stalestBoundaries = (metas: readonly SnapshotMeta[]): SnapshotMeta[] => {
  const newest: SnapshotMeta[] = [];
  for (const meta of metas) {
    const last = newest.at(-1);
    if (last && comparePlaces(last.boundary, meta.boundary) === 0) newest[newest.length - 1] = meta;
    else newest.push(meta);
  }
  newest.pop();
  return newest.sort((a, b) => comparePositions(a.builtPosition, b.builtPosition));
};

/**
 * Whether something changed behind each stale boundary of an actor since it was built, from one read of what its
 * changes index gained since the stalest was built. Asking the store for each boundary scanned, for each, every
 * change added since it was built: at 600,000 events that was four fifths of the rebuild. Taken by when they were
 * added, a boundary has a change behind it when the earliest place among the changes added after it was built lies
 * at or before it.
 */
const changedBehindAny = async (reads: ReadModelReader, actorId: string, stale: readonly SnapshotMeta[]) => {
  if (stale.length === 0) return () => false;
  const changes = (
    await reads.entries({ kind: 'changes', id: actorId }, { addedAfter: stale[0]!.builtPosition, knownAtMs: Infinity })
  )
    .slice()
    .sort((a, b) => comparePositions(a.addedPosition, b.addedPosition));
  // earliestFrom[i]: the earliest occurredAtMs among changes[i..].
  const earliestFrom = new Array<number>(changes.length);
  let earliest = Infinity;
  for (let at = changes.length - 1; at >= 0; at--) {
    earliest = Math.min(earliest, changes[at]!.occurredAtMs);
    earliestFrom[at] = earliest;
  }
  return (meta: SnapshotMeta): boolean => {
    let low = 0;
    let high = changes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePositions(changes[middle]!.addedPosition, meta.builtPosition) <= 0) low = middle + 1;
      else high = middle;
    }
    return low < changes.length && earliestFrom[low]! <= meta.boundary.occurredAtMs;
  };
};

export const createSnapshotPolicy = ({
  snapshotEvery = SNAPSHOT_EVERY,
  rebuildsPerSnapshot = 2,
}: SnapshotPolicyOptions = {}): SnapshotPolicy => {
  let sinceSnapshot = new LRUCache<string, number>({ max: 100_000 });

  /** Entries after the furthest boundary: those arrived since, less the few that landed behind it. */
  const countFromStore = async (reads: ReadModelReader, actorId: string): Promise<number> => {
    const end = (await reads.snapshotMetas(actorId)).at(-1)?.boundary ?? null;
    return reads.countEntries({ kind: 'actor', id: actorId }, { after: end });
  };

  const rebuilds = async (reads: ReadModelReader, actorId: string, checkpoint: ReadModelCheckpoint) => {
    const built: StoredSnapshot[] = [];
    if (rebuildsPerSnapshot === 0) return built;
    const stale = stalestBoundaries(await reads.snapshotMetas(actorId));
    const changedBehind = await changedBehindAny(reads, actorId, stale);
    for (const meta of stale) {
      if (built.length === rebuildsPerSnapshot) break;
      if (!changedBehind(meta)) continue;
      const snapshot = await snapshotActorAt(reads, actorId, checkpoint, meta.boundary);
      if (snapshot) built.push(snapshot);
    }
    return built;
  };

  return {
    afterCommit: async (reads, gains, checkpoint) => {
      const due: string[] = [];
      await Promise.all(
        [...gains].map(async ([actorId, gained]) => {
          const known = sinceSnapshot.get(actorId);
          // Read after the commit, the store's count already holds this batch's gains.
          const count = known === undefined ? await countFromStore(reads, actorId) : known + gained;
          sinceSnapshot.set(actorId, count);
          if (count >= snapshotEvery) due.push(actorId);
        }),
      );
      const built: StoredSnapshot[] = [];
      for (const actorId of due.sort()) {
        built.push(...(await rebuilds(reads, actorId, checkpoint)));
        const snapshot = await snapshotActorAt(reads, actorId, checkpoint);
        if (snapshot) built.push(snapshot);
        sinceSnapshot.set(actorId, 0);
      }
      return built;
    },
    reset: () => {
      sinceSnapshot = new LRUCache({ max: 100_000 });
    },
  };
};
