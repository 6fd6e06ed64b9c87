import { LRUCache } from 'lru-cache';
import { encodePosition } from '../store/position-cursor.js';
import { compareSnapshots, sameSnapshot } from './places.js';
import { decodeRecord } from './record-codec.js';
import type {
  EntriesQuery,
  IndexEntry,
  IndexRef,
  Place,
  ReadModelCheckpoint,
  ReadModelReader,
  SnapshotMeta,
  StoredSnapshot,
  StoredVersion,
  VersionKind,
} from './read-model-store.js';

/** What a committed batch changed: the cache forgets these, and keeps everything else. */
export interface ChangedRecords {
  readonly versions: readonly { readonly kind: VersionKind; readonly id: string }[];
  /**
   * Of those, the ones whose every version the writer holds (entities the batch created): kept rather than read
   * back, as the projector's next snapshots fold the developments it just wrote.
   */
  readonly wholeVersions?: readonly {
    readonly kind: VersionKind;
    readonly id: string;
    readonly versions: StoredVersion[];
  }[];
  readonly indexes: readonly IndexRef[];
  /** Actors whose snapshots were added. */
  readonly snapshotActors: readonly string[];
  /**
   * Of those, the snapshots the writer committed, states included: kept rather than read back and decompressed, as
   * the projector's next snapshots of the actor start from them. An actor whose added snapshots are all here keeps
   * its cached list, with them inserted; the list of any other actor named above is forgotten.
   */
  readonly snapshots?: readonly StoredSnapshot[];
  readonly subtopicParents: readonly string[];
  readonly checkpoint: ReadModelCheckpoint;
}

/**
 * A read-model reader with a cache in the heap, bounded in bytes (TIMELINE_CACHE_MB): memory is a cache of the store,
 * as Datomic's peers cache index segments, never the model itself. What the checkpoint moved over is forgotten as it
 * moves (`forget`), so the cache never answers with less than the store holds.
 */
export interface CachedReader extends ReadModelReader {
  forget(changed: ChangedRecords): void;
  /** Forgets everything: a follower that cannot tell what changed (it missed checkpoints). */
  clear(): void;
  /** The estimated bytes held, by kind of record: what fills the cache (worked out when asked, entry by entry). */
  bytesByKind(): Record<CacheKind, number>;
  /** Reads answered from the heap and from the store, and the estimated bytes held against the bound. */
  readonly stats: {
    readonly hits: number;
    readonly misses: number;
    readonly bytes: number;
    readonly maxBytes: number;
  };
}

// Sizes are estimates of what a record costs in the heap once decoded, measured with heap snapshots on generated
// histories (a development's versions about 1.3 kB, an index entry 345 B and an actor's share about 100 more, a busy actor's snapshot 200 kB for 40
// positions and 370 relations): lru-cache bounds their sum, and measuring each object would cost more than the read.
// A snapshot's state is an actor summary in its stored form (time-travel/stored-summary.ts): arrays of its keys, each
// with up to three latest contributions.
const VERSION_BYTES = 1_200;
const ENTRY_BYTES = 420;
const META_BYTES = 400;
// A relation: 480 B in the heap at the busiest actor of 100,000 developments (620 before form 3 wrote most last tones
// beside `last`).
const SNAPSHOT_BYTES = { relation: 550, position: 450, meeting: 80 };

const placeKey = (place: Place | null | undefined): string =>
  place ? `${place.occurredAtMs}/${encodePosition(place.recordPosition)}` : '-';

const indexKey = ({ kind, id }: IndexRef): string => `${kind}:${id}`;

/** Immutable once written: a snapshot is named by what it covers and when it was built. */
const snapshotName = (meta: SnapshotMeta): string =>
  `${meta.actorId}|${placeKey(meta.boundary)}|${encodePosition(meta.builtPosition)}`;
const snapshotKey = (meta: SnapshotMeta): string => `s:${snapshotName(meta)}`;

const snapshotBytes = (state: unknown): number => {
  const summary = (state ?? {}) as { r?: unknown[]; p?: unknown[]; m?: unknown[] };
  return (
    1_000 +
    SNAPSHOT_BYTES.relation * (summary.r?.length ?? 0) +
    SNAPSHOT_BYTES.position * (summary.p?.length ?? 0) +
    SNAPSHOT_BYTES.meeting * (summary.m?.length ?? 0)
  );
};

type Cached = StoredVersion[] | IndexEntry[] | SnapshotMeta[] | { readonly state: unknown } | string[] | string;

/** The kinds of record the cache keeps, by the prefix of their keys. */
const KINDS = {
  'v:': 'versions',
  'e|': 'index_pages',
  'm:': 'snapshot_lists',
  't:': 'snapshot_texts',
  's:': 'snapshot_states',
  'c:': 'subtopics',
} as const;

type CacheKind = (typeof KINDS)[keyof typeof KINDS];

const kindOf = (key: string): CacheKind => KINDS[key.slice(0, 2) as keyof typeof KINDS];

const estimatedBytes = (value: Cached, key: string): number => {
  if (key.startsWith('s:')) return snapshotBytes((value as { state: unknown }).state);
  // A one-byte string of that length (the text is JSON of ids and numbers, nearly all ASCII).
  if (key.startsWith('t:')) return 100 + (value as string).length;
  const items = (value as unknown[]).length;
  if (key.startsWith('v:')) return VERSION_BYTES * Math.max(items, 1);
  if (key.startsWith('m:')) return META_BYTES * Math.max(items, 1);
  return 100 + ENTRY_BYTES * items;
};

export interface CachedReaderOptions {
  /**
   * How long an actor's snapshot list is kept before it is read again (beside the question that finds it past its
   * time, which it still answers). A follower learns what a batch changed from its events, which do not say which
   * actors the leader snapshotted with it: a list kept too long only misses a newer snapshot (slower, never another
   * answer).
   */
  readonly snapshotListTtlMs?: number;
  /**
   * Keeps the snapshot states read from the store too, not only those a writer committed: a rebuild builds
   * snapshots from the bases and earlier versions it reads, again and again. Off for readers that answer questions
   * (see `snapshotState`).
   */
  readonly keepsReadSnapshotStates?: boolean;
}

export const createCachedReader = (
  reader: ReadModelReader,
  maxBytes: number,
  { snapshotListTtlMs, keepsReadSnapshotStates = false }: CachedReaderOptions = {},
): CachedReader => {
  let hits = 0;
  let misses = 0;
  let checkpoint: ReadModelCheckpoint | null | undefined;
  // A result read while a batch was being forgotten may be older than the batch: it is served, never kept.
  let epoch = 0;
  const cache = new LRUCache<string, Cached>({
    maxSize: Math.max(maxBytes, 1),
    sizeCalculation: estimatedBytes,
  });
  // Index queries are keyed by everything they ask, so they cannot be found to forget: each index has a generation
  // that `forget` moves on, and stale keys just age out. A generation the LRU dropped reads as `floor`, which
  // moves past every generation given out before it: no key of a dropped generation can ever be met again.
  let nextGeneration = 1;
  let floor = 0;
  const generations = new LRUCache<string, number>({
    max: 200_000,
    noDisposeOnSet: true,
    dispose: () => {
      floor = nextGeneration++;
    },
  });
  const generationOf = (index: IndexRef) => generations.get(indexKey(index)) ?? floor;

  const keep = (key: string, value: Cached, ttl?: number) => cache.set(key, value, ttl === undefined ? {} : { ttl });

  const through = async <T extends Cached | undefined>(
    key: string,
    read: () => Promise<T>,
    ttl?: number,
  ): Promise<T> => {
    const found = cache.get(key);
    if (found !== undefined) {
      hits++;
      return found as T;
    }
    misses++;
    const started = epoch;
    const value = await read();
    // What the store does not hold is not kept: asking again must ask the store.
    if (value !== undefined && epoch === started) keep(key, value, ttl);
    return value;
  };

  /**
   * Pages bounded by an instant other than now (a question's asOf, the boundary of the snapshot it starts from) or
   * read at a past knownAt, and the text of any snapshot but an actor's newest, are kept only from their second read
   * on: a question at another time point never meets them, and kept at once they filled the cache with what was read
   * once. At 1M developments the read-side bench's 900 questions, each asked once in process, met none of 2,316 such
   * pages again; kept, they held 73 MB and left a heap of 196 MB against 129, for no gain in time (7.4-9.6 s against
   * 5.2-7.6 over six runs, alternated). Over HTTP, the same questions read 767 snapshot texts (114 MB of the cache's
   * 127), and 109 of them more than once: kept from their second read, the cache held 40 MB and the server 372 MB
   * resident rather than 457, as fast within the noise. Only their keys are remembered, in a small LRU of their own,
   * as a CDN admits an object on its second request: what is asked again (an instant a client asks over and over) is
   * kept from then on. Pages about now at the latest knownAt, an actor's newest snapshot (where every question about
   * now starts, and the projector's next snapshot of it), and the projector's walks are kept at once.
   */
  const seenOnce = new LRUCache<string, true>({ max: 20_000 });
  const throughOnSecondRead = async <T extends Cached | undefined>(key: string, read: () => Promise<T>): Promise<T> => {
    if (seenOnce.has(key) || cache.has(key)) return through(key, read);
    seenOnce.set(key, true);
    misses++;
    return read();
  };

  /** A knownAt at or after the checkpoint sees all the store holds: one cache key for all of them. */
  const knownAtKey = (knownAtMs: number): string =>
    checkpoint && knownAtMs >= checkpoint.recordedAtMs ? 'now' : String(knownAtMs);

  /**
   * A page in world order that ends at an asOf past the checkpoint's recordedAt: a question about now, whose asOf is
   * the clock's reading and never the same twice. Read without the bound, kept under one key for all of them, and
   * cut at each one's asOf: the entries past it (dated ahead, a few) come last in world order, so the cut page is
   * the page the bound would have read.
   */
  const endsNow = (query: EntriesQuery): query is EntriesQuery & { occurredByMs: number } =>
    query.occurredByMs !== undefined &&
    query.limit !== undefined &&
    !query.descending &&
    checkpoint != null &&
    query.occurredByMs >= checkpoint.recordedAtMs;

  const entriesKey = (index: IndexRef, query: EntriesQuery, occurredBy: string): string =>
    [
      'e',
      indexKey(index),
      generationOf(index),
      placeKey(query.after),
      placeKey(query.through),
      occurredBy,
      knownAtKey(query.knownAtMs),
      query.addedAfter ? encodePosition(query.addedAfter) : '-',
      query.limit ?? '-',
      query.descending ? 'd' : 'a',
    ].join('|');

  /**
   * A list past its time is served as it stands while it is read again beside the question, not before it: at 1M
   * developments the busiest actor's list is 5,801 snapshots, tens of ms to read and decode, which every `serve`
   * process paid on a question every few seconds. Served stale, it only misses a newer snapshot (to a question, a
   * longer walk and the same answer; a projector starts with an empty cache, as it must see every snapshot, and its
   * own commits keep the lists it reads whole). A read that fails leaves it stale: the next question reads it again.
   */
  const refreshing = new Set<string>();
  const refreshList = (actorId: string): void => {
    const key = `m:${actorId}`;
    if (refreshing.has(key)) return;
    refreshing.add(key);
    const started = epoch;
    reader
      .snapshotMetas(actorId)
      .then(
        (metas) => {
          if (epoch === started) keep(key, metas, snapshotListTtlMs);
        },
        () => undefined,
      )
      .finally(() => refreshing.delete(key));
  };

  /** The snapshots an actor's cached list gains with `added`; undefined when the list is not cached. */
  const withAdded = (actorId: string, added: readonly SnapshotMeta[]): SnapshotMeta[] | undefined => {
    const cached = cache.get(`m:${actorId}`) as SnapshotMeta[] | undefined;
    if (cached === undefined) return undefined;
    const metas = cached.slice();
    for (const meta of added) if (!metas.some((known) => sameSnapshot(known, meta))) metas.push(meta);
    return metas.sort(compareSnapshots);
  };

  /** The last of the actor's cached list: its furthest boundary, in the newest version built. */
  const isNewest = (meta: SnapshotMeta): boolean => {
    const list = cache.peek(`m:${meta.actorId}`, { allowStale: true }) as SnapshotMeta[] | undefined;
    const newest = list?.at(-1);
    return newest !== undefined && sameSnapshot(newest, meta);
  };

  const snapshotText = (meta: SnapshotMeta, name = snapshotName(meta)): Promise<string | undefined> => {
    const read = () => reader.snapshotText(meta);
    return isNewest(meta) ? through(`t:${name}`, read) : throughOnSecondRead(`t:${name}`, read);
  };

  return {
    checkpoint: async () => {
      if (checkpoint === undefined) checkpoint = await reader.checkpoint();
      return checkpoint;
    },

    versions: async (kind, ids) => {
      const found = new Map<string, StoredVersion[]>();
      const missing: string[] = [];
      for (const id of ids) {
        const cached = cache.get(`v:${kind}:${id}`) as StoredVersion[] | undefined;
        if (cached === undefined) missing.push(id);
        else if (cached.length > 0) found.set(id, cached);
      }
      hits += ids.length - missing.length;
      if (missing.length === 0) return found;
      misses += missing.length;
      const started = epoch;
      const read = await reader.versions(kind, missing);
      for (const id of missing) {
        const versions = read.get(id);
        if (versions) found.set(id, versions);
        // An id without versions is kept too (as none): listings ask for ids that exist, but folds for ids of
        // developments named by entries, and those always exist.
        if (epoch === started) cache.set(`v:${kind}:${id}`, versions ?? []);
      }
      return found;
    },

    ids: (kind) => reader.ids(kind),

    entries: async (index, query: EntriesQuery) => {
      const ownTimePoint = knownAtKey(query.knownAtMs) !== 'now';
      if (!endsNow(query)) {
        const key = entriesKey(index, query, String(query.occurredByMs ?? '-'));
        const read = () => reader.entries(index, query);
        return ownTimePoint || query.occurredByMs !== undefined ? throughOnSecondRead(key, read) : through(key, read);
      }
      const { occurredByMs, ...unbounded } = query;
      const key = entriesKey(index, query, 'now');
      const read = () => reader.entries(index, unbounded);
      const page = await (ownTimePoint ? throughOnSecondRead(key, read) : through(key, read));
      const past = page.findIndex((entry) => entry.occurredAtMs > occurredByMs);
      return past === -1 ? page : page.slice(0, past);
    },

    countEntries: (index, query) => reader.countEntries(index, query),

    snapshotMetas: async (actorId) => {
      const key = `m:${actorId}`;
      if (snapshotListTtlMs === undefined) return through(key, () => reader.snapshotMetas(actorId));
      const status: LRUCache.Status<string, Cached> = {};
      const kept = cache.get(key, { allowStale: true, noDeleteOnStaleGet: true, status });
      if (kept === undefined) return through(key, () => reader.snapshotMetas(actorId), snapshotListTtlMs);
      hits++;
      if (status.get === 'stale') refreshList(actorId);
      return kept as SnapshotMeta[];
    },

    /**
     * A snapshot's state is kept decoded only where a writer committed it (`forget`: its next snapshots of the actor
     * start from it), or read it to build from (`keepsReadSnapshotStates`). For a question, the cache keeps its record
     * text and decodes it each time. A busy actor's snapshot decodes into megabytes of small objects: kept, they
     * outlived the young generation's collections, which copied and promoted them, and scavenges took a third of the
     * questions' time and set their p99. One string is neither copied nor walked, and keeping it spares the store's
     * read and the decompression, which cost more than the JSON.parse after them (900 questions in process at 1M
     * developments, asked again: 4.3 s with states kept decoded, 3.4 s with nothing kept, 1.9 s with the text kept).
     */
    snapshotState: async (meta) => {
      const name = snapshotName(meta);
      if (keepsReadSnapshotStates) {
        const found = await through(`s:${name}`, async () => {
          const state = await reader.snapshotState(meta);
          return state === undefined ? undefined : { state };
        });
        return found?.state;
      }
      const kept = cache.get(`s:${name}`) as { readonly state: unknown } | undefined;
      if (kept !== undefined) {
        hits++;
        return kept.state;
      }
      const text = await snapshotText(meta, name);
      return text === undefined ? undefined : decodeRecord(text);
    },

    snapshotText: (meta) => snapshotText(meta),

    subtopicIds: (parentId) => through(`c:${parentId}`, () => reader.subtopicIds(parentId)),

    positionRecordedBefore: (timeMs) => reader.positionRecordedBefore(timeMs),

    forget: (changed) => {
      epoch++;
      for (const { kind, id } of changed.versions) cache.delete(`v:${kind}:${id}`);
      for (const { kind, id, versions } of changed.wholeVersions ?? []) cache.set(`v:${kind}:${id}`, versions);
      for (const index of changed.indexes) generations.set(indexKey(index), nextGeneration++);
      const kept = new Map<string, SnapshotMeta[]>();
      for (const snapshot of changed.snapshots ?? []) {
        const { state, ...meta } = snapshot;
        cache.set(snapshotKey(meta), { state });
        const list = kept.get(meta.actorId);
        if (list) list.push(meta);
        else kept.set(meta.actorId, [meta]);
      }
      for (const actorId of new Set(changed.snapshotActors)) {
        const added = kept.get(actorId);
        const metas = added && withAdded(actorId, added);
        if (metas) keep(`m:${actorId}`, metas, snapshotListTtlMs);
        else cache.delete(`m:${actorId}`);
      }
      for (const parentId of changed.subtopicParents) cache.delete(`c:${parentId}`);
      checkpoint = changed.checkpoint;
    },

    clear: () => {
      epoch++;
      cache.clear();
      floor = nextGeneration++;
      checkpoint = undefined;
    },

    bytesByKind: () => {
      const bytes = Object.fromEntries(Object.values(KINDS).map((kind) => [kind, 0])) as Record<CacheKind, number>;
      for (const [key, value] of cache.entries()) bytes[kindOf(key)] += estimatedBytes(value, key);
      return bytes;
    },

    get stats() {
      return { hits, misses, bytes: cache.calculatedSize, maxBytes: cache.maxSize };
    },
  };
};
