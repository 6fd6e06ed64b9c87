import type { DevelopmentState } from '../domain/development.js';
import { compareWorldOrder, occurredBy, type TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownDevelopment } from './known-state.js';

/**
 * The developments that count for a state at a time point: known at knownAt, not retracted by then, occurred by
 * asOf, and passing `keep` in the version known then. Returned in world order (oldest first).
 */
export const visibleDevelopments = (
  history: EntityHistory,
  candidateIds: Iterable<string>,
  at: TimePoint,
  keep: (development: DevelopmentState) => boolean = () => true,
): DevelopmentState[] => {
  const visible: DevelopmentState[] = [];
  for (const id of candidateIds) {
    const development = knownDevelopment(history, id, at.knownAt);
    if (development && !development.retracted && occurredBy(development, at.asOf) && keep(development)) {
      visible.push(development);
    }
  }
  return visible.sort(compareWorldOrder);
};

export const takesPart = (development: DevelopmentState, actorId: string): boolean =>
  development.participants.some((participant) => participant.actorId === actorId);

export const isOnTopic = (development: DevelopmentState, topicId: string): boolean =>
  development.topicIds.includes(topicId);
