import type { DevelopmentKind } from '../../events/index.js';
import type { DevelopmentState } from '../domain/development.js';
import { instantMs } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownDevelopment } from './known-state.js';
import { countBefore, indexOf, visibleEnd, type IndexedEntries } from './world-index.js';

export interface TimelineFilter {
  readonly actorIds?: readonly string[] | null;
  readonly topicIds?: readonly string[] | null;
  readonly kinds?: readonly DevelopmentKind[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly text?: string | null;
  readonly includeRetracted?: boolean | null;
}

/** Several indexes as one, in world order (an entry in two of them once). */
const merged = (indexes: readonly IndexedEntries[]): IndexedEntries =>
  indexes.length === 1 ? indexes[0]! : indexOf(indexes.flatMap((index) => index.entries));

/**
 * The index to walk for a filter: the smaller of its actors' and its topics' indexes, or the whole world order.
 * Every development the filter can match has an entry there, so nothing else of the log is read.
 */
const candidates = (history: EntityHistory, filter: TimelineFilter): IndexedEntries => {
  const options: IndexedEntries[] = [];
  if (filter.actorIds?.length) options.push(merged(filter.actorIds.map((id) => history.developmentsNamingActor(id))));
  if (filter.topicIds?.length) options.push(merged(filter.topicIds.map((id) => history.developmentsNamingTopic(id))));
  if (options.length === 0) return history.worldOrder();
  return options.reduce((smallest, option) => (option.entries.length < smallest.entries.length ? option : smallest));
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
  const index = candidates(history, filter);
  const { entries } = index;
  const start = filter.from ? countBefore(entries, filter.from.getTime()) : 0;
  const end = visibleEnd(index, filter.to?.getTime() ?? Infinity, knownAt.getTime());
  const matching: DevelopmentState[] = [];
  for (let index = start; index < end; index++) {
    const entry = entries[index]!;
    const development = knownDevelopment(history, entry.developmentId, knownAt);
    // A development is taken at the entry of its version known then, so it is counted once, in its place.
    if (development && instantMs(development.occurredAt) === entry.occurredAtMs && matchesFilter(development, filter)) {
      matching.push(development);
    }
  }
  return order === 'DESC' ? matching.reverse() : matching;
};
