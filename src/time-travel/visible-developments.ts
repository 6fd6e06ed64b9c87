import type { DevelopmentState } from '../domain/development.js';
import type { TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownVersion } from './known-state.js';
import { visibleEnd, type IndexedEntries, type WorldIndexEntry } from './world-index.js';

/**
 * The developments of an index that count at a time point: known at knownAt, not retracted by then, occurred by
 * asOf, and passing `keep` in the version known then. The index is in world order and holds an entry for every
 * occurredAt a development ever had, so each development is taken at the entry of the version known at knownAt,
 * and the result comes out in world order (oldest first) without sorting.
 */
export const visibleDevelopments = (
  history: EntityHistory,
  index: IndexedEntries,
  at: TimePoint,
  keep: (development: DevelopmentState) => boolean = () => true,
): DevelopmentState[] => {
  const visible: DevelopmentState[] = [];
  const { entries } = index;
  const end = visibleEnd(index, at.asOf.getTime(), at.knownAt.getTime());
  for (let index = 0; index < end; index++) {
    const development = visibleAt(history, entries[index]!, at);
    if (development !== null && keep(development)) visible.push(development);
  }
  return visible;
};

/** The development of an index entry, if it counts at the time point at that entry's place. */
export const visibleAt = (history: EntityHistory, entry: WorldIndexEntry, at: TimePoint): DevelopmentState | null => {
  const version = knownVersion(history, entry.developmentId, at.knownAt.getTime());
  return version !== null && !version.state.retracted && version.occurredAtMs === entry.occurredAtMs
    ? version.state
    : null;
};

export const takesPart = (development: DevelopmentState, actorId: string): boolean =>
  development.participants.some((participant) => participant.actorId === actorId);

export const isOnTopic = (development: DevelopmentState, topicId: string): boolean =>
  development.topicIds.includes(topicId);
