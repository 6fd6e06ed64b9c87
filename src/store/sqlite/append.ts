import type Database from 'better-sqlite3';
import type { NewEvent } from '../../../events/envelope.js';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateEventIdError,
  type ExpectedRevision,
  RecordedAtOutOfOrderError,
  WrongExpectedRevisionError,
} from '../event-store.js';
import { logPosition, metadataColumn } from './event-row.js';
import { writeFailure } from './sqlite-errors.js';

interface LoggedEventRow {
  readonly position: bigint;
  readonly stream_id: string;
  readonly revision: bigint;
}

type CurrentRevision = number | 'no_stream';

interface AppendOutcome {
  readonly result: AppendResult;
  /** False when the append was a retry of one already in the log. */
  readonly appended: boolean;
}

const dataColumn = (event: NewEvent): string => {
  const json = JSON.stringify(event.data) as string | undefined;
  if (json === undefined) throw new TypeError(`the data of event ${event.id} cannot be written as JSON`);
  return json;
};

const satisfies = (expected: ExpectedRevision, actual: CurrentRevision): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
};

const firstRepeatedId = (events: readonly NewEvent[]): string | undefined => {
  const seen = new Set<string>();
  for (const { id } of events) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
};

export type AppendToStream = (
  streamId: string,
  events: readonly NewEvent[],
  options?: AppendOptions,
) => Promise<AppendResult>;

export const createAppendToStream = (db: Database.Database, afterCommit: () => void): AppendToStream => {
  const findEvent = db.prepare<[string], LoggedEventRow>(
    'SELECT position, stream_id, revision FROM events WHERE event_id = ?',
  );
  const streamRevision = db.prepare<[string], bigint>('SELECT revision FROM streams WHERE stream_id = ?').pluck();
  const lastRecordedAt = db
    .prepare<[], bigint>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1')
    .pluck();
  const insertEvent = db.prepare<[string, string, number, string, number, string, string, number]>(
    `INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const saveRevision = db.prepare<[string, number]>(
    `INSERT INTO streams (stream_id, revision) VALUES (?, ?)
     ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision`,
  );

  /**
   * An append whose ids are all in the log already, in this stream, in this order and back to back, is a retry of
   * one that went through: its result is the one the first attempt had. Any other overlap is a reused id.
   */
  const earlierAppend = (streamId: string, events: readonly NewEvent[]): AppendResult | undefined => {
    const logged = events.map((event) => findEvent.get(event.id));
    const firstLoggedIndex = logged.findIndex((row) => row !== undefined);
    if (firstLoggedIndex === -1) return undefined;
    const first = logged[0];
    const isRetry =
      first !== undefined &&
      logged.every(
        (row, i) => row !== undefined && row.stream_id === streamId && row.revision === first.revision + BigInt(i),
      );
    if (!isRetry) throw new DuplicateEventIdError(streamId, events[firstLoggedIndex]!.id);
    const last = logged.at(-1)!;
    return { nextExpectedRevision: Number(last.revision), position: logPosition(last.position) };
  };

  const append = db.transaction(
    (
      streamId: string,
      events: readonly NewEvent[],
      expected: ExpectedRevision,
      backfilled: Date | undefined,
    ): AppendOutcome => {
      const retried = earlierAppend(streamId, events);
      if (retried) return { result: retried, appended: false };

      const stored = streamRevision.get(streamId);
      const actual: CurrentRevision = stored === undefined ? 'no_stream' : Number(stored);
      if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);

      // Never earlier than the last event, even if the clock stepped back: "known at T" stays a prefix of the log.
      // Checked here, under the write lock, so that no writer of another process can slip in between.
      const last = Number(lastRecordedAt.get() ?? 0n);
      const now = Date.now();
      const recordedAt = backfilled === undefined ? Math.max(now, last) : backfilled.getTime();
      if (backfilled !== undefined && recordedAt < last) {
        throw new RecordedAtOutOfOrderError(streamId, backfilled, new Date(last), 'before-log');
      }
      if (backfilled !== undefined && recordedAt > now) {
        throw new RecordedAtOutOfOrderError(streamId, backfilled, new Date(now), 'after-clock');
      }
      const firstRevision = actual === 'no_stream' ? 0 : actual + 1;
      let position = 0n;
      events.forEach((event, i) => {
        const { lastInsertRowid } = insertEvent.run(
          event.id,
          streamId,
          firstRevision + i,
          event.type,
          event.metadata.schemaVersion,
          dataColumn(event),
          metadataColumn(event.metadata),
          recordedAt,
        );
        position = BigInt(lastInsertRowid);
      });
      const nextExpectedRevision = firstRevision + events.length - 1;
      saveRevision.run(streamId, nextExpectedRevision);
      return { result: { nextExpectedRevision, position: logPosition(position) }, appended: true };
    },
  );

  return async (streamId, events, options = {}) => {
    if (options.recordedAt !== undefined && Number.isNaN(options.recordedAt.getTime())) {
      throw new RangeError(`the recordedAt of an append to ${streamId} is not a valid date`);
    }
    // The port's result names the last appended event, which an empty append does not have.
    if (events.length === 0) throw new RangeError(`an append to ${streamId} needs at least one event`);
    const repeated = firstRepeatedId(events);
    if (repeated !== undefined) throw new DuplicateEventIdError(streamId, repeated);
    let outcome: AppendOutcome;
    try {
      // IMMEDIATE takes the write lock before the checks, so appends from other processes cannot interleave.
      outcome = append.immediate(streamId, events, options.expectedRevision ?? 'any', options.recordedAt);
    } catch (error) {
      // A locked, full, read-only or damaged file: StoreUnavailableError naming it (SERVICE_UNAVAILABLE to clients).
      throw writeFailure(error, db.name, `append to ${streamId}`);
    }
    if (outcome.appended) afterCommit();
    return outcome.result;
  };
};
