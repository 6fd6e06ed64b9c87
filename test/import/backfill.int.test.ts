import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../events/envelope.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { runTimelineCli } from '../support/cli-in-process.js';

/**
 * Imports that carry their source's transaction times: NDJSON lines with recordedAt, GDELT rows at their
 * DATEADDED. The log keeps those times; an import whose times would go back (row to row, before the log's last,
 * after a live write, past now) is refused before it writes, naming the row, its time and the log's last.
 */

const SAMPLE = path.resolve(import.meta.dirname, '../fixtures/gdelt/20150218230000.export.CSV');
const SAMPLE_DATEADDED = new Date('2015-02-18T23:00:00Z');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-backfill-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let dirs = 0;
const freshDataDir = () => path.join(work, `data-${++dirs}`);

const logOf = async (dataDir: string): Promise<RecordedEvent[]> => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dataDir, 'timeline.db') }));
  try {
    return await store.readAll({ after: null, maxCount: 1_000_000 });
  } finally {
    await store.close();
  }
};

/** An import refused up front: exit 1, the message on stderr, and the log as empty as before it. */
const expectRefusedAppendingNothing = async (
  run: { code: number | null; stderr: string },
  dataDir: string,
  message: string,
): Promise<void> => {
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(message);
  expect(await logOf(dataDir)).toEqual([]);
};

const writeNdjson = (name: string, lines: readonly unknown[]): string => {
  const file = path.join(work, name);
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return file;
};

const actor = (id: string, recordedAt?: string) => ({
  command: 'registerActor',
  input: { id, name: id, kind: 'PERSON' },
  ...(recordedAt === undefined ? {} : { recordedAt }),
});

const importNdjson = (file: string, dataDir: string) =>
  runTimelineCli(['import', 'ndjson', file, '--data-dir', dataDir, '--rejects', path.join(work, 'rejects.tsv')]);

describe('import ndjson with recordedAt', () => {
  it('records each line at its recordedAt, in order', async () => {
    const dataDir = freshDataDir();
    const file = writeNdjson('timed.ndjson', [
      actor('a', '2020-01-01T00:00:00Z'),
      actor('b', '2020-01-01T00:00:00.000+00:00'),
      actor('c', '2021-06-01T12:30:00+02:00'),
    ]);
    expect((await importNdjson(file, dataDir)).code).toBe(0);
    const log = await logOf(dataDir);
    expect(log.map((event) => [(event.data as { id: string }).id, event.recordedAt.toISOString()])).toEqual([
      ['a', '2020-01-01T00:00:00.000Z'],
      ['b', '2020-01-01T00:00:00.000Z'],
      ['c', '2021-06-01T10:30:00.000Z'],
    ]);
  });

  it('refuses times that go back from row to row, naming the row and both times, and appends nothing', async () => {
    const dataDir = freshDataDir();
    const file = writeNdjson('backwards.ndjson', [
      actor('a', '2020-01-02T00:00:00Z'),
      actor('b', '2020-01-03T00:00:00Z'),
      actor('c', '2020-01-01T00:00:00Z'),
    ]);
    await expectRefusedAppendingNothing(
      await importNdjson(file, dataDir),
      dataDir,
      `${file}:3: recordedAt 2020-01-01T00:00:00.000Z is earlier than ${file}:2's recordedAt ` +
        '2020-01-03T00:00:00.000Z: transaction time never goes back; nothing was imported',
    );
  });

  it("refuses a first time earlier than the log's last recordedAt, and appends nothing", async () => {
    const dataDir = freshDataDir();
    expect((await importNdjson(writeNdjson('first.ndjson', [actor('a', '2020-05-01T00:00:00Z')]), dataDir)).code).toBe(
      0,
    );
    const file = writeNdjson('older.ndjson', [actor('b', '2020-06-01T00:00:00Z'), actor('c', '2020-04-01T00:00:00Z')]);
    const before = await logOf(dataDir);
    const run = await importNdjson(file, dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:2: recordedAt 2020-04-01T00:00:00.000Z is earlier than ${file}:1's`);
    const again = writeNdjson('older-first.ndjson', [actor('b', '2020-04-01T00:00:00Z')]);
    const refused = await importNdjson(again, dataDir);
    expect(refused.stderr).toContain(
      `${again}:1: recordedAt 2020-04-01T00:00:00.000Z is earlier than the log's last recordedAt ` +
        '2020-05-01T00:00:00.000Z',
    );
    expect(await logOf(dataDir)).toEqual(before);
  });

  it('refuses a backfill that would go back behind a live write made between two backfills', async () => {
    const dataDir = freshDataDir();
    const past = Date.now() - 60_000;
    const first = writeNdjson('batch-1.ndjson', [actor('a', new Date(past).toISOString())]);
    expect((await importNdjson(first, dataDir)).code).toBe(0);
    // A live write: no recordedAt, so the store's clock, now: the log's last recordedAt moves past the backfill.
    expect((await importNdjson(writeNdjson('live.ndjson', [actor('live')]), dataDir)).code).toBe(0);
    const before = await logOf(dataDir);
    const liveAt = before.at(-1)!.recordedAt;
    expect(liveAt.getTime()).toBeGreaterThan(past);
    const second = writeNdjson('batch-2.ndjson', [actor('b', new Date(past + 1_000).toISOString())]);
    const run = await importNdjson(second, dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`is earlier than the log's last recordedAt ${liveAt.toISOString()}`);
    expect(await logOf(dataDir)).toEqual(before);
  });

  it('refuses a recordedAt after a row recorded now, in the future, or not an instant, and appends nothing', async () => {
    const cases: [unknown[], RegExp][] = [
      [[actor('a'), actor('b', '2020-01-01T00:00:00Z')], /:2: recordedAt .* comes after .*:1, which has none/],
      [[actor('a', '2999-01-01T00:00:00Z')], /:1: recordedAt 2999-01-01T00:00:00.000Z is later than now/],
      [[actor('a', '2020-01-01T00:00:00')], /:1: recordedAt "2020-01-01T00:00:00" is not an ISO-8601 instant/],
      [[actor('a', '2020-02-30T00:00:00Z')], /:1: recordedAt "2020-02-30T00:00:00Z" is not an ISO-8601 instant/],
    ];
    for (const [index, [lines, message]] of cases.entries()) {
      const dataDir = freshDataDir();
      const run = await importNdjson(writeNdjson(`bad-${index}.ndjson`, lines), dataDir);
      expect(run.code, JSON.stringify(lines)).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('nothing was imported');
      expect(await logOf(dataDir)).toEqual([]);
    }
  });

  it('refuses a dump of another format version before writing anything', async () => {
    const dataDir = freshDataDir();
    const file = writeNdjson('v9.ndjson', [{ format: 'diplomatic-timeline-log', version: 9 }, actor('a')]);
    const run = await importNdjson(file, dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}:1: a dump of format "diplomatic-timeline-log" version 9`);
    expect(await logOf(dataDir)).toEqual([]);
  });

  it("restores a dump into a store whose last recordedAt is not later than the dump's first, and no other", async () => {
    const source = freshDataDir();
    const file = writeNdjson('source.ndjson', [actor('a', '2020-01-01T00:00:00Z'), actor('b', '2020-02-01T00:00:00Z')]);
    expect((await importNdjson(file, source)).code).toBe(0);
    const dump = path.join(work, 'source-dump.ndjson');
    expect((await runTimelineCli(['export', 'ndjson', '--out', dump, '--data-dir', source])).code).toBe(0);

    const older = freshDataDir();
    expect((await importNdjson(writeNdjson('older.ndjson', [actor('x', '2019-01-01T00:00:00Z')]), older)).code).toBe(0);
    expect((await importNdjson(dump, older)).code).toBe(0);
    const restored = (await logOf(older)).slice(1);
    expect(restored.map(({ id, recordedAt, metadata }) => ({ id, recordedAt, metadata }))).toEqual(
      (await logOf(source)).map(({ id, recordedAt, metadata }) => ({ id, recordedAt, metadata })),
    );

    const newer = freshDataDir();
    expect((await importNdjson(writeNdjson('newer.ndjson', [actor('y')]), newer)).code).toBe(0);
    const before = await logOf(newer);
    const run = await importNdjson(dump, newer);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${dump}:2: recordedAt 2020-01-01T00:00:00.000Z is earlier than the log's last`);
    expect(await logOf(newer)).toEqual(before);
  });
});

describe('import gdelt --recorded-at-dateadded', () => {
  /** The sample's first rows, as a later batch: DATEADDED a quarter of an hour on. */
  const laterBatch = (): string => {
    const file = path.join(work, '20150218231500.export.CSV');
    const rows = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .slice(0, 5)
      .map((line) => {
        const columns = line.split('\t');
        columns[0] = `9${columns[0]}`;
        columns[59] = '20150218231500';
        return columns.join('\t');
      });
    writeFileSync(file, rows.join('\n') + '\n');
    return file;
  };

  const importGdelt = (dataDir: string, files: readonly string[]) =>
    runTimelineCli([
      'import',
      'gdelt',
      ...files,
      '--recorded-at-dateadded',
      '--data-dir',
      dataDir,
      '--rejects',
      path.join(dataDir, 'rejects.tsv'),
      '--allow-rejects',
    ]);

  it('records every row, and the actors it registers, at its DATEADDED; a day’s files in their order', async () => {
    const dataDir = freshDataDir();
    const run = await importGdelt(dataDir, [SAMPLE, laterBatch()]);
    expect(run.code).toBe(0);
    const log = await logOf(dataDir);
    const times = new Set(log.map((event) => event.recordedAt.toISOString()));
    expect(times).toEqual(new Set([SAMPLE_DATEADDED.toISOString(), '2015-02-18T23:15:00.000Z']));
    const later = log.filter((event) => (event.data as { id: string }).id.startsWith('gdelt:9'));
    expect(later).toHaveLength(5);
    for (const event of later) expect(event.recordedAt.toISOString()).toBe('2015-02-18T23:15:00.000Z');
  });

  it('refuses files given out of order, naming the row, and appends nothing', async () => {
    const dataDir = freshDataDir();
    const later = laterBatch();
    await expectRefusedAppendingNothing(
      await importGdelt(dataDir, [later, SAMPLE]),
      dataDir,
      `${SAMPLE}:1: recordedAt 2015-02-18T23:00:00.000Z is earlier than ${later}:5's recordedAt ` +
        '2015-02-18T23:15:00.000Z',
    );
  });

  it('is named in `timeline help import`', async () => {
    const help = await runTimelineCli(['help', 'import']);
    expect(help.stdout).toMatch(/--recorded-at-dateadded\s+gdelt: record each row .* at its DATEADDED/s);
  });

  it('is for gdelt only: ndjson lines carry their own recordedAt', async () => {
    const run = await runTimelineCli(['import', 'ndjson', SAMPLE, '--recorded-at-dateadded']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--recorded-at-dateadded is for gdelt imports');
  });
});
