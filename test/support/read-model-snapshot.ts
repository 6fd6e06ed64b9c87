import type { TimePoint } from '../../src/domain/time-point.js';
import { actorActivityAt, actorAt } from '../../src/time-travel/actor-at.js';
import type { EntityHistory } from '../../src/time-travel/entity-history.js';
import type { IndexedEntries } from '../../src/time-travel/world-index.js';
import { knownDevelopment } from '../../src/time-travel/known-state.js';
import { meetingAt } from '../../src/time-travel/meeting-at.js';
import { topicActivityAt, topicAt } from '../../src/time-travel/topic-at.js';

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const entries = (index: IndexedEntries) => ({
  entries: index.entries.map((e) => [e.occurredAtMs, e.recordPosition, e.developmentId]),
  earliestAddedFrom: index.earliestAddedFrom,
});

/**
 * Everything a read model answers, as plain data: its indexes, and every entity's state at each time point.
 * Two models that give equal snapshots answer every query alike.
 */
export const snapshotReadModel = (history: EntityHistory, points: readonly TimePoint[]) => ({
  checkpoint: history.checkpoint,
  indexes: {
    worldOrder: entries(history.worldOrder()),
    actors: sorted(history.actorIds()).map((id) => [id, entries(history.developmentsNamingActor(id))]),
    topics: sorted(history.topicIds()).map((id) => [
      id,
      entries(history.developmentsNamingTopic(id)),
      sorted(history.subtopicIds(id)),
    ]),
    meetings: sorted(history.meetingIds()).map((id) => [id, entries(history.developmentsNamingMeeting(id))]),
    developments: sorted(history.developmentIds()).map((id) => [
      id,
      history.developmentVersions(id).map((v) => [v.position, v.recordedAtMs]),
    ]),
  },
  states: points.map((at) => ({
    actors: sorted(history.actorIds()).map((id) => ({
      actor: actorAt(history, id, at),
      activity: actorActivityAt(history, id, at),
    })),
    topics: sorted(history.topicIds()).map((id) => ({
      topic: topicAt(history, id, at),
      activity: topicActivityAt(history, id, at),
    })),
    meetings: sorted(history.meetingIds()).map((id) => meetingAt(history, id, at)),
    developments: sorted(history.developmentIds()).map((id) => knownDevelopment(history, id, at.knownAt)),
  })),
});
