import { comparePlaces } from '../read-store/places.js';
import type { Place, SnapshotMeta } from '../read-store/read-model-store.js';

/**
 * A snapshot is a fold of an actor's world-order index up to and including its boundary, as the log stood when it
 * was built (builtPosition, recorded at builtAtMs). Nothing later closes it: a question at a later knownAt starts
 * there and applies what changed behind the boundary since (late arrivals, corrections, retractions: the actor's
 * changes index), then folds the entries after it. The projector builds a new one at the end of an index every
 * SNAPSHOT_EVERY entries, and builds a boundary again (a newer version of it) so that what changed since stays short.
 */

/** How many index entries a snapshot covers beyond the one before it. */
export const SNAPSHOT_EVERY = 256;

/**
 * The snapshot to start a fold from: the furthest boundary inside the question (at or before `through`, or occurred
 * by asOf), in its newest version built by knownAt. Metas come by boundary, then by builtPosition.
 */
export const bestSnapshot = (
  metas: readonly SnapshotMeta[],
  inside: number | Place,
  knownAtMs: number,
): SnapshotMeta | undefined => {
  const fits =
    typeof inside === 'number'
      ? (meta: SnapshotMeta) => meta.boundary.occurredAtMs <= inside
      : (meta: SnapshotMeta) => comparePlaces(meta.boundary, inside) <= 0;
  for (let index = metas.length - 1; index >= 0; index--) {
    const meta = metas[index]!;
    if (fits(meta) && meta.builtAtMs <= knownAtMs) return meta;
  }
  return undefined;
};
