import type { LogPosition, NewEvent, RecordedEvent } from '../../events/envelope.js';

/**
 * The event store port. Every adapter (embedded SQLite, KurrentDB) passes the same conformance suite
 * (test/store/event-store.conformance.ts), so the rest of the application never knows which one it has.
 */

/** What the stream must look like for an append to go through. A number is the exact current revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision;
  /**
   * Transaction time carried from a source (a restored dump, a backfill), for trusted bulk writers only. The store
   * refuses it (RecordedAtOutOfOrderError) when it is earlier than the log's last recordedAt or later than its clock,
   * so that "known at T" stays a prefix of the log. Absent: the store's clock, never earlier than the log's last.
   */
  readonly recordedAt?: Date;
}

export interface AppendResult {
  /** The revision of the stream's last event after this append (what to pass as the next expectedRevision). */
  readonly nextExpectedRevision: number;
  /** The log position of the last event of this append. */
  readonly position: LogPosition;
}

export interface ReadStreamOptions {
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: read the events after this position. Absent: from the start of the log. */
  readonly after?: LogPosition | null;
  readonly maxCount: number;
}

export interface SubscribeOptions {
  /** Exclusive start: 'start' replays the whole log, 'end' delivers only what is appended from now on. */
  readonly after: LogPosition | 'start' | 'end';
}

/** A catch-up subscription: replays from its start, then goes on live, with no gap and no duplicate. */
export interface LogSubscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration; pending reads resolve as done. */
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends events atomically to one stream. Appending events whose ids are all already in that stream appends
   * nothing and returns the result of the first append (idempotency by event id).
   * Throws WrongExpectedRevisionError when the stream is not as expected, DuplicateEventIdError when only some of
   * the ids are in the log (or they are in another stream), and RangeError when `events` is empty: an empty append
   * has no last event whose revision and position it could return.
   */
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** The stream's events in revision order; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the whole log in append order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeOptions): LogSubscription;
  /** The position of the last event in the log, null when the log is empty. */
  headPosition(): Promise<LogPosition | null>;
  /** The recordedAt of the last event in the log (the latest, as it never decreases), null when the log is empty. */
  lastRecordedAt(): Promise<Date | null>;
  /**
   * A hint that another process appended (e.g. announced over Redis): waiting subscriptions read at once instead of
   * at their next poll. Optional: a store whose subscriptions are pushed by its server needs none.
   */
  appendedElsewhere?(): void;
  /**
   * Runs `work` so that the appends it makes are committed together, once, when it resolves (nothing of it when it
   * rejects); each append inside still succeeds or fails on its own. Meanwhile everyone else's operations wait.
   * Optional: a store without it commits every append on its own, and callers just run `work`.
   */
  inOneCommit?<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId} is at ${String(actual)}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** Some of the event ids of an append are in the log already and others are not: a client reused ids. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`event ${eventId} is already in the log, but this append to ${streamId} is not the one that wrote it`);
    this.name = 'DuplicateEventIdError';
  }
}

/** A backfilled recordedAt would make the log's transaction time go back (or run ahead of the store's clock). */
export class RecordedAtOutOfOrderError extends Error {
  constructor(
    readonly streamId: string,
    readonly recordedAt: Date,
    /** The log's last recordedAt (null: an empty log), or the store's clock when recordedAt is in the future. */
    readonly bound: Date | null,
    readonly kind: 'before-log' | 'after-clock',
  ) {
    super(
      kind === 'before-log'
        ? `recordedAt ${recordedAt.toISOString()} for ${streamId} is earlier than the log's last recordedAt ` +
            `${bound?.toISOString() ?? ''}: transaction time never goes back`
        : `recordedAt ${recordedAt.toISOString()} for ${streamId} is later than the store's clock ` +
            `${bound?.toISOString() ?? ''}: a log cannot know something before now`,
    );
    this.name = 'RecordedAtOutOfOrderError';
  }
}

/** The store cannot be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** An event read from the log does not fit the catalog (unknown type, or data that fails its schema). */
export class InvalidEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}
