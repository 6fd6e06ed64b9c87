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

/**
 * A world-order index that takes entries in any order and sorts when read. Almost every entry arrives in order and
 * costs a push; a late arrival only marks the index unsorted, and the next read sorts it once (nearly sorted input
 * sorts in about linear time). Splicing each late arrival in place would move the whole tail every time.
 */
export interface WorldIndex {
  add(entry: WorldIndexEntry): void;
  /** The entries in world order, each once. */
  readonly entries: readonly WorldIndexEntry[];
}

export const createWorldIndex = (): WorldIndex => {
  let entries: WorldIndexEntry[] = [];
  let sorted = true;
  return {
    add(entry) {
      const last = entries.at(-1);
      if (last !== undefined) {
        const order = compareEntries(last, entry);
        if (order === 0) return;
        if (order > 0) sorted = false;
      }
      entries.push(entry);
    },
    get entries() {
      if (!sorted) {
        entries.sort(compareEntries);
        entries = entries.filter((entry, index) => index === 0 || compareEntries(entries[index - 1]!, entry) !== 0);
        sorted = true;
      }
      return entries;
    },
  };
};
