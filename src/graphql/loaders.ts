import DataLoader from 'dataloader';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { actorActivityAt, actorsByIdAt, type ActorActivity, type ActorAt } from '../time-travel/actor-at.js';
import type { ReadModelReader } from '../read-store/read-model-store.js';
import { knownDevelopment } from '../time-travel/known-state.js';
import { meetingAt } from '../time-travel/meeting-at.js';
import type { ViewPoint } from './common/time-point.js';
import { topicActivityAt, topicsByIdAt, type TopicActivity, type TopicAt } from '../time-travel/topic-at.js';

/** A request-scoped cache key for an entity at a time point. */
export interface AtKey {
  readonly id: string;
  readonly at: ViewPoint;
}

// What the question named is part of the key: the same instants named and defaulted are two views (view-id.ts).
const pointKey = (at: ViewPoint): string =>
  `${at.asOf.getTime()}|${at.knownAt.getTime()}|${+at.asked.asOf}${+at.asked.knownAt}`;
const cacheKey = ({ id, at }: AtKey): string => `${id}|${pointKey(at)}`;

const loader = <V>(compute: (key: AtKey) => Promise<V>) =>
  new DataLoader<AtKey, V, string>(async (keys) => Promise.all(keys.map(compute)), { cacheKeyFn: cacheKey });

/** A loader whose keys at one time point are read together: one store read for a list of thousands. */
const batchLoader = <V>(computeMany: (ids: readonly string[], at: ViewPoint) => Promise<Map<string, V>>) =>
  new DataLoader<AtKey, V | null, string>(
    async (keys) => {
      const byPoint = new Map<string, { at: ViewPoint; ids: string[] }>();
      for (const { id, at } of keys) {
        const point = pointKey(at);
        const group = byPoint.get(point) ?? byPoint.set(point, { at, ids: [] }).get(point)!;
        group.ids.push(id);
      }
      const found = new Map<string, Map<string, V>>();
      for (const [point, { at, ids }] of byPoint) found.set(point, await computeMany(ids, at));
      return keys.map(({ id, at }) => found.get(pointKey(at))!.get(id) ?? null);
    },
    { cacheKeyFn: cacheKey },
  );

/**
 * Per-request loaders, so that an actor named by fifty developments of one response is folded once, and the
 * heavy parts of a state (activity: positions, relations, meetings) only when a query asks for them.
 */
export const createLoaders = (reads: ReadModelReader) => ({
  actor: batchLoader<ActorAt<ViewPoint>>((ids, at) => actorsByIdAt(reads, ids, at)),
  actorActivity: loader<ActorActivity>(({ id, at }) => actorActivityAt(reads, id, at)),
  topic: batchLoader<TopicAt<ViewPoint>>((ids, at) => topicsByIdAt(reads, ids, at)),
  topicActivity: loader<TopicActivity>(({ id, at }) => topicActivityAt(reads, id, at)),
  meeting: loader<MeetingState | null>(({ id, at }) => meetingAt(reads, id, at)),
  development: loader<DevelopmentState | null>(({ id, at }) => knownDevelopment(reads, id, at.knownAt)),
});

export type Loaders = ReturnType<typeof createLoaders>;
