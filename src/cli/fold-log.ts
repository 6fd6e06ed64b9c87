import type { LogPosition } from '../../events/index.js';
import { projectLog, rebuildReadModels } from '../projections/rebuild.js';
import type { ReadModelStore } from '../read-store/read-model-store.js';
import type { EventStore } from '../store/event-store.js';
import { CliError } from './errors.js';

export interface FoldProgress {
  /** Events applied so far. */
  readonly done: number;
  /** How many events the log holds, as far as the head tells (see estimateEventCount). */
  readonly total: number;
  readonly elapsedMs: number;
}

export interface FoldResult {
  readonly events: number;
  readonly elapsedMs: number;
  /** The position of the last event applied; null for an empty log. */
  readonly checkpoint: LogPosition | null;
}

/**
 * How many events a log whose last position is `head` holds. In the SQLite store positions are 1..N with no gap, so
 * this is exact there; for a store whose positions have gaps (KurrentDB's are byte offsets) it is only an upper
 * estimate, and progress shown against it reaches 100 % early or not at all.
 */
export const estimateEventCount = (head: LogPosition | null): number => (head === null ? 0 : Number(head.commit));

/** The log position as a string: its number, or commit:prepare for a store where the two differ. */
export const formatPosition = (position: LogPosition | null): string | null =>
  position === null
    ? null
    : position.commit === position.prepare
      ? position.commit.toString()
      : `${position.commit}:${position.prepare}`;

/**
 * Folds the log afresh into `target` (emptied first) with rebuildReadModels, telling `onProgress` where it starts
 * and after each page. It stops at the head as it was when it began, so that a log still being written to by a
 * server ends the fold too, and the count is that of a definite log.
 */
export const foldLog = async (
  store: EventStore,
  target: ReadModelStore,
  onProgress: (progress: FoldProgress) => void = () => {},
  now: () => number = () => performance.now(),
  { afresh = true, snapshotEvery }: { readonly afresh?: boolean; readonly snapshotEvery?: number } = {},
): Promise<FoldResult> => {
  const started = now();
  const head = await store.headPosition();
  const total = estimateEventCount(head);
  let events = 0;
  onProgress({ done: 0, total, elapsedMs: now() - started });
  try {
    await (afresh ? rebuildReadModels : projectLog)(store, target, {
      until: head,
      snapshotEvery,
      onPage: (applied) => {
        events = applied;
        onProgress({ done: applied, total: Math.max(total, applied), elapsedMs: now() - started });
      },
    });
  } catch (error) {
    // The store reads and decodes a page at once: the culprit is within a page past the last one applied, and the
    // store's message names it.
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`the log does not fold from the start (${events} events applied): ${message}`, { cause: error });
  }
  // Read models kept current already took nothing: they hold the whole log all the same.
  if (!afresh) onProgress({ done: total, total, elapsedMs: now() - started });
  return { events, elapsedMs: now() - started, checkpoint: head };
};
