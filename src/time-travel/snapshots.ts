import type { SnapshotMeta } from '../read-store/read-model-store.js';

/**
 * A snapshot is a fold of an actor's world-order index up to and including its boundary, as the log stood when it
 * was built (builtPosition, recorded at builtAtMs). Developments recorded later with a place at or before the
 * boundary (late arrivals) only add to it, and a question folds them in on top; it stands for that prefix at every
 * knownAt from builtAtMs until the first change to a development it holds (a correction, a retraction) was
 * recorded (invalidAtMs): a knownAt in the past keeps the snapshots of its time.
 */

/** How many index entries a snapshot covers beyond the one before it. */
export const SNAPSHOT_EVERY = 1024;

/** The snapshot to start a fold from: the furthest one inside asOf that stands at knownAt. */
export const bestSnapshot = (
  metas: readonly SnapshotMeta[],
  asOfMs: number,
  knownAtMs: number,
): SnapshotMeta | undefined => {
  for (let index = metas.length - 1; index >= 0; index--) {
    const meta = metas[index]!;
    if (meta.boundary.occurredAtMs <= asOfMs && meta.builtAtMs <= knownAtMs && knownAtMs < meta.invalidAtMs) {
      return meta;
    }
  }
  return undefined;
};
