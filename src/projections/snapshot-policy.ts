import { LRUCache } from 'lru-cache';
import { comparePositions, type LogPosition } from '../../events/envelope.js';
import { comparePlaces, placeKey } from '../read-store/places.js';
import type {
  IndexEntry,
  ReadModelCheckpoint,
  ReadModelReader,
  SnapshotMeta,
  StoredSnapshot,
} from '../read-store/read-model-store.js';
import { snapshotActorAt, snapshotsActorAt } from '../time-travel/actor-at.js';
import { SNAPSHOT_EVERY } from '../time-travel/snapshots.js';

export interface SnapshotPolicyOptions {
  /** Index entries between two snapshots; small values make tests walk the snapshot paths. */
  readonly snapshotEvery?: number;
  /**
   * Boundaries built again with each new snapshot: those built longest ago that something changed behind since.
   * Each costs what changed behind it, never a refold. None by default: `maxChangesBehind` alone bounds what a
   * question applies, and at 1M developments two per snapshot built 16,636 snapshots again where it built 3,661,
   * for a rebuild a fifth slower and 41% more snapshot bytes, with no gain in the questions' latency measured.
   */
  readonly rebuildsPerSnapshot?: number;
  /**
   * Changes behind a boundary since it was built (late arrivals, corrections, retractions) at which it is built
   * again whatever the budget above: what a question applies on top of a snapshot stays under this, however many
   * boundaries an actor has. Default four snapshot intervals (1,024). Applying a change costs about what walking an
   * entry does (its share, a version only where a correction or retraction changed it), while building a boundary
   * again costs its whole state: at 1M developments, four intervals rather than two built 7,712 snapshots where it
   * built 10,196 (322 MB rather than 474), the history rebuilt in 304 s rather than 396, the bench's questions as
   * fast within the noise (changes applied p99 993 rather than 480); eight intervals, 237 MB, but questions 8-15%
   * slower in process (docs/architecture.md, "Snapshots").
   */
  readonly maxChangesBehind?: number;
  /**
   * Entries left after the last new boundary, so that no boundary falls on the developments dated ahead of the rest
   * that end an index for a while (newBoundaries). Default a quarter interval.
   */
  readonly slack?: number;
}

/**
 * When to leave a snapshot of an actor's index. Once a quarter interval more than `snapshotEvery` entries lie after
 * its furthest boundary, the projector builds one at the `snapshotEvery`-th of them as the store stands at the
 * batch's checkpoint: from the one before, brought to now, plus the new entries (and one every `snapshotEvery`
 * entries, when one batch brought several intervals).
 * With it, it builds again every boundary with `maxChangesBehind` changes behind it (late arrivals, corrections,
 * retractions), so that what a question applies on top of a snapshot stays short, and, if asked, a budget of the
 * boundaries built longest ago that anything changed behind (`rebuildsPerSnapshot`). Both cost what is new or
 * changed since, never the history before.
 *
 * Snapshots are a cache of answers: where they fall depends on how the log was cut into batches, what they answer
 * never does. The counts are kept for recently active actors only, and read again from the store for the others.
 */
export interface SnapshotPolicy {
  /** After a batch committed at `checkpoint`: the snapshots due, built from the store as it now stands. */
  afterCommit(
    reads: ReadModelReader,
    gains: ReadonlyMap<string, number>,
    checkpoint: ReadModelCheckpoint,
  ): Promise<StoredSnapshot[]>;
  /** Forgets the counts (a batch that did not commit). */
  reset(): void;
}

/** Each boundary's newest version, in world order, and when its first was built (where its interval began). */
const newestVersions = (metas: readonly SnapshotMeta[]): { newest: SnapshotMeta[]; created: LogPosition[] } => {
  const newest: SnapshotMeta[] = [];
  const created: LogPosition[] = [];
  for (const meta of metas) {
    const last = newest.at(-1);
    if (last && comparePlaces(last.boundary, meta.boundary) === 0) newest[newest.length - 1] = meta;
    else {
      newest.push(meta);
      created.push(meta.builtPosition);
    }
  }
  return { newest, created };
};

const builtFirst = (metas: readonly SnapshotMeta[]): LogPosition =>
  metas.reduce(
    (first, meta) => (comparePositions(meta.builtPosition, first) < 0 ? meta.builtPosition : first),
    metas[0]!.builtPosition,
  );

/** The stalest first. */
const stalestOf = (newest: readonly SnapshotMeta[], { withFurthest }: { withFurthest: boolean }): SnapshotMeta[] =>
  (withFurthest ? newest.slice() : newest.slice(0, -1)).sort((a, b) =>
    comparePositions(a.builtPosition, b.builtPosition),
  );

/**
 * How many changes lie behind each stale boundary of an actor since it was built, kept as the projector goes: each
 * time it reads only what the actor's changes index gained since it last looked, and counts them behind the
 * boundaries they lie behind. Asking the store about each boundary scanned, for each, every change added since it
 * was built (at 600,000 events, four fifths of the rebuild), and reading every change since the stalest was built
 * grew with the actor's history all the same. A process that starts (or an actor the LRU let go) looks once from
 * the stalest.
 */
interface ChangedBehind {
  /** Changes added up to here have been looked at. */
  readonly through: LogPosition;
  /** By boundaryKey: changes behind the boundary since its newest version was built; absent when none. */
  readonly changed: Map<string, number>;
  /** By the boundaryKey of the interval's end: entries that landed in the interval since it began. */
  readonly grown: Map<string, number>;
}

const boundaryKey = (meta: SnapshotMeta): string => placeKey(meta.boundary);

/**
 * Counts into `changed` the changes that lie behind each boundary and came after it was built: at or before its
 * occurredAt, as a question's scan of the changes index takes them.
 */
const countChanged = (
  changes: readonly IndexEntry[],
  boundaries: readonly SnapshotMeta[],
  changed: Map<string, number>,
) => {
  if (changes.length === 0) return;
  const byAdded = changes.slice().sort((a, b) => comparePositions(a.addedPosition, b.addedPosition));
  for (const meta of boundaries) {
    let low = 0;
    let high = byAdded.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePositions(byAdded[middle]!.addedPosition, meta.builtPosition) <= 0) low = middle + 1;
      else high = middle;
    }
    let behind = 0;
    for (let at = low; at < byAdded.length; at++) if (byAdded[at]!.occurredAtMs <= meta.boundary.occurredAtMs) behind++;
    if (behind > 0) changed.set(boundaryKey(meta), (changed.get(boundaryKey(meta)) ?? 0) + behind);
  }
};

/**
 * The boundaries to build again, stalest first: every one with `maxChangesBehind` changes behind it, the furthest
 * too (at most `catchUp` of them, so that one batch after a backfill into the past does not rebuild an actor's whole
 * history at once: the next batches go on), then up to `budget` more that anything changed behind, but not the
 * furthest: the next snapshot starts from it anyway.
 */
const toRebuild = (
  boundaries: readonly SnapshotMeta[],
  changed: ReadonlyMap<string, number>,
  { budget, maxChangesBehind, catchUp }: { budget: number; maxChangesBehind: number; catchUp: number },
): SnapshotMeta[] => {
  const over = stalestOf(boundaries, { withFurthest: true })
    .filter((meta) => (changed.get(boundaryKey(meta)) ?? 0) >= maxChangesBehind)
    .slice(0, catchUp);
  const rest = stalestOf(boundaries, { withFurthest: false })
    .filter((meta) => changed.has(boundaryKey(meta)) && !over.includes(meta))
    .slice(0, budget);
  return [...over, ...rest];
};

/** Boundaries past the budget built again in one batch, at most, for one actor. */
const CATCH_UP = 16;

/** Where `place` falls among boundaries in world order: the index of the first at or after it (length if none). */
const intervalOf = (boundaries: readonly SnapshotMeta[], place: IndexEntry): number => {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePlaces(boundaries[middle]!.boundary, place) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
};

const later = (a: LogPosition, b: LogPosition): LogPosition => (comparePositions(a, b) >= 0 ? a : b);

/**
 * Counts into `grown` the developments that landed between two boundaries after both stood: late arrivals (the
 * changes that carry a share: the new entries behind the furthest boundary). An interval is as long as the index
 * was between its ends when they were built, plus these. A boundary placed at the end of the index when a
 * development dated weeks ahead was its last entry left an interval that later filled with the thousands recorded
 * in between: at 1M developments, questions walked up to 1,900 entries there.
 */
const countGrown = (
  changes: readonly IndexEntry[],
  boundaries: readonly SnapshotMeta[],
  created: readonly LogPosition[],
  grown: Map<string, number>,
) => {
  for (const change of changes) {
    if (change.share === undefined) continue;
    const end = intervalOf(boundaries, change);
    if (end === boundaries.length) continue;
    const began = end === 0 ? created[end]! : later(created[end - 1]!, created[end]!);
    if (comparePositions(change.addedPosition, began) <= 0) continue;
    const key = boundaryKey(boundaries[end]!);
    grown.set(key, (grown.get(key) ?? 0) + 1);
  }
};

export const createSnapshotPolicy = ({
  snapshotEvery = SNAPSHOT_EVERY,
  rebuildsPerSnapshot = 0,
  maxChangesBehind = 4 * snapshotEvery,
  slack = Math.ceil(snapshotEvery / 4),
}: SnapshotPolicyOptions = {}): SnapshotPolicy => {
  let sinceSnapshot = new LRUCache<string, number>({ max: 100_000 });

  /** Entries after the furthest boundary: those arrived since, less the few that landed behind it. */
  const countFromStore = async (reads: ReadModelReader, actorId: string): Promise<number> => {
    const end = (await reads.snapshotMetas(actorId)).at(-1)?.boundary ?? null;
    return reads.countEntries({ kind: 'actor', id: actorId }, { after: end });
  };

  let looked = new LRUCache<string, ChangedBehind>({ max: 100_000 });

  /**
   * Where the new snapshots go: every `snapshotEvery`-th entry after the furthest boundary (a rebuild's batches bring
   * several intervals at once), as long as `slack` entries stay after the last of them. Never at the index's last
   * entries: the last is sometimes a development dated weeks ahead of the rest, and a boundary there put everything
   * recorded in between behind it (at 1M developments, half a million changes listed, thousands of boundaries built
   * again, and questions walking 1,900 entries in the interval before it). `remainder` is what stays after the last
   * new boundary, counted toward the next.
   */
  const newBoundaries = async (reads: ReadModelReader, actorId: string) => {
    const end = (await reads.snapshotMetas(actorId)).at(-1)?.boundary ?? null;
    const after = await reads.entries({ kind: 'actor', id: actorId }, { after: end, knownAtMs: Infinity });
    const along: IndexEntry[] = [];
    for (let taken = snapshotEvery; taken <= after.length - slack; taken += snapshotEvery)
      along.push(after[taken - 1]!);
    return { along, remainder: after.length - along.length * snapshotEvery };
  };

  /**
   * New boundaries inside the intervals that grew by an interval's worth since they began, every `snapshotEvery`
   * entries of each (at most `catchUp` intervals): one fold from the interval's start runs through them.
   */
  const splits = async (
    reads: ReadModelReader,
    actorId: string,
    checkpoint: ReadModelCheckpoint,
    {
      boundaries,
      grown,
      catchUp,
    }: { boundaries: readonly SnapshotMeta[]; grown: Map<string, number>; catchUp: number },
  ) => {
    const built: StoredSnapshot[] = [];
    let split = 0;
    for (let end = 0; end < boundaries.length && split < catchUp; end++) {
      const key = boundaryKey(boundaries[end]!);
      if ((grown.get(key) ?? 0) < snapshotEvery) continue;
      grown.delete(key);
      split++;
      const inside = await reads.entries(
        { kind: 'actor', id: actorId },
        { after: boundaries[end - 1]?.boundary ?? null, through: boundaries[end]!.boundary, knownAtMs: Infinity },
      );
      const along: IndexEntry[] = [];
      for (let taken = snapshotEvery; taken < inside.length; taken += snapshotEvery) along.push(inside[taken - 1]!);
      if (along.length > 0) built.push(...(await snapshotsActorAt(reads, actorId, checkpoint, along)));
    }
    return built;
  };

  /** The boundaries built again, and the new ones inside grown intervals, that come with new snapshots. */
  const upkeep = async (
    reads: ReadModelReader,
    actorId: string,
    checkpoint: ReadModelCheckpoint,
    newSnapshots: number,
  ) => {
    const built: StoredSnapshot[] = [];
    const { newest: boundaries, created } = newestVersions(await reads.snapshotMetas(actorId));
    if (boundaries.length === 0) return built;
    const before = looked.get(actorId);
    const changed = before?.changed ?? new Map<string, number>();
    const grown = before?.grown ?? new Map<string, number>();
    const gained = await reads.entries(
      { kind: 'changes', id: actorId },
      { addedAfter: before?.through ?? builtFirst(boundaries), knownAtMs: Infinity },
    );
    // The last boundary too: it is stale once the next snapshot is built, and what lies behind it now counts then.
    countChanged(gained, boundaries, changed);
    countGrown(gained, boundaries, created, grown);
    const due = toRebuild(boundaries, changed, {
      budget: rebuildsPerSnapshot * newSnapshots,
      maxChangesBehind,
      catchUp: CATCH_UP * newSnapshots,
    });
    for (const meta of due) {
      const snapshot = await snapshotActorAt(reads, actorId, checkpoint, meta.boundary);
      if (snapshot) built.push(snapshot);
      changed.delete(boundaryKey(meta));
    }
    built.push(...(await splits(reads, actorId, checkpoint, { boundaries, grown, catchUp: CATCH_UP * newSnapshots })));
    looked.set(actorId, { through: checkpoint.position, changed, grown });
    return built;
  };

  return {
    afterCommit: async (reads, gains, checkpoint) => {
      const due: string[] = [];
      await Promise.all(
        [...gains].map(async ([actorId, gained]) => {
          const known = sinceSnapshot.get(actorId);
          // Read after the commit, the store's count already holds this batch's gains.
          const count = known === undefined ? await countFromStore(reads, actorId) : known + gained;
          sinceSnapshot.set(actorId, count);
          if (count >= snapshotEvery + slack) due.push(actorId);
        }),
      );
      const built: StoredSnapshot[] = [];
      for (const actorId of due.sort()) {
        const { along, remainder } = await newBoundaries(reads, actorId);
        // Late arrivals behind the furthest boundary count as gains too: they leave no new boundary at the end, but
        // the upkeep behind it is theirs.
        built.push(...(await upkeep(reads, actorId, checkpoint, Math.max(along.length, 1))));
        if (along.length > 0) built.push(...(await snapshotsActorAt(reads, actorId, checkpoint, along)));
        sinceSnapshot.set(actorId, remainder);
      }
      return built;
    },
    reset: () => {
      sinceSnapshot = new LRUCache({ max: 100_000 });
      // What was marked or rebuilt with a batch that did not commit: looked at again from the store.
      looked = new LRUCache({ max: 100_000 });
    },
  };
};
