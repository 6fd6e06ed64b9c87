import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import { createTimelineReadModel, type TimelineReadModel } from './timeline-read-model.js';

export interface RebuildOptions {
  /** Stop at this position (inclusive): the head as it was when a rebuild began, while a server goes on writing. */
  readonly until?: LogPosition | null;
  /** Told the number of events applied after each page. */
  readonly onPage?: (applied: number) => void;
  readonly pageSize?: number;
}

/** A read model folded from the log, page by page: what the projector must always equal. */
export const rebuildReadModel = async (store: EventStore, options: RebuildOptions = {}): Promise<TimelineReadModel> => {
  const model = createTimelineReadModel();
  let applied = 0;
  for (;;) {
    const page = await store.readAll({ after: model.checkpoint, maxCount: options.pageSize ?? 1_000 });
    let reachedEnd = page.length === 0;
    for (const event of page) {
      if (options.until && isAfter(event.position, options.until)) {
        reachedEnd = true;
        break;
      }
      model.apply(event as TimelineEvent);
      applied += 1;
    }
    if (options.until === null || (options.until && model.checkpoint && !isAfter(options.until, model.checkpoint))) {
      reachedEnd = true;
    }
    if (page.length > 0) options.onPage?.(applied);
    if (reachedEnd) return model;
  }
};
