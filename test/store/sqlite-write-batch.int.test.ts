import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { type EventStore, WrongExpectedRevisionError } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

/** inOneCommit on the embedded store: one commit for many appends, and nobody else sees or joins it meanwhile. */

const testEvent = (note: string): NewEvent => ({
  id: randomUUID(),
  type: 'BatchTestEvent',
  data: { note },
  metadata: { keyName: 'batch-test', correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
});

const notes = (events: readonly RecordedEvent[]) => events.map((event) => (event.data as { note: string }).note);

let dir: string;
let store: EventStore;
/** A second connection to the same file: what another process sees. */
let other: EventStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'write-batch-'));
  store = openSqliteEventStore({ file: join(dir, 'events.db') });
  other = openSqliteEventStore({ file: join(dir, 'events.db') });
});

afterEach(async () => {
  await store.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

const readAll = (from: EventStore) => from.readAll({ maxCount: 1000 });

describe('inOneCommit on the SQLite store', () => {
  it('commits the appends of a batch together, when the work resolves', async () => {
    const seenMeanwhile: number[] = [];
    const result = await store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('a')], { expectedRevision: 'no_stream' });
      seenMeanwhile.push((await readAll(other)).length);
      await store.appendToStream('s-2', [testEvent('b')], { expectedRevision: 'no_stream' });
      await store.appendToStream('s-1', [testEvent('c')], { expectedRevision: 0 });
      seenMeanwhile.push((await readAll(other)).length);
      // Inside the batch, its own appends are visible to its own reads.
      return notes(await store.readStream('s-1'));
    });
    expect(result).toEqual(['a', 'c']);
    expect(seenMeanwhile).toEqual([0, 0]);
    expect(notes(await readAll(other))).toEqual(['a', 'b', 'c']);
  });

  it('keeps the other appends when one append inside is refused', async () => {
    await store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('a')], { expectedRevision: 'no_stream' });
      await expect(
        store.appendToStream('s-1', [testEvent('refused-1'), testEvent('refused-2')], { expectedRevision: 5 }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await store.appendToStream('s-2', [testEvent('b')]);
    });
    expect(notes(await readAll(other))).toEqual(['a', 'b']);
    expect((await other.readStream('s-1')).map((event) => event.revision)).toEqual([0]);
  });

  it('appends nothing of a batch whose work rejects', async () => {
    await store.appendToStream('before', [testEvent('before')]);
    await expect(
      store.inOneCommit!(async () => {
        await store.appendToStream('s-1', [testEvent('a')]);
        await store.appendToStream('s-2', [testEvent('b')]);
        throw new Error('the importer gave up');
      }),
    ).rejects.toThrow('the importer gave up');
    expect(notes(await readAll(store))).toEqual(['before']);
    expect(await store.readStream('s-1')).toEqual([]);
    // The stream table rolled back too: s-1 can be created as new.
    await store.appendToStream('s-1', [testEvent('a again')], { expectedRevision: 'no_stream' });
  });

  it('makes an append from outside the batch wait until the batch has committed', async () => {
    let releaseBatch!: () => void;
    const held = new Promise<void>((resolve) => (releaseBatch = resolve));
    let outsideDone = false;
    const batch = store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('in batch 1')]);
      await held;
      await store.appendToStream('s-1', [testEvent('in batch 2')]);
    });
    // Not started inside the batch's async context: it must neither join the transaction nor see its rows.
    await new Promise((resolve) => setImmediate(resolve));
    const outside = (async () => {
      const seen = notes(await store.readStream('s-1'));
      await store.appendToStream('s-1', [testEvent('outside')]);
      outsideDone = true;
      return seen;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false);
    releaseBatch();
    await batch;
    expect(await outside).toEqual(['in batch 1', 'in batch 2']);
    expect(notes(await readAll(other))).toEqual(['in batch 1', 'in batch 2', 'outside']);
  });

  it('keeps an outside append when the batch rolls back', async () => {
    let releaseBatch!: () => void;
    const held = new Promise<void>((resolve) => (releaseBatch = resolve));
    const batch = store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('rolled back')]);
      await held;
      throw new Error('abandoned');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const outside = store.appendToStream('s-2', [testEvent('outside')]);
    releaseBatch();
    await expect(batch).rejects.toThrow('abandoned');
    await outside;
    expect(notes(await readAll(other))).toEqual(['outside']);
  });

  it('delivers a batch to subscriptions once, after its commit, after what came before', async () => {
    await store.appendToStream('before', [testEvent('before')]);
    const fromStart = store.subscribeToAll({ after: 'start' })[Symbol.asyncIterator]();
    expect(notes([(await fromStart.next()).value as RecordedEvent])).toEqual(['before']);

    let releaseBatch!: () => void;
    const held = new Promise<void>((resolve) => (releaseBatch = resolve));
    const batch = store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('a')]);
      await store.appendToStream('s-2', [testEvent('b')]);
      await held;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // Opened while the batch is uncommitted: "from the end" means after what was committed then.
    const fromEnd = store.subscribeToAll({ after: 'end' })[Symbol.asyncIterator]();
    const pending = fromStart.next();
    let delivered = false;
    void pending.then(() => (delivered = true));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(delivered).toBe(false);
    releaseBatch();
    await batch;
    const next = [(await pending).value, (await fromStart.next()).value] as RecordedEvent[];
    expect(notes(next)).toEqual(['a', 'b']);
    const fromEndSeen = [(await fromEnd.next()).value, (await fromEnd.next()).value] as RecordedEvent[];
    expect(notes(fromEndSeen)).toEqual(['a', 'b']);
    await fromStart.return!();
    await fromEnd.return!();
  });

  it('runs a batch nested in a batch as part of it', async () => {
    await store.inOneCommit!(async () => {
      await store.appendToStream('s-1', [testEvent('outer')]);
      await store.inOneCommit!(async () => store.appendToStream('s-1', [testEvent('inner')]));
    });
    expect(notes(await readAll(other))).toEqual(['outer', 'inner']);
  });
});
