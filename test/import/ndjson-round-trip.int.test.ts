import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { runTimelineCli } from '../support/cli-in-process.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';

/**
 * `timeline export ndjson` then `timeline import ndjson` into an empty store restores the same log (the same events,
 * order, recordedAt and ids) and the same answers at every knownAt, and exports to the same bytes: on the seed
 * timeline (with its corrections and verifications) and on the GDELT sample. And an NDJSON file is checked line
 * by line, with line numbers in the errors.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = path.join(ROOT, 'events/seed/seed-timeline.ndjson');
const GDELT = path.join(ROOT, 'test/fixtures/gdelt/20150218230000.export.CSV');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-ndjson-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const timeline = (args: readonly string[]) => runTimelineCli(args);

const withStore = async <T>(dataDir: string, use: (store: EventStore) => Promise<T>): Promise<T> => {
  const store = withEventCatalog(openSqliteEventStore({ file: path.join(dataDir, 'timeline.db') }));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
};

const END = new Date('9999-01-01T00:00:00Z');

const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)));

/**
 * The whole state of a log: its events as the log holds them (ids, metadata, recordedAt included) and every answer at
 * a few time points, on both axes: a restore keeps transaction time, so nothing may differ.
 */
const stateOf = (dataDir: string, knownAts: readonly Date[]) =>
  withStore(dataDir, async (store) => {
    const events = await store.readAll({ after: null, maxCount: 1_000_000 });
    const model = createMemoryReadStore();
    await rebuildReadModels(store, model);
    const asOfs = [END, new Date('2025-10-15T00:00:00Z'), new Date('2015-02-18T12:00:00Z')];
    const points = asOfs.flatMap((asOf) => [END, ...knownAts].map((knownAt) => ({ asOf, knownAt })));
    return plain({ events, model: await snapshotReadModel(model, points) });
  });

const roundTrip = async (name: string, load: (dataDir: string) => Promise<{ code: number }>) => {
  const source = path.join(work, `${name}-source`);
  const target = path.join(work, `${name}-target`);
  expect((await load(source)).code).toBe(0);
  const exported = path.join(work, `${name}.ndjson`);
  const exporting = await timeline(['export', 'ndjson', '--out', exported, '--data-dir', source]);
  expect(exporting.code).toBe(0);
  const [header, ...lines] = readFileSync(exported, 'utf8').trim().split('\n');
  expect(JSON.parse(header!)).toEqual({ format: 'diplomatic-timeline-log', version: 1 });
  expect(exporting.stderr).toBe(`export ndjson: ${lines.length} commands written to ${exported}\n`);

  const importing = await timeline(['import', 'ndjson', exported, '--data-dir', target]);
  expect(importing.code).toBe(0);
  expect(importing.stdout).toContain(
    `import ndjson: ${lines.length} rows read: ${lines.length} imported, 0 already present, 0 rejected`,
  );
  // Six recordedAts spread along the log, and the moment before each: knownAts where answers change.
  const times = [...new Set(lines.map((line) => (JSON.parse(line) as { recordedAt: string }).recordedAt))];
  const picked = [0, 0.2, 0.4, 0.6, 0.8, 1].map((share) => new Date(times[Math.floor(share * (times.length - 1))]!));
  const knownAts = picked.flatMap((time) => [new Date(time.getTime() - 1), time]);
  const [copied, original] = [
    JSON.stringify(await stateOf(target, knownAts)),
    JSON.stringify(await stateOf(source, knownAts)),
  ];
  if (copied !== original) {
    const at = [...copied].findIndex((char, index) => char !== original[index]);
    expect(copied.slice(Math.max(0, at - 300), at + 300)).toBe(original.slice(Math.max(0, at - 300), at + 300));
  }

  // The copy exports to the very same file, byte for byte.
  const again = await timeline(['export', 'ndjson', '--data-dir', target]);
  expect(again.stdout).toBe(readFileSync(exported, 'utf8'));
  return lines;
};

describe('export ndjson, then import ndjson into an empty store', () => {
  it('reproduces the seed timeline, with corrections, verifications and retractions on top', async () => {
    const later = path.join(work, 'later.ndjson');
    const development = (id: string) => ({
      id,
      kind: 'THREATEN',
      title: `Development ${id}`,
      occurredAt: '2025-10-18T00:00:00Z',
      precision: 'DAY',
      participants: [
        { actorId: 'russia', role: 'SOURCE' },
        { actorId: 'ukraine', role: 'TARGET' },
      ],
      topicIds: ['ukraine-war'],
      sources: [{ publisher: 'Wire' }],
      tone: -6,
    });
    writeFileSync(
      later,
      [
        { command: 'recordDevelopment', input: development('later-1') },
        { command: 'recordDevelopment', input: development('later-2') },
        {
          command: 'correctDevelopment',
          input: {
            id: 'later-1',
            expectedRevision: 0,
            reason: 'the date',
            patch: { occurredAt: '2025-10-12T00:00:00Z', tone: null },
          },
        },
        { command: 'verifyDevelopment', input: { id: 'later-1', status: 'DISPUTED', summary: 'Kyiv says otherwise' } },
        { command: 'retractDevelopment', input: { id: 'later-2', expectedRevision: 0, reason: 'never happened' } },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const lines = await roundTrip('seed', async (dataDir) => {
      const seeded = await timeline(['import', 'ndjson', SEED, '--data-dir', dataDir]);
      expect(seeded.code).toBe(0);
      return timeline(['import', 'ndjson', later, '--data-dir', dataDir]);
    });
    const commands = new Set(lines.map((line) => (JSON.parse(line) as { command: string }).command));
    expect(commands).toEqual(
      new Set([
        'registerActor',
        'assignRole',
        'openTopic',
        'changeTopicStatus',
        'recordDevelopment',
        'correctDevelopment',
        'verifyDevelopment',
        'retractDevelopment',
      ]),
    );
  });

  it('reproduces the GDELT sample', async () => {
    const lines = await roundTrip('gdelt', (dataDir) =>
      timeline(['import', 'gdelt', GDELT, '--data-dir', dataDir, '--rejects', path.join(work, 'gdelt-rejects.tsv')]),
    );
    expect(lines.filter((line) => line.includes('"recordDevelopment"'))).toHaveLength(2271);
    // The import, export and import take about 4 s; comparing both logs' states at 39 time points, the rest (about
    // 20 s on the 2-core machine, over the project's default budget of 20 s for a test).
  }, 90_000);
});

describe('import ndjson checks each line', () => {
  it('imports the good lines and reports every bad one with its line number and the offending field', async () => {
    const dataDir = path.join(work, 'checked');
    const file = path.join(work, 'checked.ndjson');
    const actor = { id: 'alice', name: 'Alice', kind: 'PERSON' };
    writeFileSync(
      file,
      [
        JSON.stringify({ command: 'registerActor', input: actor }),
        '{"command": "registerActor", "input": ',
        '',
        JSON.stringify({ command: 'registerAktor', input: actor }),
        JSON.stringify({ command: 'registerActor' }),
        JSON.stringify({ command: 'registerActor', input: { ...actor, id: 'bob', kind: 'ROBOT' } }),
        JSON.stringify({ command: 'registerActor', input: actor, note: 'again' }),
        JSON.stringify({
          command: 'openTopic',
          input: { id: 'talks', title: 'Talks', openedAt: '2025-01-01T00:00:00Z' },
        }),
        JSON.stringify({
          command: 'recordDevelopment',
          input: {
            id: 'd1',
            kind: 'STATEMENT',
            title: 'Alice speaks to Carol',
            occurredAt: '2025-02-01T00:00:00Z',
            participants: [
              { actorId: 'alice', role: 'SOURCE' },
              { actorId: 'carol', role: 'TARGET' },
            ],
            topicIds: ['talks'],
            sources: [{ publisher: 'Wire' }],
          },
        }),
        JSON.stringify({ command: 'registerActor', input: actor }),
      ].join('\n') + '\n',
    );
    const rejects = path.join(work, 'checked-rejects.tsv');
    const run = await timeline(['import', 'ndjson', file, '--data-dir', dataDir, '--rejects', rejects]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('import ndjson: 9 rows read: 2 imported, 1 already present, 6 rejected');
    const reported = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t').slice(1, 3));
    expect(reported).toEqual([
      ['2', expect.stringMatching(/^not JSON: /)],
      ['4', 'command: "registerAktor" is not a command of the API'],
      ['5', 'input: expected an object, the input of the mutation'],
      ['6', expect.stringMatching(/^BAD_USER_INPUT: .*input\.kind/)],
      ['7', 'unexpected field "note" (a line holds command, input, recordedAt and event)'],
      ['9', 'NOT_FOUND at input.participants.1.actorId: actor "carol" does not exist'],
    ]);
  });
});
