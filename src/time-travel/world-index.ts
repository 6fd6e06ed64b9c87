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
  /**
   * When the event that gave the development this place, and made it name the indexed entities, was recorded. No
   * version known before then has this place in these indexes, so the entry counts for no knownAt before it.
   */
  readonly addedAtMs: number;
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
 * An index's entries in world order, with the earliest addedAtMs of each suffix: `earliestAddedFrom[i]` is the
 * smallest addedAtMs of entries i..end. It never decreases along the array, so the first place where it passes
 * knownAt is found by binary search, and nothing from there on counts at that knownAt: a fold for a knownAt in the
 * past stops where the log then ended, however late asOf is.
 */
export interface IndexedEntries {
  readonly entries: readonly WorldIndexEntry[];
  readonly earliestAddedFrom: readonly number[];
  /** The entries in the order they were added (log order): what came in after a snapshot was built. */
  readonly inAddedOrder: readonly WorldIndexEntry[];
}

export const NO_ENTRIES: IndexedEntries = { entries: [], earliestAddedFrom: [], inAddedOrder: [] };

const suffixMinimum = (entries: readonly WorldIndexEntry[]): number[] => {
  const earliest = new Array<number>(entries.length);
  let minimum = Infinity;
  for (let index = entries.length - 1; index >= 0; index--) {
    minimum = Math.min(minimum, entries[index]!.addedAtMs);
    earliest[index] = minimum;
  }
  return earliest;
};

const inWorldOrder = (unsorted: readonly WorldIndexEntry[]): { entries: WorldIndexEntry[]; earliest: number[] } => {
  // Of equal places (one development named by several indexes merged), the earliest added is the one that counts.
  const all = [...unsorted].sort((a, b) => compareEntries(a, b) || a.addedAtMs - b.addedAtMs);
  const entries = all.filter((entry, index) => index === 0 || compareEntries(all[index - 1]!, entry) !== 0);
  return { entries, earliest: suffixMinimum(entries) };
};

/** Entries in any order as an index: sorted, each place once (the earliest added), with their suffix minimum. */
export const indexOf = (unsorted: readonly WorldIndexEntry[]): IndexedEntries => {
  const { entries, earliest } = inWorldOrder(unsorted);
  return { entries, earliestAddedFrom: earliest, inAddedOrder: unsorted };
};

/** Where the entries that can count at a time point end. */
export const visibleEnd = (index: IndexedEntries, asOfMs: number, knownAtMs: number): number => {
  const { earliestAddedFrom } = index;
  let low = 0;
  let high = countUpTo(index.entries, asOfMs);
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (earliestAddedFrom[middle]! <= knownAtMs) low = middle + 1;
    else high = middle;
  }
  return low;
};

/**
 * A world-order index that takes entries in any order and sorts when read. Almost every entry arrives in order and
 * costs a push; a late arrival only marks the index unsorted, and the next read sorts it once (nearly sorted input
 * sorts in about linear time). Splicing each late arrival in place would move the whole tail every time.
 */
export interface WorldIndex extends IndexedEntries {
  add(entry: WorldIndexEntry): void;
}

export const createWorldIndex = (): WorldIndex => {
  let entries: WorldIndexEntry[] = [];
  let earliestAddedFrom: number[] = [];
  const inAddedOrder: WorldIndexEntry[] = [];
  let sorted = true;
  const sort = () => {
    if (sorted) return;
    ({ entries, earliest: earliestAddedFrom } = inWorldOrder(entries));
    sorted = true;
  };
  return {
    add(entry) {
      const last = entries.length - 1;
      const order = last < 0 ? -1 : compareEntries(entries[last]!, entry);
      if (order === 0) {
        // Of two equal places the earlier added is the one that counts.
        if (entry.addedAtMs >= entries[last]!.addedAtMs) return;
        entries[last] = entry;
      } else {
        if (order > 0) sorted = false;
        entries.push(entry);
      }
      inAddedOrder.push(entry);
      if (!sorted) return;
      // The log is applied in order, so this is almost always the latest addedAt and nothing before it changes.
      earliestAddedFrom[entries.length - 1] = entry.addedAtMs;
      for (let index = entries.length - 2; index >= 0; index--) {
        if (earliestAddedFrom[index]! <= entry.addedAtMs) break;
        earliestAddedFrom[index] = entry.addedAtMs;
      }
    },
    get entries() {
      sort();
      return entries;
    },
    get earliestAddedFrom() {
      sort();
      return earliestAddedFrom;
    },
    inAddedOrder,
  };
};
