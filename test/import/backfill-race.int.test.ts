import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCommandBus } from '../../src/application/commands/index.js';
import { importNdjson } from '../../src/import/ndjson/import-ndjson.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { RecordedAtOutOfOrderError } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

/**
 * A live write that lands during a backfill, after its up-front check: the store refuses the next backfilled append
 * that would go back (under its write lock), the import stops there, and the batches before it stay.
 */

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-backfill-race-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const actorLine = (id: string, recordedAt: string) =>
  JSON.stringify({ command: 'registerActor', input: { id, name: id, kind: 'PERSON' }, recordedAt });

it('a live write between two batches of a backfill makes the store refuse the next batch', async () => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(work, 'timeline.db') }));
  try {
    const commands = createCommandBus({ store });
    const live = createCommandBus({ store });
    let batches = 0;
    // Before the second batch, after the up-front check, another writer records something now.
    const importer = Object.assign((...args: Parameters<typeof commands>) => commands(...args), {
      lastRecordedAt: commands.lastRecordedAt,
      inOneCommit: async <T>(work: () => Promise<T>): Promise<T> => {
        if (++batches === 2)
          await live('registerActor', { id: 'live', name: 'Live', kind: 'PERSON' }, { keyName: 'l' });
        return commands.inOneCommit(work);
      },
    });
    const past = Date.now() - 60_000;
    const lines = [actorLine('a', new Date(past).toISOString()), actorLine('b', new Date(past + 1).toISOString())];
    const importing = importNdjson(importer, [{ name: 'backfill.ndjson', text: lines.join('\n') }], {
      batchSize: 1,
      onReject: () => undefined,
    });
    const error = await importing.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(RecordedAtOutOfOrderError);
    expect(error).toMatchObject({ streamId: 'actor-b', kind: 'before-log' });
    const log = await store.readAll({ after: null, maxCount: 100 });
    expect(log.map((event) => (event.data as { id: string }).id)).toEqual(['a', 'live']);
    const times = log.map((event) => event.recordedAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  } finally {
    await store.close();
  }
});
