import type { LogPosition } from '../../events/envelope.js';

/**
 * A fold of the first `entryCount` entries of an entity's world-order index, as everything up to `builtAt` knew
 * them. It stands for that prefix at any knownAt from builtAt's recordedAt on, for as long as it exists: the read
 * model drops it as soon as an event touches a development at or before its boundary (a late arrival, a correction,
 * a retraction), so a snapshot that exists was never contradicted by anything recorded after it was built.
 */
export interface Snapshot<S> {
  readonly entryCount: number;
  /** The occurredAt of the last entry folded in. */
  readonly boundaryMs: number;
  readonly builtAt: { readonly position: LogPosition; readonly recordedAtMs: number };
  readonly state: S;
}

/** How many index entries a snapshot covers beyond the one before it. */
export const SNAPSHOT_EVERY = 512;

/** Drops the snapshots a change at `fromMs` (valid time) may contradict. */
export const invalidateFrom = <S>(snapshots: Snapshot<S>[], fromMs: number): void => {
  let keep = snapshots.length;
  while (keep > 0 && snapshots[keep - 1]!.boundaryMs >= fromMs) keep--;
  snapshots.length = keep;
};

/** The snapshot to start a fold from: the furthest one inside the asOf slice and usable at knownAt. */
export const bestSnapshot = <S>(
  snapshots: readonly Snapshot<S>[],
  end: number,
  knownAtMs: number,
): Snapshot<S> | undefined => {
  for (let index = snapshots.length - 1; index >= 0; index--) {
    const snapshot = snapshots[index]!;
    if (snapshot.entryCount <= end && snapshot.builtAt.recordedAtMs <= knownAtMs) return snapshot;
  }
  return undefined;
};
