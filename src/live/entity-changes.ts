import { isActorEvent, isDevelopmentEvent, isTopicEvent, type TimelineEvent } from '../../events/index.js';
import { namedActors, namedTopics, type DevelopmentState } from '../domain/development.js';
import type { DevelopmentChange } from '../projections/project-batch.js';
import { liveEvents, TOO_SLOW, type LiveSources, type SelectEvent } from './live-events.js';

/** Both versions of the development an event changes: a correction can drop an actor as well as add one. */
const versionsOf = (change: DevelopmentChange | undefined): DevelopmentState[] =>
  change ? [change.before, change.after].filter((v): v is DevelopmentState => v !== null) : [];

export const touchesActor =
  (actorId: string): SelectEvent =>
  (event, change) => {
    if (isActorEvent(event)) return (event.type === 'ActorRegistered' ? event.data.id : event.data.actorId) === actorId;
    if (isDevelopmentEvent(event)) return versionsOf(change).some((v) => namedActors(v).includes(actorId));
    return false;
  };

export const touchesTopic =
  (topicId: string): SelectEvent =>
  (event, change) => {
    // A subtopic opening changes its parent's state too (its subtopics).
    if (isTopicEvent(event)) {
      return event.type === 'TopicOpened'
        ? event.data.id === topicId || event.data.parentId === topicId
        : event.data.topicId === topicId;
    }
    if (isDevelopmentEvent(event)) return versionsOf(change).some((v) => namedTopics(v).includes(topicId));
    return false;
  };

/**
 * A tick each time a change touches the entity, live only; the subscriber serves the entity's state as of now.
 * The test runs as the projector hands the event over, with the read models already holding it, so only what
 * matters is buffered.
 */
export async function* entityChanges(
  sources: LiveSources,
  touches: SelectEvent,
  bufferLimit: number,
  signal?: AbortSignal,
): AsyncGenerator<TimelineEvent | typeof TOO_SLOW> {
  for await (const item of liveEvents(sources, { after: 'live', select: touches, bufferLimit, signal })) {
    if (item === TOO_SLOW) {
      yield TOO_SLOW;
      return;
    }
    yield item.event;
  }
}
