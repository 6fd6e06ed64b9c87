import { comparePositions, isAfter } from '../../events/envelope.js';
import type { CountQuery, EntriesQuery, IndexEntry, Place, SnapshotMeta } from './read-model-store.js';

/** World order: occurredAt, then the log position of the development's first recording. */
export const comparePlaces = (a: Place, b: Place): number =>
  a.occurredAtMs - b.occurredAtMs || comparePositions(a.recordPosition, b.recordPosition);

/** What an entries query takes, entry by entry: the meaning every adapter's faster scan must keep. */
export const matchesEntriesQuery = (entry: IndexEntry, query: EntriesQuery): boolean =>
  entry.addedAtMs <= query.knownAtMs &&
  (query.after == null || comparePlaces(entry, query.after) > 0) &&
  (query.through == null || comparePlaces(entry, query.through) <= 0) &&
  (query.occurredByMs === undefined || entry.occurredAtMs <= query.occurredByMs) &&
  (query.addedAfter == null || isAfter(entry.addedPosition, query.addedAfter));

export const matchesCountQuery = (entry: IndexEntry, query: CountQuery): boolean =>
  (query.after == null || comparePlaces(entry, query.after) > 0) &&
  (query.addedAfter == null || isAfter(entry.addedPosition, query.addedAfter));

/** A snapshot is named by its actor, its boundary and the position it was built at. */
export const sameSnapshot = (a: SnapshotMeta, b: SnapshotMeta): boolean =>
  a.actorId === b.actorId &&
  comparePlaces(a.boundary, b.boundary) === 0 &&
  comparePositions(a.builtPosition, b.builtPosition) === 0;

/** The order of an actor's snapshot list in every store: by boundary, then by when each was built. */
export const compareSnapshots = (a: SnapshotMeta, b: SnapshotMeta): number =>
  comparePlaces(a.boundary, b.boundary) || comparePositions(a.builtPosition, b.builtPosition);

/** A place as a map key: equal places, equal keys. */
export const placeKey = (place: Place): string =>
  `${place.occurredAtMs}/${place.recordPosition.commit}/${place.recordPosition.prepare}`;
