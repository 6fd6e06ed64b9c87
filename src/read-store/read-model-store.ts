import type { LogPosition } from '../../events/envelope.js';

/**
 * The read-model store port: where the projection keeps what the time-travel engine reads, so that no process has
 * to hold the whole read model in its heap (docs/architecture.md, "The read side"). Every adapter (embedded SQLite,
 * Redis and Redis Cluster) passes one conformance suite (test/read-store/read-model-store.conformance.ts).
 *
 * Everything a batch writes is stamped with the log position of the event that caused it, and is append-only. Readers
 * take nothing stamped after the committed checkpoint: a batch is visible whole once its checkpoint is written, never
 * half, even where the adapter cannot write it in one transaction (a Redis Cluster spreads a batch over many nodes).
 * A projector that writes a batch again after a crash, or a deposed one whose fence failed, writes records equal to
 * those the log determines, so what readers take never differs.
 *
 * States are opaque to the port: adapters keep them with the record codec (Maps, Sets, Dates and bigints survive).
 */

export type VersionKind = 'actor' | 'topic' | 'development';
/**
 * An entity's index, the world's, or one of two lists an actor's snapshots and folds need:
 * - its changes: one entry per correction or retraction of a development naming the actor, at the earliest
 *   occurredAt it affects, with the change event's position as both recordPosition and addedPosition. Snapshots are
 *   never closed: a question applies the changes since its snapshot was built;
 * - its superseded entries: where an actor entry's share stopped being what its development gives (the first
 *   correction or retraction after the entry was added), at that entry's place, added when that change was.
 */
export type IndexKind = 'actor' | 'topic' | 'meeting' | 'world' | 'changes' | 'superseded';

/** An entity as it stood right after one of its events. */
export interface StoredVersion<S = unknown> {
  readonly position: LogPosition;
  readonly recordedAtMs: number;
  readonly state: S;
}

/** A place in world order: occurredAt, then the log position of the development's first recording. */
export interface Place {
  readonly occurredAtMs: number;
  readonly recordPosition: LogPosition;
}

/**
 * One place a development took in an entity's index (or in the world index). An index holds an entry for every
 * occurredAt a development naming the entity ever had, each once: the first time it took that place.
 */
export interface IndexEntry extends Place {
  readonly developmentId: string;
  /** recordedAt of the event that added the entry: no knownAt before it can see the development there. */
  readonly addedAtMs: number;
  readonly addedPosition: LogPosition;
  /**
   * The smallest addedAtMs of this entry and every entry after it in world order, as the projection found it when
   * it added this entry. It never changes afterwards (recordedAt never decreases along the log, so a later entry
   * cannot lower it) and never decreases along world order: the first entry past a knownAt bounds every scan.
   */
  readonly earliestAddedFromMs: number;
  /**
   * In an actor's index: what the development, as it was when the entry was added, gives the actor, encoded by the
   * time-travel engine (opaque here). It holds until the actor's superseded index has an entry at this place.
   */
  readonly share?: string;
}

export interface IndexRef {
  readonly kind: IndexKind;
  /** The entity's id (the actor's, for its changes); '' for the world index. */
  readonly id: string;
}

/** Where a snapshot of an actor's index stands, without its (large) state: what choosing one needs. */
export interface SnapshotMeta {
  readonly actorId: string;
  /** The last entry the snapshot folded, in world order. */
  readonly boundary: IndexEntry;
  /** The recordedAt and log position of the last event applied when it was built. */
  readonly builtAtMs: number;
  readonly builtPosition: LogPosition;
}

export interface StoredSnapshot<S = unknown> extends SnapshotMeta {
  readonly state: S;
}

/** What the read models reflect: the log up to `position`, whose event was recorded at `recordedAtMs`. */
export interface ReadModelCheckpoint {
  readonly position: LogPosition;
  readonly recordedAtMs: number;
}

/** Everything one batch of events changed; the adapter makes it visible with the checkpoint, at once. */
export interface ReadModelBatch {
  readonly versions: readonly { readonly kind: VersionKind; readonly id: string; readonly version: StoredVersion }[];
  readonly entries: readonly { readonly index: IndexRef; readonly entry: IndexEntry }[];
  readonly snapshots: readonly StoredSnapshot[];
  /** Topics opened under a parent. */
  readonly subtopics: readonly { readonly parentId: string; readonly id: string }[];
  /** For each recordedAt the batch's events carry, the last of them: where replays from a time start. */
  readonly clock: readonly ReadModelCheckpoint[];
  readonly checkpoint: ReadModelCheckpoint;
}

export interface EntriesQuery {
  /** Only entries after this place (exclusive). */
  readonly after?: Place | null;
  /** Only entries at or before this place (inclusive). */
  readonly through?: Place | null;
  /** Only entries that occurred at or before this instant. */
  readonly occurredByMs?: number;
  /** Only entries known at this instant (addedAtMs <= knownAtMs); the scan stops where earliestAddedFromMs passes it. */
  readonly knownAtMs: number;
  /** Only entries added after this log position (late arrivals since a snapshot was built). */
  readonly addedAfter?: LogPosition | null;
  /** At most this many, from the start of the range (or from its end when descending). */
  readonly limit?: number;
  readonly descending?: boolean;
}

export interface CountQuery {
  readonly after?: Place | null;
  readonly addedAfter?: LogPosition | null;
}

/** What the time-travel engine reads. Every answer reflects the committed checkpoint, and nothing after it. */
export interface ReadModelReader {
  checkpoint(): Promise<ReadModelCheckpoint | null>;
  /** Each id's versions in log order; ids without any are absent from the map. */
  versions(kind: VersionKind, ids: readonly string[]): Promise<Map<string, StoredVersion[]>>;
  /** Every id with at least one version (actors, topics), or with an index (meetings), in no set order. */
  ids(kind: 'actor' | 'topic' | 'meeting'): Promise<string[]>;
  /** Entries of an index in world order (or reversed), filtered as the query says. */
  entries(index: IndexRef, query: EntriesQuery): Promise<IndexEntry[]>;
  countEntries(index: IndexRef, query?: CountQuery): Promise<number>;
  /**
   * The actor's snapshots, by boundary (world order), then by builtPosition: a boundary may have several, built at
   * different positions, of which a reader takes the last built by its knownAt.
   */
  snapshotMetas(actorId: string): Promise<SnapshotMeta[]>;
  /** The state of one of them (a snapshot is named by its actor, boundary and builtPosition); undefined if absent. */
  snapshotState(meta: SnapshotMeta): Promise<unknown>;
  /**
   * The same state as the record text it decodes from (record-codec.ts), undefined if absent: what a cache keeps of
   * a snapshot it did not write (cached-reader.ts).
   */
  snapshotText(meta: SnapshotMeta): Promise<string | undefined>;
  subtopicIds(parentId: string): Promise<string[]>;
  /** The position of the last event recorded before `timeMs`, null when none was (where a replay from then starts). */
  positionRecordedBefore(timeMs: number): Promise<LogPosition | null>;
}

/** What the projector (the only writer) does. */
export interface ReadModelWriter {
  /** Makes a batch visible at once with its checkpoint; the checkpoint must be after the committed one. */
  commit(batch: ReadModelBatch): Promise<void>;
}

export interface ReadModelStore extends ReadModelReader, ReadModelWriter {
  /** Removes everything (a rebuild from the start). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** The committed checkpoint is not before the batch's: a projector writes a batch twice, or two projectors write. */
export class CheckpointConflictError extends Error {
  constructor(committed: LogPosition, attempted: LogPosition) {
    super(`the read models are at ${committed.commit}; a batch up to ${attempted.commit} cannot follow`);
    this.name = 'CheckpointConflictError';
  }
}
