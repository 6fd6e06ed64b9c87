import type { DevelopmentKind } from '../../events/index.js';
import type { DevelopmentState } from '../domain/development.js';
import { instantMs } from '../domain/time-point.js';
import { comparePlaces } from '../read-store/places.js';
import type { EntriesQuery, IndexEntry, IndexRef, Place, ReadModelReader } from '../read-store/read-model-store.js';
import { developmentVersions, knownVersion } from './known-state.js';

export interface TimelineFilter {
  readonly actorIds?: readonly string[] | null;
  readonly topicIds?: readonly string[] | null;
  readonly kinds?: readonly DevelopmentKind[] | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  readonly text?: string | null;
  readonly includeRetracted?: boolean | null;
}

// The greatest position every adapter can bind in a query (SQLite keeps positions as signed 64-bit integers and
// refuses a bound past them). An entry at ms - 1 with a greater position (possible in Redis only) is read for nothing:
// matchesFilter drops it, as it drops anything before `from`.
const LAST_POSITION = { commit: (1n << 63n) - 1n, prepare: (1n << 63n) - 1n };

/** The place just before every development that occurred at `ms` or later (at most: matchesFilter decides). */
const justBefore = (ms: number): Place => ({ occurredAtMs: ms - 1, recordPosition: LAST_POSITION });

/** Several indexes' entries as one, in world order: a place named by two of them once, as first added. */
const merged = (lists: readonly IndexEntry[][]): IndexEntry[] => {
  if (lists.length === 1) return lists[0]!;
  const all = lists.flat().sort((a, b) => comparePlaces(a, b) || a.addedAtMs - b.addedAtMs);
  return all.filter((entry, index) => index === 0 || comparePlaces(all[index - 1]!, entry) !== 0);
};

/**
 * The indexes to walk for a filter: those of its actors or of its topics, whichever hold fewer entries, or the
 * world index. Every development the filter can match has an entry there, so nothing else is read.
 */
const candidates = async (reads: ReadModelReader, filter: TimelineFilter): Promise<IndexRef[]> => {
  const options: IndexRef[][] = [];
  if (filter.actorIds?.length) options.push(filter.actorIds.map((id) => ({ kind: 'actor', id })));
  if (filter.topicIds?.length) options.push(filter.topicIds.map((id) => ({ kind: 'topic', id })));
  if (options.length === 0) return [{ kind: 'world', id: '' }];
  const sizes = await Promise.all(
    options.map(async (refs) =>
      (await Promise.all(refs.map((ref) => reads.countEntries(ref)))).reduce((a, b) => a + b),
    ),
  );
  return options[sizes.indexOf(Math.min(...sizes))]!;
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
export const timelineAt = async (
  reads: ReadModelReader,
  filter: TimelineFilter,
  knownAt: Date,
  order: 'ASC' | 'DESC' = 'ASC',
): Promise<DevelopmentState[]> => {
  const knownAtMs = knownAt.getTime();
  const query: EntriesQuery = {
    knownAtMs,
    ...(filter.from ? { after: justBefore(filter.from.getTime()) } : {}),
    ...(filter.to ? { occurredByMs: filter.to.getTime() } : {}),
  };
  const refs = await candidates(reads, filter);
  const entries = merged(await Promise.all(refs.map((ref) => reads.entries(ref, query))));
  const versions = await developmentVersions(
    reads,
    entries.map((entry) => entry.developmentId),
  );
  const matching: DevelopmentState[] = [];
  for (const entry of entries) {
    const development = knownVersion(versions.get(entry.developmentId), knownAtMs)?.state;
    // A development is taken at the entry of its version known then, so it is counted once, in its place.
    if (development && instantMs(development.occurredAt) === entry.occurredAtMs && matchesFilter(development, filter)) {
      matching.push(development);
    }
  }
  return order === 'DESC' ? matching.reverse() : matching;
};
