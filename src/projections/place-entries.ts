import { LRUCache } from 'lru-cache';
import { comparePlaces } from '../read-store/places.js';
import type { IndexEntry, IndexRef, Place, ReadModelReader } from '../read-store/read-model-store.js';

export interface PlacedEntry {
  readonly index: IndexRef;
  readonly entry: IndexEntry;
}

/** The last entries of an index in world order, and whether they are all it holds. */
interface IndexEnd {
  readonly entries: IndexEntry[];
  complete: boolean;
}

/**
 * The last entries of each index the projector wrote to, so that the usual entry (a new development, later than
 * all before it, or just before the last few: developments seldom arrive in exact world order) is placed without a
 * read. Bounded: an index it forgot is read again on its next entry.
 */
export interface IndexTails {
  readonly ends: LRUCache<string, IndexEnd>;
  /** How many entries of an index's end are kept. */
  readonly length: number;
}

/**
 * 32 entries an index by default. More would spare some reads, but they stay in the heap for every index written
 * to: a rebuild of 1M developments keeping 256 held 1.35 GB resident against 0.85 and ran 5% slower (439 s against
 * 417). Tests keep fewer, so that entries land before the kept end and take the reads.
 */
export const createIndexTails = ({ max = 20_000, length = 32 } = {}): IndexTails => ({
  ends: new LRUCache({ max }),
  length,
});

const keyOf = ({ kind, id }: IndexRef) => `${kind}:${id}`;

const LAST_PREPARE = (1n << 63n) - 1n;

/** The place just before `place` in world order: a scan after it starts at `place` itself. */
const justBefore = ({ occurredAtMs, recordPosition: { commit, prepare } }: Place): Place => ({
  occurredAtMs,
  recordPosition: prepare > 0n ? { commit, prepare: prepare - 1n } : { commit: commit - 1n, prepare: LAST_PREPARE },
});

/** Where `entry` goes in sorted `entries`: the index of the first one after it, and whether one is at its place. */
const placeIn = (entries: readonly Place[], entry: Place): { at: number; same: boolean } => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePlaces(entries[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  const same = low < entries.length && comparePlaces(entries[low]!, entry) === 0;
  return { at: same ? low + 1 : low, same };
};

type Unplaced = { readonly index: IndexRef; readonly entry: Omit<IndexEntry, 'earliestAddedFromMs'> };

/**
 * `entry` with its earliestAddedFromMs, written out rather than spread: a spread that adds a property took 1.5 us an
 * entry against 0.06, a second in a rebuild of 100,000 developments (475,000 entries). A share absent stays absent.
 */
const withEarliestAddedFrom = (entry: Unplaced['entry'], earliestAddedFromMs: number): IndexEntry => {
  const { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition, share } = entry;
  return share === undefined
    ? { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition, earliestAddedFromMs }
    : { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition, earliestAddedFromMs, share };
};

/**
 * Gives each new entry its earliestAddedFromMs and drops the places an index already has (the first entry at a
 * place is the one that counts). recordedAt never decreases along the log, so an entry added now has the latest
 * addedAt of its index: its earliestAddedFromMs is its own addedAt at the end of the index, and that of the next
 * entry anywhere else. The end of each index is kept in memory; only entries that land before it (late arrivals
 * by months, corrections that move a development far back) read the store, all at once.
 */
export const placeEntries = async (
  reads: ReadModelReader,
  unplaced: readonly Unplaced[],
  tails: IndexTails,
): Promise<PlacedEntry[]> => {
  const keys = unplaced.map(({ index }) => keyOf(index));
  // Held here for the batch: reading one index's end may push another out of the LRU.
  const ends = new Map<string, IndexEnd>();
  await Promise.all(
    [...new Map(unplaced.map(({ index }, at) => [keys[at]!, index]))].map(async ([key, index]) => {
      const known = tails.ends.get(key);
      if (known) return void ends.set(key, known);
      const last = await reads.entries(index, { knownAtMs: Infinity, descending: true, limit: tails.length });
      ends.set(key, { entries: last.reverse(), complete: last.length < tails.length });
    }),
  );

  // Entries before an index's kept end need the store; the end only grows within the batch, so this is known now.
  // Picked out first: a read pending for each entry (in a rebuild, 475,000 for 27,500 reads) was a tenth of placing.
  const before = (at: number): boolean => {
    const end = ends.get(keys[at]!)!;
    const { entry } = unplaced[at]!;
    return !end.complete && end.entries.length > 0 && comparePlaces(entry, end.entries[0]!) < 0;
  };
  const lookups = new Map<number, { same: boolean; next: IndexEntry | undefined }>();
  await Promise.all(
    unplaced
      .map((_, at) => at)
      .filter(before)
      .map(async (at) => {
        const { index, entry } = unplaced[at]!;
        const found = await reads.entries(index, { after: justBefore(entry), knownAtMs: Infinity, limit: 2 });
        const same = found[0] !== undefined && comparePlaces(found[0], entry) === 0;
        lookups.set(at, { same, next: same ? found[1] : found[0] });
      }),
  );

  const placed: PlacedEntry[] = [];
  // Entries of this batch placed before an index's kept end: later ones of the batch may land next to them.
  const earlier = new Map<string, IndexEntry[]>();
  unplaced.forEach(({ index, entry }, at) => {
    const key = keys[at]!;
    const end = ends.get(key)!;
    const looked = lookups.get(at);
    let next: IndexEntry | undefined;
    if (looked) {
      const mine = earlier.get(key) ?? [];
      if (looked.same || mine.some((known) => comparePlaces(known, entry) === 0)) return;
      next = looked.next;
      for (const candidate of [...mine, end.entries[0]!]) {
        if (comparePlaces(candidate, entry) > 0 && (next === undefined || comparePlaces(candidate, next) < 0)) {
          next = candidate;
        }
      }
      const full = withEarliestAddedFrom(entry, next ? next.earliestAddedFromMs : entry.addedAtMs);
      earlier.set(key, [...mine, full]);
      placed.push({ index, entry: full });
      return;
    }
    const { at: slot, same } = placeIn(end.entries, entry);
    if (same) return;
    next = end.entries[slot];
    const full = withEarliestAddedFrom(entry, next ? next.earliestAddedFromMs : entry.addedAtMs);
    end.entries.splice(slot, 0, full);
    placed.push({ index, entry: full });
  });
  for (const [key, end] of ends) {
    if (end.entries.length > tails.length) {
      end.entries.splice(0, end.entries.length - tails.length);
      end.complete = false;
    }
    tails.ends.set(key, end);
  }
  return placed;
};
