import { compareEntries, type WorldIndexEntry } from './world-index.js';

/**
 * A fold of an entity's world-order index up to and including `boundary`, as the log stood when it was built
 * (`builtAtMs`, the recordedAt of the last event applied then). Developments recorded later with a place at or
 * before the boundary (late arrivals) only add to it, and the fold adds them on top; it stands for that prefix at
 * every knownAt from builtAtMs until the first event that changed a development it holds (a correction, a
 * retraction) was recorded (`invalidAtMs`): knownAt in the past keeps the snapshots of its time.
 */
export interface Snapshot<S> {
  readonly boundary: WorldIndexEntry;
  readonly builtAtMs: number;
  /**
   * How many entries the index had taken when the snapshot was built: those added after it (inAddedOrder from
   * here) are developments recorded later, folded in on top when they count at the knownAt asked.
   */
  readonly addedBefore: number;
  invalidAtMs: number;
  readonly state: S;
}

/** How many index entries a snapshot covers beyond the one before it. */
export const SNAPSHOT_EVERY = 4096;

/** Marks the snapshots that a change at `fromMs` (valid time), recorded at `atMs`, contradicts from then on. */
export const invalidateFrom = <S>(snapshots: readonly Snapshot<S>[], fromMs: number, atMs: number): void => {
  for (let index = snapshots.length - 1; index >= 0; index--) {
    const snapshot = snapshots[index]!;
    if (snapshot.boundary.occurredAtMs < fromMs) return;
    if (snapshot.invalidAtMs > atMs) snapshot.invalidAtMs = atMs;
  }
};

/** The snapshot to start a fold from: the furthest one inside asOf and standing at knownAt. */
export const bestSnapshot = <S>(
  snapshots: readonly Snapshot<S>[],
  asOfMs: number,
  knownAtMs: number,
): Snapshot<S> | undefined => {
  for (let index = snapshots.length - 1; index >= 0; index--) {
    const snapshot = snapshots[index]!;
    if (
      snapshot.boundary.occurredAtMs <= asOfMs &&
      snapshot.builtAtMs <= knownAtMs &&
      knownAtMs < snapshot.invalidAtMs
    ) {
      return snapshot;
    }
  }
  return undefined;
};

/** Where a fold resumes after a snapshot: the first entry after its boundary. */
export const entriesThrough = (entries: readonly WorldIndexEntry[], boundary: WorldIndexEntry): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareEntries(entries[middle]!, boundary) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
};
