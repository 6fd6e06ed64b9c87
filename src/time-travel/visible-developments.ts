import type { DevelopmentState } from '../domain/development.js';
import type { TimePoint } from '../domain/time-point.js';
import { instantMs } from '../domain/time-point.js';
import type { IndexEntry, IndexRef, ReadModelReader, StoredVersion } from '../read-store/read-model-store.js';
import { developmentVersions, knownVersion } from './known-state.js';

const PAGE = 1_024;

export type Versions = ReadonlyMap<string, readonly StoredVersion<DevelopmentState>[]>;

/**
 * The development of an index entry, if it counts at the time point at that entry's place: known at knownAt, not
 * retracted by then, and at this entry's occurredAt in the version known then. An index holds an entry for every
 * occurredAt a development ever had, so each development counts once, at the entry of its version known then.
 */
export const visibleAt = (versions: Versions, entry: IndexEntry, knownAtMs: number): DevelopmentState | null => {
  const version = knownVersion(versions.get(entry.developmentId), knownAtMs);
  return version !== null && !version.state.retracted && instantMs(version.state.occurredAt) === entry.occurredAtMs
    ? version.state
    : null;
};

/**
 * The developments of an index that count at a time point and pass `keep` in the version known then, in world order
 * (oldest first): one read of the entries up to asOf known then, one read of their versions.
 */
export const visibleDevelopments = async (
  reads: ReadModelReader,
  index: IndexRef,
  at: TimePoint,
  keep: (development: DevelopmentState) => boolean = () => true,
): Promise<DevelopmentState[]> => {
  const knownAtMs = at.knownAt.getTime();
  const visible: DevelopmentState[] = [];
  // A page at a time: only what counts is kept, not every entry and version of a long index at once.
  for (let after: IndexEntry | null = null; ;) {
    const page = await reads.entries(index, { after, occurredByMs: at.asOf.getTime(), knownAtMs, limit: PAGE });
    const versions = await developmentVersions(
      reads,
      page.map((entry) => entry.developmentId),
    );
    for (const entry of page) {
      const development = visibleAt(versions, entry, knownAtMs);
      if (development !== null && keep(development)) visible.push(development);
    }
    if (page.length < PAGE) return visible;
    after = page.at(-1)!;
  }
};

export const takesPart = (development: DevelopmentState, actorId: string): boolean =>
  development.participants.some((participant) => participant.actorId === actorId);

export const isOnTopic = (development: DevelopmentState, topicId: string): boolean =>
  development.topicIds.includes(topicId);
