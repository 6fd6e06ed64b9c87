import { comparePositions, type LogPosition } from '../../events/envelope.js';

/**
 * One place a development takes in world order: (occurredAt, log position of its first recording). An index of
 * an entity holds an entry for every occurredAt any version of a development naming the entity had, so that the
 * version known at any knownAt finds its place without sorting.
 */
export interface WorldIndexEntry {
  readonly occurredAtMs: number;
  readonly recordPosition: LogPosition;
  readonly developmentId: string;
}

export const compareEntries = (a: WorldIndexEntry, b: WorldIndexEntry): number =>
  a.occurredAtMs - b.occurredAtMs || comparePositions(a.recordPosition, b.recordPosition);

/** The index of the first entry not before `entry` (entries sorted by compareEntries). */
const lowerBound = (entries: readonly WorldIndexEntry[], entry: WorldIndexEntry): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareEntries(entries[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** Inserts in order; an entry already there is not added twice. Appends in world order cost O(1). */
export const insertEntry = (entries: WorldIndexEntry[], entry: WorldIndexEntry): void => {
  const last = entries.at(-1);
  if (last === undefined || compareEntries(last, entry) < 0) {
    entries.push(entry);
    return;
  }
  const at = lowerBound(entries, entry);
  if (at < entries.length && compareEntries(entries[at]!, entry) === 0) return;
  entries.splice(at, 0, entry);
};

/** How many entries occurred at or before `ms`: the end of the slice that counts as of that instant. */
export const countUpTo = (entries: readonly WorldIndexEntry[], ms: number): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle]!.occurredAtMs <= ms) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** How many entries occurred before `ms`. */
export const countBefore = (entries: readonly WorldIndexEntry[], ms: number): number => countUpTo(entries, ms - 1);
