import type { TimelineEvent } from '../../events/index.js';
import type { CachedReader } from '../read-store/cached-reader.js';
import { comparePlaces } from '../read-store/places.js';
import type { Place, ReadModelReader, ReadModelWriter, StoredSnapshot } from '../read-store/read-model-store.js';
import { createIndexTails } from './place-entries.js';
import { projectBatch, type ProjectedBatch } from './project-batch.js';
import { createSnapshotPolicy, type SnapshotPolicyOptions } from './snapshot-policy.js';

/**
 * The one way events reach the read models, for the live projector, the elected leader and a rebuild alike: project
 * a batch, commit it with its checkpoint (and the snapshots the batch before left due), let the cache forget what it
 * changed, then build the snapshots now due from the store as it stands.
 */
export interface Projection {
  /** Projects and commits `events` (in log order, after the store's checkpoint) as one batch. */
  apply(events: readonly TimelineEvent[]): Promise<ProjectedBatch>;
  /** Forgets what it carried between batches: another writer committed to the store. */
  reset(): void;
}

export interface ProjectionOptions extends SnapshotPolicyOptions {
  readonly reads: CachedReader;
  /** The store itself: it takes the batches, and answers the lookups no cache would keep. */
  readonly writer: ReadModelReader & ReadModelWriter;
}

export const createProjection = ({ reads, writer, ...snapshotOptions }: ProjectionOptions): Projection => {
  const tails = createIndexTails();
  const policy = createSnapshotPolicy(snapshotOptions);
  let due: StoredSnapshot[] = [];
  const snapshotEnd = async (actorId: string): Promise<Place | null> => {
    let end = (await reads.snapshotMetas(actorId)).at(-1)?.boundary ?? null;
    for (const snapshot of due) {
      if (snapshot.actorId === actorId && (end === null || comparePlaces(snapshot.boundary, end) > 0)) {
        end = snapshot.boundary;
      }
    }
    return end;
  };
  const reset = () => {
    tails.ends.clear();
    policy.reset();
    due = [];
  };
  return {
    reset,
    apply: async (events) => {
      const projected = await projectBatch(reads, events, tails, snapshotEnd, writer);
      const batch = { ...projected.batch, snapshots: due };
      try {
        await writer.commit(batch);
      } catch (error) {
        // What was carried along for the batch (index ends, counts) no longer matches the store: read it again.
        reset();
        reads.clear();
        throw error;
      }
      reads.forget({
        ...projected.changed,
        snapshotActors: [...projected.changed.snapshotActors, ...due.map((snapshot) => snapshot.actorId)],
        snapshots: due,
      });
      due = await policy.afterCommit(reads, projected.actorGains, batch.checkpoint);
      return projected;
    },
  };
};
