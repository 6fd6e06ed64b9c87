import { LRUCache } from 'lru-cache';
import { comparePlaces, placeKey } from '../read-store/places.js';
import type { IndexEntry, IndexRef, Place, ReadModelReader } from '../read-store/read-model-store.js';

export interface PlacedEntry {
  readonly index: IndexRef;
  readonly entry: IndexEntry;
}

/** The last entries of an index in world order, whether they are all it holds, and how many of them it keeps. */
interface IndexEnd {
  readonly entries: IndexEntry[];
  complete: boolean;
  keep: number;
}

/**
 * The last entries of each index the projector wrote to, so that the usual entry (a new development, later than
 * all before it, or just before the last few: developments seldom arrive in exact world order) is placed without a
 * read. Bounded in indexes and in entries: an index it forgot is read again on its next entry.
 */
export interface IndexTails {
  readonly ends: LRUCache<string, IndexEnd>;
  /** How many entries of an index's end are kept at first. */
  readonly length: number;
  /** How many one index's end grows to at most, doubling while batches place many entries before it. */
  readonly longest: number;
  /** Entries of one batch placed before an index's kept end at which that end doubles. */
  readonly growAt: number;
}

/**
 * 32 entries an index at first. More for every index would spare some reads, but they stay in the heap for every
 * index written to: a rebuild of 1M developments keeping 256 held 1.35 GB resident against 0.85 and ran 5% slower
 * (439 s against 417). But an index whose developments come dense in world time takes most of its new entries a few
 * hours or days before its last 32 (the world index, a busy actor's): in a history five times as dense as the
 * generator's default, 40% of all entries placed needed a read of their own, and placing was a fifth of a rebuild.
 * Such an index keeps a longer end, doubled (one read back) while a batch places `growAt` entries before it, up to
 * `longest`. The entries kept in all stay under the bound they always had (`maxEntries`: 20,000 ends of 32), which
 * a rebuild now fills further: the 1M history's rebuild held 928 MB resident rather than 857, 5% faster. Tests keep
 * fewer, so that entries land before the kept end and take the reads.
 */
export const createIndexTails = ({
  max = 20_000,
  length = 32,
  longest = 4_096,
  growAt = 16,
  maxEntries = 20_000 * 32,
} = {}): IndexTails => ({
  ends: new LRUCache({ max, maxSize: maxEntries, sizeCalculation: (end) => end.entries.length + 1 }),
  length,
  longest,
  growAt,
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
  const refs = new Map(unplaced.map(({ index }, at) => [keys[at]!, index]));
  // Held here for the batch: reading one index's end may push another out of the LRU.
  const ends = new Map<string, IndexEnd>();
  await Promise.all(
    [...refs].map(async ([key, index]) => {
      const known = tails.ends.get(key);
      if (known) return void ends.set(key, known);
      const last = await reads.entries(index, { knownAtMs: Infinity, descending: true, limit: tails.length });
      ends.set(key, { entries: last.reverse(), complete: last.length < tails.length, keep: tails.length });
    }),
  );

  // Entries before an index's kept end need the store, unless the end reaches back over them.
  const isBefore = (end: IndexEnd, entry: Place): boolean =>
    !end.complete && end.entries.length > 0 && comparePlaces(entry, end.entries[0]!) < 0;
  const beforeByIndex = new Map<string, Place[]>();
  unplaced.forEach(({ entry }, at) => {
    if (!isBefore(ends.get(keys[at]!)!, entry)) return;
    const list = beforeByIndex.get(keys[at]!);
    if (list) list.push(entry);
    else beforeByIndex.set(keys[at]!, [entry]);
  });
  await Promise.all(
    [...beforeByIndex].map(async ([key, list]) => {
      const end = ends.get(key)!;
      let count = list.length;
      while (count >= tails.growAt && !end.complete && end.keep < tails.longest) {
        const keep = Math.min(tails.longest, end.keep * 2);
        const wanted = keep - end.entries.length;
        if (wanted > 0) {
          const older = await reads.entries(refs.get(key)!, {
            through: justBefore(end.entries[0]!),
            knownAtMs: Infinity,
            descending: true,
            limit: wanted,
          });
          end.entries.unshift(...older.reverse());
          end.complete = older.length < wanted;
        }
        end.keep = keep;
        count = list.filter((entry) => isBefore(end, entry)).length;
      }
    }),
  );
  const before = (at: number): boolean => isBefore(ends.get(keys[at]!)!, unplaced[at]!.entry);

  // The end only grows within the batch, so which entries need the store is known now. Picked out first: a read
  // pending for each entry (in a rebuild, 475,000 for 27,500 reads) was a tenth of placing.
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
  // Places taken before an index's kept end by this batch: the first entry at a place is the one that counts.
  const taken = new Set<string>();
  unplaced.forEach(({ index, entry }, at) => {
    const key = keys[at]!;
    const end = ends.get(key)!;
    const looked = lookups.get(at);
    let next: IndexEntry | undefined;
    if (looked) {
      const place = `${key}|${placeKey(entry)}`;
      if (looked.same || taken.has(place)) return;
      taken.add(place);
      // The next entry in the store: its earliestAddedFromMs holds for this one too. The entries of this batch came
      // after every stored one, so none of them lowers it.
      next = looked.next ?? end.entries[0];
      const full = withEarliestAddedFrom(entry, next ? next.earliestAddedFromMs : entry.addedAtMs);
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
    if (end.entries.length > end.keep) {
      end.entries.splice(0, end.entries.length - end.keep);
      end.complete = false;
    }
    tails.ends.set(key, end);
  }
  return placed;
};
