import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandBus } from '../../src/application/commands/index.js';
import { exportNdjson } from '../../src/export/export-ndjson.js';
import { importNdjson } from '../../src/import/ndjson/import-ndjson.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openKurrentDbEventStore } from '../../src/store/kurrentdb/kurrentdb-event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { pause } from '../support/clock.js';

/**
 * A dump of the embedded log restored into KurrentDB (docs/cli-and-data.md, "The dump: a lossless export"): the same
 * events with the same recordedAt (kept in each event's metadata, as KurrentDB sets `created` itself), and an
 * export of them from KurrentDB is the dump again, byte for byte. The server is shared and never empty, so the test
 * writes its own ids, recorded after whatever the server holds, and compares the lines of its own events.
 */

const url = process.env.KURRENTDB_URL;
const SKIPPED = url
  ? ''
  : ' (skipped: set KURRENTDB_URL to a KurrentDB server, e.g. kurrentdb://127.0.0.1:2113?tls=false)';

const dumpLines = async (store: EventStore): Promise<string[]> => {
  const lines: string[] = [];
  for await (const line of exportNdjson(store)) lines.push(line);
  return lines;
};

describe.skipIf(!url)(`a dump restored into KurrentDB${SKIPPED}`, () => {
  it('holds the same events at the same recordedAt, and exports to the same lines', { timeout: 60_000 }, async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'timeline-kurrentdb-restore-'));
    const original = withEventCatalog(openSqliteEventStore({ file: path.join(work, 'timeline.db') }));
    const kurrent = withEventCatalog(openKurrentDbEventStore({ url: url! }));
    try {
      const run = randomUUID().slice(0, 8);
      const commands = createCommandBus({ store: original });
      const meta = { keyName: 'kurrentdb-restore-test' };
      const [ana, talks, dev] = [`ana-${run}`, `talks-${run}`, `dev-${run}`];
      await commands('registerActor', { id: ana, name: 'Ana', kind: 'PERSON' }, meta);
      await commands('openTopic', { id: talks, title: 'Talks', openedAt: '2025-01-01T00:00:00Z' }, meta);
      for (const [index, id] of [dev, `${dev}-2`].entries()) {
        await pause(3);
        await commands(
          'recordDevelopment',
          {
            id,
            kind: 'STATEMENT',
            title: `Statement ${index}`,
            occurredAt: '2025-06-01T00:00:00Z',
            participants: [{ actorId: ana, role: 'SOURCE' }],
            topicIds: [talks],
            sources: [],
          },
          meta,
        );
      }
      await pause(3);
      const patch = { occurredAt: '2025-05-01T00:00:00Z' };
      await commands('correctDevelopment', { id: dev, expectedRevision: 0, reason: 'the date', patch }, meta);
      await pause(3);
      await commands('retractDevelopment', { id: `${dev}-2`, expectedRevision: 0, reason: 'withdrawn' }, meta);

      const dump = await dumpLines(original);
      const counts = await importNdjson(createCommandBus({ store: kurrent }), [{ name: 'dump', text: dump.join('') }], {
        onReject: (row) => {
          throw new Error(`line ${row.line} was rejected: ${row.reason}`);
        },
      });
      expect(counts.imported).toBe(dump.length - 1);

      const ids = new Set(dump.slice(1).map((line) => (JSON.parse(line) as { event: { id: string } }).event.id));
      const restored = (await dumpLines(kurrent)).filter(
        (line, index) => index > 0 && ids.has((JSON.parse(line) as { event: { id: string } }).event.id),
      );
      expect([dump[0], ...restored]).toEqual(dump);
      for (const stream of [`actor-${ana}`, `topic-${talks}`, `development-${dev}`, `development-${dev}-2`]) {
        const strip = (events: Awaited<ReturnType<EventStore['readStream']>>) =>
          events.map(({ position: _position, ...event }) => event);
        expect(strip(await kurrent.readStream(stream)), stream).toEqual(strip(await original.readStream(stream)));
      }
    } finally {
      await original.close();
      await kurrent.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
