import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendStreamState,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import type { NewEvent } from '../../../events/envelope.js';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type ExpectedRevision,
  RecordedAtOutOfOrderError,
} from '../event-store.js';
import { bounded } from './bounded.js';
import { toEventData } from './event-data.js';
import type { ReadLastRecordedAt } from './read-all.js';
import type { ReadStream } from './read-stream.js';

const streamState = (expected: ExpectedRevision): AppendStreamState => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
};

export type AppendToStream = (
  streamId: string,
  events: readonly NewEvent[],
  options?: AppendOptions,
) => Promise<AppendResult>;

/** How often an append whose caller did not ask for an exact revision is tried again after losing a race. */
const RACE_ATTEMPTS = 3;

/**
 * Appends with the port's idempotency: ids already in the stream, in order and back to back, are a retry and get
 * the first append's result; some of them only is a reused id. The server dedupes by event id for sure only at an
 * exact expected revision, so the stream's events are looked at first, and the append itself then goes in at the
 * exact revision that was seen. A caller who did not ask for an exact revision ('any', 'stream_exists') still gets
 * those semantics: when another writer got in between, the append is decided again on the new stream.
 */
export const createAppendToStream = (
  client: KurrentDBClient,
  readStream: ReadStream,
  readLastRecordedAt: ReadLastRecordedAt,
  timeoutMs: number,
): AppendToStream => {
  /**
   * A backfilled recordedAt is checked against the log's last one before the append. KurrentDB has no lock over
   * $all, so a writer of another stream can still append in between: documented in docs/architecture.md.
   */
  const checkBackfill = async (streamId: string, recordedAt: Date): Promise<void> => {
    const last = await readLastRecordedAt();
    if (last !== null && recordedAt < last) {
      throw new RecordedAtOutOfOrderError(streamId, recordedAt, last, 'before-log');
    }
    const now = new Date();
    if (recordedAt > now) throw new RecordedAtOutOfOrderError(streamId, recordedAt, now, 'after-clock');
  };

  const appendOnce = async (
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
    recordedAt: Date | undefined,
  ): Promise<AppendResult> => {
    const logged = await readStream(streamId);
    const byId = new Map(logged.map((event) => [event.id, event]));
    const present = events.map((event) => byId.get(event.id));
    const firstPresent = present.findIndex((event) => event !== undefined);
    if (firstPresent !== -1) {
      const first = present[0];
      const isRetry =
        first !== undefined &&
        present.every((event, i) => event !== undefined && event.revision === first.revision + i);
      if (!isRetry) throw new DuplicateEventIdError(streamId, events[firstPresent]!.id);
      const last = present.at(-1)!;
      return { nextExpectedRevision: last.revision, position: last.position };
    }
    const current = logged.at(-1)?.revision;
    const actual = current === undefined ? 'no_stream' : current;
    const satisfied =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && actual === 'no_stream') ||
      (expectedRevision === 'stream_exists' && actual !== 'no_stream') ||
      expectedRevision === actual;
    if (!satisfied) throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
    if (recordedAt !== undefined) await checkBackfill(streamId, recordedAt);
    try {
      const result = await bounded(`an append to ${streamId}`, timeoutMs, (deadline) =>
        client.appendToStream(
          streamId,
          events.map((event) => toEventData(event, recordedAt)),
          { streamState: streamState(actual), deadline },
        ),
      );
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      const position =
        result.position ?? (await readStream(streamId, { fromRevision: nextExpectedRevision }))[0]?.position;
      if (position === undefined) throw new Error(`KurrentDB gave no position for the append to ${streamId}`);
      return { nextExpectedRevision, position: { commit: position.commit, prepare: position.prepare } };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const state = error.actualState;
        throw new WrongExpectedRevisionError(
          streamId,
          expectedRevision,
          state === NO_STREAM || typeof state !== 'bigint' ? 'no_stream' : Number(state),
        );
      }
      throw error;
    }
  };

  return async (streamId, events, { expectedRevision = 'any', recordedAt } = {}) => {
    if (events.length === 0) throw new RangeError(`an append to ${streamId} needs at least one event`);
    if (recordedAt !== undefined && Number.isNaN(recordedAt.getTime())) {
      throw new RangeError(`the recordedAt of an append to ${streamId} is not a valid date`);
    }
    const seen = new Set<string>();
    for (const { id } of events) {
      if (seen.has(id)) throw new DuplicateEventIdError(streamId, id);
      seen.add(id);
    }
    const exact = typeof expectedRevision === 'number' || expectedRevision === 'no_stream';
    for (let attempt = 1; ; attempt++) {
      try {
        return await appendOnce(streamId, events, expectedRevision, recordedAt);
      } catch (error) {
        if (exact || attempt >= RACE_ATTEMPTS || !(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
  };
};
