import { randomUUID } from 'node:crypto';
import pTimeout from 'p-timeout';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { comparePositions, type LogPosition, type NewEvent, type RecordedEvent } from '../../events/envelope.js';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type LogSubscription,
  RecordedAtOutOfOrderError,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '../../src/store/event-store.js';

/**
 * The contract of the EventStore port, for every adapter. It only uses the port, never assumes the store is empty
 * or private to it (each test works in streams of its own), and uses made-up event types: the port does not know
 * the catalog.
 */

const newStreamId = (): string => `test-${randomUUID()}`;

const testEvent = (data: unknown = { note: 'something happened' }, type = 'ConformanceEventHappened'): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    keyName: 'conformance-suite',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
  },
});

const testEvents = (count: number, label = 'event'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => testEvent({ label, i }));

const ids = (events: readonly { id: string }[]): string[] => events.map((event) => event.id);

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection, the promise resolved');
    },
    (error: unknown) => error,
  );

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  pTimeout(promise, { milliseconds: Math.max(ms, 0), message: `${what}: still waiting after ${ms} ms` });

const expectStrictlyIncreasing = (positions: readonly LogPosition[]): void => {
  for (let i = 1; i < positions.length; i++) {
    expect(comparePositions(positions[i - 1]!, positions[i]!), `position ${i}`).toBeLessThan(0);
  }
};

export function describeEventStoreConformance(
  name: string,
  open: () => Promise<{ store: EventStore; dispose: () => Promise<void> }>,
  { skip = false }: { skip?: boolean } = {},
): void {
  describe.skipIf(skip)(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;
    let subscriptions: LogSubscription[];

    beforeEach(async () => {
      ({ store, dispose } = await open());
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await dispose();
    });

    const subscribe = (options: SubscribeOptions): LogSubscription => {
      const subscription = store.subscribeToAll(options);
      subscriptions.push(subscription);
      return subscription;
    };

    /** Appends in batches, as a real writer would, and returns the result of the last batch. */
    const appendMany = async (streamId: string, events: readonly NewEvent[], batch = 100): Promise<AppendResult> => {
      let result: AppendResult | undefined;
      for (let i = 0; i < events.length; i += batch) {
        result = await store.appendToStream(streamId, events.slice(i, i + batch));
      }
      return result!;
    };

    /** The log from `after` (exclusive) to `last` (inclusive), read in pages. */
    const readAllBetween = async (after: LogPosition | null, last: LogPosition): Promise<RecordedEvent[]> => {
      const events: RecordedEvent[] = [];
      for (let from = after; ;) {
        const page = await store.readAll({ after: from, maxCount: 250 });
        for (const event of page) {
          events.push(event);
          if (comparePositions(event.position, last) >= 0) return events;
        }
        if (page.length === 0) throw new Error('the log ended before the position it was read up to');
        from = page.at(-1)!.position;
      }
    };

    /** Pulls from the subscription until `isLast`, failing when the subscription stays silent for too long. */
    const collectUntil = async (
      subscription: LogSubscription,
      isLast: (event: RecordedEvent) => boolean,
      onEvent?: (event: RecordedEvent, index: number) => Promise<void> | void,
      timeoutMs = 10_000,
    ): Promise<RecordedEvent[]> => {
      const iterator = subscription[Symbol.asyncIterator]();
      const deadline = Date.now() + timeoutMs;
      const delivered: RecordedEvent[] = [];
      for (;;) {
        const result = await within(iterator.next(), deadline - Date.now(), 'subscription');
        if (result.done) throw new Error(`the subscription ended after ${delivered.length} events`);
        delivered.push(result.value);
        // A subscription that never waits would starve the timers: let the deadline fire if it has to.
        if (delivered.length % 1000 === 0) await new Promise(setImmediate);
        await onEvent?.(result.value, delivered.length - 1);
        if (isLast(result.value)) return delivered;
      }
    };

    const expectWrongRevision = async (
      append: Promise<unknown>,
      expected: { streamId: string; expected: ExpectedRevision; actual: number | 'no_stream' },
    ): Promise<void> => {
      const error = await rejection(append);
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject(expected);
    };

    describe('appendToStream', () => {
      it('numbers revisions from 0 and returns the revision and position of the last event', async () => {
        const streamId = newStreamId();
        const first = await store.appendToStream(streamId, testEvents(3));
        expect(first.nextExpectedRevision).toBe(2);
        const second = await store.appendToStream(streamId, testEvents(2));
        expect(second.nextExpectedRevision).toBe(4);
        expect(comparePositions(second.position, first.position)).toBeGreaterThan(0);

        const stream = await store.readStream(streamId);
        expect(stream.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(stream[2]!.position).toEqual(first.position);
        expect(stream[4]!.position).toEqual(second.position);
      });

      it("defaults to 'any': appends to a new and to an existing stream", async () => {
        const streamId = newStreamId();
        await expect(store.appendToStream(streamId, testEvents(1))).resolves.toMatchObject({ nextExpectedRevision: 0 });
        await expect(store.appendToStream(streamId, testEvents(1), { expectedRevision: 'any' })).resolves.toMatchObject(
          { nextExpectedRevision: 1 },
        );
      });

      it("'no_stream' accepts a new stream and rejects an existing one", async () => {
        const streamId = newStreamId();
        await expect(
          store.appendToStream(streamId, testEvents(2), { expectedRevision: 'no_stream' }),
        ).resolves.toMatchObject({ nextExpectedRevision: 1 });
        await expectWrongRevision(store.appendToStream(streamId, testEvents(1), { expectedRevision: 'no_stream' }), {
          streamId,
          expected: 'no_stream',
          actual: 1,
        });
      });

      it("'stream_exists' rejects a missing stream and accepts an existing one", async () => {
        const streamId = newStreamId();
        await expectWrongRevision(
          store.appendToStream(streamId, testEvents(1), { expectedRevision: 'stream_exists' }),
          { streamId, expected: 'stream_exists', actual: 'no_stream' },
        );
        await store.appendToStream(streamId, testEvents(1));
        await expect(
          store.appendToStream(streamId, testEvents(1), { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({ nextExpectedRevision: 1 });
      });

      it('an exact revision accepts the current revision and rejects any other', async () => {
        const streamId = newStreamId();
        await expectWrongRevision(store.appendToStream(streamId, testEvents(1), { expectedRevision: 0 }), {
          streamId,
          expected: 0,
          actual: 'no_stream',
        });
        const { nextExpectedRevision } = await store.appendToStream(streamId, testEvents(2));
        expect(nextExpectedRevision).toBe(1);
        await expectWrongRevision(store.appendToStream(streamId, testEvents(1), { expectedRevision: 0 }), {
          streamId,
          expected: 0,
          actual: 1,
        });
        await expectWrongRevision(store.appendToStream(streamId, testEvents(1), { expectedRevision: 5 }), {
          streamId,
          expected: 5,
          actual: 1,
        });
        await expect(store.appendToStream(streamId, testEvents(1), { expectedRevision: 1 })).resolves.toMatchObject({
          nextExpectedRevision: 2,
        });
      });

      it('a rejected append appends nothing', async () => {
        const streamId = newStreamId();
        const { position } = await store.appendToStream(streamId, testEvents(2));
        await rejection(store.appendToStream(streamId, testEvents(3), { expectedRevision: 7 }));
        expect(await store.readStream(streamId)).toHaveLength(2);
        expect(await store.readAll({ after: position, maxCount: 10 })).toEqual([]);
      });

      it('refuses an empty append with a RangeError, since there is no last event to report', async () => {
        const streamId = newStreamId();
        await expect(store.appendToStream(streamId, [])).rejects.toThrow(RangeError);
        await store.appendToStream(streamId, testEvents(1));
        await expect(store.appendToStream(streamId, [], { expectedRevision: 0 })).rejects.toThrow(RangeError);
        expect(await store.readStream(streamId)).toHaveLength(1);
      });

      it('keeps what it is given: type, data and metadata come back as they went in', async () => {
        const streamId = newStreamId();
        const event = testEvent({ text: 'ünïcödé ✓', nested: { list: [1, 2.5, null, true] }, empty: '' }, 'SomeType');
        const { position } = await store.appendToStream(streamId, [event]);
        const [read] = await store.readStream(streamId);
        expect(read).toMatchObject({
          id: event.id,
          streamId,
          revision: 0,
          position,
          type: 'SomeType',
          data: event.data,
          metadata: event.metadata,
        });
        expect(read!.recordedAt).toBeInstanceOf(Date);
      });
    });

    describe('idempotency by event id', () => {
      it('the same append twice returns the first result and appends nothing, even with the same expected revision', async () => {
        const streamId = newStreamId();
        const events = testEvents(3);
        const first = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        expect(await store.readAll({ after: first.position, maxCount: 10 })).toEqual([]);
        expect(await store.headPosition()).toEqual(first.position);
        expect(ids(await store.readStream(streamId))).toEqual(ids(events));
      });

      it('a retry after later appends still returns the result of the first append', async () => {
        const streamId = newStreamId();
        const events = testEvents(2);
        const first = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        const later = await store.appendToStream(streamId, testEvents(2), { expectedRevision: 1 });
        await expect(store.appendToStream(streamId, events, { expectedRevision: 'no_stream' })).resolves.toEqual(first);
        expect(await store.readAll({ after: later.position, maxCount: 10 })).toEqual([]);
        expect(await store.readStream(streamId)).toHaveLength(4);
      });

      it('ids partly in the log already are refused with DuplicateEventIdError, and nothing is appended', async () => {
        const streamId = newStreamId();
        const events = testEvents(2);
        const { position } = await store.appendToStream(streamId, events);
        const overlapping = [events[1]!, testEvent()];
        const error = await rejection(store.appendToStream(streamId, overlapping));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId, eventId: events[1]!.id });
        expect(await store.readAll({ after: position, maxCount: 10 })).toEqual([]);
      });

      it('ids that are in another stream are refused with DuplicateEventIdError', async () => {
        const events = testEvents(2);
        const { position } = await store.appendToStream(newStreamId(), events);
        await expect(store.appendToStream(newStreamId(), events)).rejects.toThrow(DuplicateEventIdError);
        expect(await store.readAll({ after: position, maxCount: 10 })).toEqual([]);
      });

      it('the same ids in another order are refused with DuplicateEventIdError', async () => {
        const streamId = newStreamId();
        const events = testEvents(2);
        await store.appendToStream(streamId, events);
        await expect(store.appendToStream(streamId, [events[1]!, events[0]!])).rejects.toThrow(DuplicateEventIdError);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('an id twice in one append is refused with DuplicateEventIdError, and nothing is appended', async () => {
        const streamId = newStreamId();
        const event = testEvent();
        await expect(store.appendToStream(streamId, [event, testEvent(), event])).rejects.toThrow(
          DuplicateEventIdError,
        );
        expect(await store.readStream(streamId)).toEqual([]);
      });
    });

    describe('readStream', () => {
      it('reads in revision order, from a revision, at most maxCount', async () => {
        const streamId = newStreamId();
        const events = testEvents(6);
        await store.appendToStream(streamId, events.slice(0, 2));
        await store.appendToStream(newStreamId(), testEvents(2));
        await store.appendToStream(streamId, events.slice(2));

        expect(ids(await store.readStream(streamId))).toEqual(ids(events));
        expect(ids(await store.readStream(streamId, { fromRevision: 3 }))).toEqual(ids(events.slice(3)));
        expect(ids(await store.readStream(streamId, { maxCount: 2 }))).toEqual(ids(events.slice(0, 2)));
        expect(ids(await store.readStream(streamId, { fromRevision: 1, maxCount: 3 }))).toEqual(
          ids(events.slice(1, 4)),
        );
        expect(await store.readStream(streamId, { fromRevision: 6 })).toEqual([]);
      });

      it('returns an empty array for a stream that does not exist', async () => {
        expect(await store.readStream(newStreamId())).toEqual([]);
      });
    });

    describe('readAll and positions', () => {
      it('pages concatenate to the whole log, with no gap and no duplicate', async () => {
        const start = await store.headPosition();
        const [a, b] = [newStreamId(), newStreamId()];
        const appended: NewEvent[] = [];
        for (let i = 0; i < 5; i++) {
          const batch = testEvents(i + 1);
          await store.appendToStream(i % 2 === 0 ? a : b, batch);
          appended.push(...batch);
        }

        const whole = await store.readAll({ after: start, maxCount: 1000 });
        expect(ids(whole)).toEqual(ids(appended));

        const paged: RecordedEvent[] = [];
        for (let after = start; ;) {
          const page = await store.readAll({ after, maxCount: 4 });
          expect(page.length).toBeLessThanOrEqual(4);
          // More than the whole log means pages overlap: stop and let the comparison below say so.
          if (page.length === 0 || paged.length > whole.length) break;
          paged.push(...page);
          after = page.at(-1)!.position;
        }
        expect(paged).toEqual(whole);
        expect(await store.readAll({ after: whole.at(-1)!.position, maxCount: 10 })).toEqual([]);
      });

      it('positions strictly increase along the log and within a stream', async () => {
        const start = await store.headPosition();
        const streamId = newStreamId();
        await appendMany(streamId, testEvents(30), 7);
        await store.appendToStream(newStreamId(), testEvents(3));
        const log = await store.readAll({ after: start, maxCount: 1000 });
        expect(log).toHaveLength(33);
        expectStrictlyIncreasing(log.map((event) => event.position));
        expectStrictlyIncreasing((await store.readStream(streamId)).map((event) => event.position));
        for (const { position } of log) {
          expect(typeof position.commit).toBe('bigint');
          expect(typeof position.prepare).toBe('bigint');
        }
      });

      it('reads from the start of the log when after is absent or null', async () => {
        const { position } = await store.appendToStream(newStreamId(), testEvents(1));
        const [first] = await store.readAll({ maxCount: 1 });
        expect(await store.readAll({ after: null, maxCount: 1 })).toEqual([first]);
        expect(comparePositions(first!.position, position)).toBeLessThanOrEqual(0);
      });

      it('headPosition is the position of the last event appended', async () => {
        const first = await store.appendToStream(newStreamId(), testEvents(2));
        expect(await store.headPosition()).toEqual(first.position);
        const second = await store.appendToStream(newStreamId(), testEvents(1));
        expect(await store.headPosition()).toEqual(second.position);
      });
    });

    describe('recordedAt', () => {
      it('is set by the store, whatever the caller sends', async () => {
        const streamId = newStreamId();
        const forged = { ...testEvent(), recordedAt: new Date(0), revision: 41, position: { commit: 9n, prepare: 9n } };
        const before = Date.now();
        const { position } = await store.appendToStream(streamId, [forged]);
        const after = Date.now();
        const [read] = await store.readStream(streamId);
        expect(read!.recordedAt).toBeInstanceOf(Date);
        expect(read!.recordedAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(read!.recordedAt.getTime()).toBeLessThanOrEqual(after);
        expect(read!.revision).toBe(0);
        expect(read!.position).toEqual(position);
      });

      it('never decreases along the log', async () => {
        const start = await store.headPosition();
        for (let i = 0; i < 20; i++) await store.appendToStream(newStreamId(), testEvents(2));
        const times = (await store.readAll({ after: start, maxCount: 1000 })).map((event) =>
          event.recordedAt.getTime(),
        );
        expect(times).toHaveLength(40);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      });

      it('lastRecordedAt is the recordedAt of the last event appended', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, testEvents(2));
        const [, last] = await store.readStream(streamId);
        expect(await store.lastRecordedAt()).toEqual(last!.recordedAt);
      });
    });

    describe('a backfilled recordedAt', () => {
      /** A time after the log's last recordedAt and not after the clock: waits until the clock has passed it. */
      const nextBackfillTime = async (): Promise<Date> => {
        const last = (await store.lastRecordedAt())?.getTime() ?? Date.now() - 10;
        const at = last + 3;
        while (Date.now() <= at) await new Promise((resolve) => setTimeout(resolve, 2));
        return new Date(at);
      };

      it('is kept as given, by every read and by lastRecordedAt', async () => {
        const streamId = newStreamId();
        const recordedAt = await nextBackfillTime();
        await store.appendToStream(streamId, testEvents(2), { recordedAt });
        const read = await store.readStream(streamId);
        expect(read.map((event) => event.recordedAt)).toEqual([recordedAt, recordedAt]);
        const all = await store.readAll({ after: null, maxCount: 1_000_000 });
        expect(all.filter((event) => event.streamId === streamId).map((event) => event.recordedAt)).toEqual([
          recordedAt,
          recordedAt,
        ]);
        expect(await store.lastRecordedAt()).toEqual(recordedAt);
      });

      it("may equal the log's last recordedAt", async () => {
        await store.appendToStream(newStreamId(), testEvents(1));
        const last = (await store.lastRecordedAt())!;
        const streamId = newStreamId();
        await store.appendToStream(streamId, testEvents(1), { recordedAt: last });
        expect((await store.readStream(streamId))[0]!.recordedAt).toEqual(last);
      });

      it("earlier than the log's last recordedAt is refused, naming both times, and appends nothing", async () => {
        await store.appendToStream(newStreamId(), testEvents(1));
        const last = (await store.lastRecordedAt())!;
        const head = await store.headPosition();
        const streamId = newStreamId();
        const earlier = new Date(last.getTime() - 1);
        const error = await rejection(store.appendToStream(streamId, testEvents(2), { recordedAt: earlier }));
        expect(error).toBeInstanceOf(RecordedAtOutOfOrderError);
        expect(error).toMatchObject({ streamId, recordedAt: earlier, bound: last, kind: 'before-log' });
        expect((error as Error).message).toContain(last.toISOString());
        expect(await store.readStream(streamId)).toEqual([]);
        expect(await store.headPosition()).toEqual(head);
      });

      it("later than the store's clock is refused, and appends nothing", async () => {
        const streamId = newStreamId();
        const future = new Date(Date.now() + 60_000);
        const error = await rejection(store.appendToStream(streamId, testEvents(1), { recordedAt: future }));
        expect(error).toMatchObject({ name: 'RecordedAtOutOfOrderError', kind: 'after-clock' });
        expect(await store.readStream(streamId)).toEqual([]);
      });

      it('is followed by live appends that are not earlier: the log never goes back, whoever writes', async () => {
        const start = await store.headPosition();
        for (let i = 0; i < 5; i++) {
          await store.appendToStream(newStreamId(), testEvents(1), { recordedAt: await nextBackfillTime() });
          await store.appendToStream(newStreamId(), testEvents(1));
        }
        const times = (await store.readAll({ after: start, maxCount: 1000 })).map((event) =>
          event.recordedAt.getTime(),
        );
        expect(times).toHaveLength(10);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      });
    });

    describe('subscribeToAll', () => {
      it("from 'start' replays the whole log, then goes on live", async () => {
        const streamId = newStreamId();
        const before = testEvents(3);
        await store.appendToStream(streamId, before);
        const live = testEvent();
        const delivered = await collectUntil(
          subscribe({ after: 'start' }),
          (event) => event.id === live.id,
          async (event) => {
            if (event.id === before.at(-1)!.id) await store.appendToStream(streamId, [live]);
          },
        );
        expect(delivered).toEqual(await readAllBetween(null, delivered.at(-1)!.position));
      });

      it('from a position delivers exactly the log after it, with appends before, during replay and after', async () => {
        const streamId = newStreamId();
        const otherStreamId = newStreamId();
        // More than a page of replay, so that appends land while the subscription is still catching up.
        const history = await appendMany(streamId, testEvents(1200, 'history'));
        const [from] = await store.readStream(streamId, { fromRevision: 150, maxCount: 1 });
        const lastOfHistory = (await store.readStream(streamId, { fromRevision: history.nextExpectedRevision }))[0]!;

        const concurrentAppends: Promise<AppendResult>[] = [];
        const finalEvents = testEvents(3, 'after');
        let finalAppend: Promise<AppendResult> | undefined;
        const delivered = await collectUntil(
          subscribe({ after: from!.position }),
          (event) => event.id === finalEvents.at(-1)!.id,
          async (event, index) => {
            if (index % 97 === 0 && index < 1000) {
              // Not awaited: these appends race with the subscription's reads.
              concurrentAppends.push(store.appendToStream(otherStreamId, testEvents(2, 'during')));
            }
            if (index === 500) await store.appendToStream(streamId, testEvents(5, 'during, awaited'));
            if (event.id === lastOfHistory.id) {
              await Promise.all(concurrentAppends);
              // Appended a little later, when the subscription has likely gone live after replaying the rest.
              finalAppend = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
                store.appendToStream(streamId, finalEvents),
              );
            }
          },
        );

        await finalAppend;
        const expected = await readAllBetween(from!.position, delivered.at(-1)!.position);
        expect(ids(delivered)).toEqual(ids(expected));
        expect(delivered).toEqual(expected);
        expect(new Set(ids(delivered)).size).toBe(delivered.length);
        expectStrictlyIncreasing(delivered.map((event) => event.position));
        expect(delivered.filter((event) => event.streamId === otherStreamId)).toHaveLength(
          2 * concurrentAppends.length,
        );
      });

      it("from 'end' delivers only what is appended after the call", async () => {
        const streamId = newStreamId();
        const earlier = await store.appendToStream(streamId, testEvents(3, 'before'));
        const subscription = subscribe({ after: 'end' });
        // Appended after the call but before the first pull: still after the head at the time of the call.
        const afterCall = testEvents(2, 'after the call');
        await store.appendToStream(streamId, afterCall);
        const live = testEvents(2, 'live');
        const delivered = await collectUntil(
          subscription,
          (event) => event.id === live.at(-1)!.id,
          async (event) => {
            if (event.id === afterCall.at(-1)!.id) await store.appendToStream(streamId, live);
          },
        );
        expect(ids(delivered.filter((event) => event.streamId === streamId))).toEqual(ids([...afterCall, ...live]));
        for (const event of delivered) expect(comparePositions(event.position, earlier.position)).toBeGreaterThan(0);
      });

      it('delivers an append to a subscription that is already waiting', async () => {
        const subscription = subscribe({ after: 'end' });
        const pending = subscription[Symbol.asyncIterator]().next();
        const event = testEvent();
        const { position } = await store.appendToStream(newStreamId(), [event]);
        const result = await within(pending, 5000, 'live delivery');
        expect(result).toMatchObject({ done: false, value: { id: event.id, position } });
      });

      it('several subscriptions each get every event', async () => {
        const start = await store.headPosition();
        const streamId = newStreamId();
        const events = testEvents(4);
        const [one, two] = [subscribe({ after: start ?? 'start' }), subscribe({ after: start ?? 'start' })];
        const isLast = (event: RecordedEvent): boolean => event.id === events.at(-1)!.id;
        const collecting = Promise.all([collectUntil(one, isLast), collectUntil(two, isLast)]);
        await store.appendToStream(streamId, events.slice(0, 2));
        await store.appendToStream(streamId, events.slice(2));
        const [fromOne, fromTwo] = await collecting;
        expect(fromOne).toEqual(fromTwo);
        expect(ids(fromOne.filter((event) => event.streamId === streamId))).toEqual(ids(events));
      });

      it('close() ends a pending next() promptly, and the subscription stays done', async () => {
        const subscription = subscribe({ after: 'end' });
        const iterator = subscription[Symbol.asyncIterator]();
        let settled = false;
        const pending = iterator.next().finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(settled).toBe(false);

        const closedAt = Date.now();
        await subscription.close();
        await expect(within(pending, 1000, 'next() after close()')).resolves.toMatchObject({ done: true });
        expect(Date.now() - closedAt).toBeLessThan(1000);

        await store.appendToStream(newStreamId(), testEvents(1));
        await expect(within(iterator.next(), 1000, 'next() on a closed subscription')).resolves.toMatchObject({
          done: true,
        });
      });

      it('close() during the replay ends the subscription', async () => {
        await store.appendToStream(newStreamId(), testEvents(3));
        const subscription = subscribe({ after: 'start' });
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await iterator.next()).done).toBe(false);
        await subscription.close();
        expect((await iterator.next()).done).toBe(true);
      });

      it('break in a for-await loop closes the subscription', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, testEvents(3));
        const subscription = subscribe({ after: 'start' });
        let seen = 0;
        for await (const _event of subscription) {
          seen++;
          break;
        }
        expect(seen).toBe(1);
        await store.appendToStream(streamId, testEvents(1));
        const next = subscription[Symbol.asyncIterator]().next();
        await expect(within(next, 1000, 'next() after break')).resolves.toMatchObject({ done: true });
      });
    });
  });
}
