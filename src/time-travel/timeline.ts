import type { DevelopmentKind } from '../../events/index.js';
import type { DevelopmentState } from '../domain/development.js';
import { compareWorldOrder, instantMs } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownDevelopment } from './known-state.js';

export interface TimelineFilter {
  readonly actorIds?: readonly string[] | null;
  readonly topicIds?: readonly string[] | null;
  readonly kinds?: readonly DevelopmentKind[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly text?: string | null;
  readonly includeRetracted?: boolean | null;
}

const union = (sets: Iterable<string>[]): Set<string> => new Set(sets.flatMap((set) => [...set]));

/** The developments an index can name for the filter, before the exact test on their known version. */
const candidates = (history: EntityHistory, filter: TimelineFilter): Iterable<string> => {
  const byActor = filter.actorIds?.length
    ? union(filter.actorIds.map((id) => history.developmentsNamingActor(id)))
    : null;
  const byTopic = filter.topicIds?.length
    ? union(filter.topicIds.map((id) => history.developmentsNamingTopic(id)))
    : null;
  if (byActor && byTopic) return [...byActor].filter((id) => byTopic.has(id));
  return byActor ?? byTopic ?? history.developmentIds();
};

export const matchesFilter = (development: DevelopmentState, filter: TimelineFilter): boolean => {
  if (development.retracted && !filter.includeRetracted) return false;
  if (filter.actorIds?.length && !development.participants.some((p) => filter.actorIds!.includes(p.actorId))) {
    return false;
  }
  if (filter.topicIds?.length && !development.topicIds.some((id) => filter.topicIds!.includes(id))) return false;
  if (filter.kinds?.length && !filter.kinds.includes(development.kind)) return false;
  const occurred = instantMs(development.occurredAt);
  if (filter.from && occurred < filter.from.getTime()) return false;
  if (filter.to && occurred > filter.to.getTime()) return false;
  if (filter.text) {
    const needle = filter.text.toLocaleLowerCase();
    const haystack = [development.title, development.summary ?? '', ...development.quotes.map((q) => q.text)];
    if (!haystack.some((text) => text.toLocaleLowerCase().includes(needle))) return false;
  }
  return true;
};

/** Developments known at knownAt that match the filter, in world order (occurredAt, then recording order). */
export const timelineAt = (
  history: EntityHistory,
  filter: TimelineFilter,
  knownAt: Date,
  order: 'ASC' | 'DESC' = 'ASC',
): DevelopmentState[] => {
  const matching: DevelopmentState[] = [];
  for (const id of candidates(history, filter)) {
    const development = knownDevelopment(history, id, knownAt);
    if (development && matchesFilter(development, filter)) matching.push(development);
  }
  matching.sort(compareWorldOrder);
  return order === 'DESC' ? matching.reverse() : matching;
};
