import { comparePositions, type LogPosition, type TimelineEvent } from '../../events/index.js';
import { createTimelineReadModel, type TimelineReadModel } from '../projections/timeline-read-model.js';
import type { EventStore } from '../store/event-store.js';

/** The page size of src/projections/rebuild.ts, so that a measurement here stands for the server's start. */
const PAGE_SIZE = 1_000;

export interface FoldProgress {
  /** Events applied so far. */
  readonly done: number;
  /** How many events the log holds, as far as the head tells (see estimateEventCount). */
  readonly total: number;
  readonly elapsedMs: number;
}

export interface FoldResult {
  readonly model: TimelineReadModel;
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
 * Folds the log into a fresh read model, page by page, as rebuildReadModel (src/projections/rebuild.ts) does, telling
 * `onProgress` where it starts and after each page. It stops at the head as it was when it began, so that a log still being written to by
 * a server ends the fold too, and the count is that of a definite log.
 */
export const foldLog = async (
  store: EventStore,
  onProgress: (progress: FoldProgress) => void = () => {},
  now: () => number = () => performance.now(),
): Promise<FoldResult> => {
  const started = now();
  const head = await store.headPosition();
  let total = estimateEventCount(head);
  const model = createTimelineReadModel();
  let events = 0;
  onProgress({ done: 0, total, elapsedMs: now() - started });
  while (head !== null) {
    const page = await store.readAll({ after: model.checkpoint, maxCount: PAGE_SIZE });
    let reachedHead = page.length === 0;
    for (const event of page) {
      if (comparePositions(event.position, head) > 0) {
        reachedHead = true;
        break;
      }
      model.apply(event as TimelineEvent);
      events += 1;
    }
    total = Math.max(total, events);
    if (model.checkpoint !== null && comparePositions(model.checkpoint, head) >= 0) reachedHead = true;
    if (page.length > 0) onProgress({ done: events, total: reachedHead ? events : total, elapsedMs: now() - started });
    if (reachedHead) break;
  }
  return { model, events, elapsedMs: now() - started, checkpoint: model.checkpoint };
};
