import DataLoader from 'dataloader';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import type { TimePoint } from '../domain/time-point.js';
import { actorActivityAt, actorAt, type ActorActivity, type ActorAt } from '../time-travel/actor-at.js';
import type { ReadModelReader } from '../read-store/read-model-store.js';
import { knownDevelopment } from '../time-travel/known-state.js';
import { meetingAt } from '../time-travel/meeting-at.js';
import { topicActivityAt, topicAt, type TopicActivity, type TopicAt } from '../time-travel/topic-at.js';

/** A request-scoped cache key for an entity at a time point. */
export interface AtKey {
  readonly id: string;
  readonly at: TimePoint;
}

const cacheKey = ({ id, at }: AtKey): string => `${id}|${at.asOf.getTime()}|${at.knownAt.getTime()}`;

const loader = <V>(compute: (key: AtKey) => Promise<V>) =>
  new DataLoader<AtKey, V, string>(async (keys) => Promise.all(keys.map(compute)), { cacheKeyFn: cacheKey });

/**
 * Per-request loaders, so that an actor named by fifty developments of one response is folded once, and the
 * heavy parts of a state (activity: positions, relations, meetings) only when a query asks for them.
 */
export const createLoaders = (reads: ReadModelReader) => ({
  actor: loader<ActorAt | null>(({ id, at }) => actorAt(reads, id, at)),
  actorActivity: loader<ActorActivity>(({ id, at }) => actorActivityAt(reads, id, at)),
  topic: loader<TopicAt | null>(({ id, at }) => topicAt(reads, id, at)),
  topicActivity: loader<TopicActivity>(({ id, at }) => topicActivityAt(reads, id, at)),
  meeting: loader<MeetingState | null>(({ id, at }) => meetingAt(reads, id, at)),
  development: loader<DevelopmentState | null>(({ id, at }) => knownDevelopment(reads, id, at.knownAt)),
});

export type Loaders = ReturnType<typeof createLoaders>;
