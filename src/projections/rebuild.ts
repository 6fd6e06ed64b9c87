import type { TimelineEvent } from '../../events/index.js';
import type { EventStore } from '../store/event-store.js';
import { createTimelineReadModel, type TimelineReadModel } from './timeline-read-model.js';

const PAGE_SIZE = 1_000;

/** A read model folded from the whole log, page by page: what the projector must always equal. */
export const rebuildReadModel = async (store: EventStore): Promise<TimelineReadModel> => {
  const model = createTimelineReadModel();
  for (;;) {
    const page = await store.readAll({ after: model.checkpoint, maxCount: PAGE_SIZE });
    if (page.length === 0) return model;
    for (const event of page) model.apply(event as TimelineEvent);
  }
};
