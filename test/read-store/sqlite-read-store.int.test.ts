import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, assert, beforeEach, describe, expect, it } from 'vitest';
import type { ReadModelBatch, ReadModelStore, StoredSnapshot } from '../../src/read-store/read-model-store.js';
import { encodeRecord } from '../../src/read-store/record-codec.js';
import { BATCHES_PER_TRANSACTION } from '../../src/read-store/sqlite/commit.js';
import { decodeStateText } from '../../src/read-store/state-text.js';
import { openSqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store.js';
import { at, emptyBatch, entry, readModelStoreConformance } from './read-model-store.conformance.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sqlite-read-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// On a real file in WAL mode, as a server keeps it: each case opens a new connection to it.
readModelStoreConformance('sqlite', async () => openSqliteReadStore({ file: path.join(dir, 'conformance.db') }));
// As `timeline rebuild` writes its file: the same answers while batches are committed several at a time.
readModelStoreConformance('sqlite, built whole', async () =>
  openSqliteReadStore({ file: path.join(dir, 'built-whole.db'), builtWhole: true }),
);

const snapshot = (built: number, state: unknown): StoredSnapshot => ({
  actorId: 'a',
  boundary: entry('d1', 100, 1, 1),
  builtAtMs: built * 1000,
  builtPosition: at(built),
  state,
});

const fullBatch = (position: number): ReadModelBatch => ({
  ...emptyBatch(position),
  versions: [
    {
      kind: 'development',
      id: 'd1',
      version: { position: at(position), recordedAtMs: position * 1000, state: { big: 2n ** 70n, at: new Date(5) } },
    },
  ],
  entries: [{ index: { kind: 'meeting', id: 'm1' }, entry: entry('d1', 100, 1, position) }],
  snapshots: [snapshot(position, { ids: new Set(['x']), n: position })],
  subtopics: [{ parentId: 'p', id: `c${position}` }],
});

/** What a reader of the store sees, all of it. */
const everything = async (store: ReadModelStore) => ({
  checkpoint: await store.checkpoint(),
  versions: await store.versions('development', ['d1']),
  entries: await store.entries({ kind: 'meeting', id: 'm1' }, { knownAtMs: Infinity }),
  meetings: await store.ids('meeting'),
  metas: await store.snapshotMetas('a'),
  states: await Promise.all((await store.snapshotMetas('a')).map((meta) => store.snapshotState(meta))),
  subtopics: (await store.subtopicIds('p')).sort(),
  clock: await store.positionRecordedBefore(Infinity),
});

/** The writer process of the concurrency test: commits batches 1..n, batch k at position k. */
const WRITER = `
const [file, n, ids] = process.argv.slice(1);
const { openSqliteReadStore } = await import(${JSON.stringify(new URL('../../src/read-store/sqlite/sqlite-read-store.ts', import.meta.url).pathname)});
const at = (k) => ({ commit: BigInt(k), prepare: BigInt(k) });
const entry = (id, occurredAtMs, k) => ({ developmentId: id, occurredAtMs, recordPosition: at(k), addedAtMs: k,
  addedPosition: at(k), earliestAddedFromMs: k });
const store = openSqliteReadStore({ file });
for (let k = 1; k <= Number(n); k++) {
  await store.commit({
    versions: ids.split(',').map((id) => ({ kind: 'development', id,
      version: { position: at(k), recordedAtMs: k, state: { id, k, tags: new Set([id]) } } })),
    entries: [entry('x' + k, k, k), entry('y' + k, -k, k)].map((e) => ({ index: { kind: 'meeting', id: 'm1' }, entry: e })),
    snapshots: [entry('x' + k, k, k), entry('y' + k, -k, k)].map((boundary) => ({ actorId: 'a', boundary,
      builtAtMs: k, builtPosition: at(k), state: { k } })),
    subtopics: [],
    clock: [{ position: at(k), recordedAtMs: k }],
    checkpoint: { position: at(k), recordedAtMs: k },
  });
}
await store.close();
`;

describe('sqlite read-model store', () => {
  let file: string;
  let stores: ReadModelStore[];
  const open = () => {
    const store = openSqliteReadStore({ file });
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    file = path.join(mkdtempSync(path.join(dir, 'case-')), 'read-models.db');
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
  });

  it('keeps everything in its file: the checkpoint, versions, entries and snapshots', async () => {
    const writer = open();
    await writer.commit(fullBatch(2));
    await writer.commit(fullBatch(3));
    const before = await everything(writer);
    await writer.close();
    stores = [];

    const reopened = open();
    const after = await everything(reopened);
    expect(after).toEqual(before);
    expect(after.checkpoint).toEqual({ position: at(3), recordedAtMs: 3000 });
    expect(after.versions.get('d1')!.map((version) => version.state)).toEqual([
      { big: 2n ** 70n, at: new Date(5) },
      { big: 2n ** 70n, at: new Date(5) },
    ]);
    // One boundary, built twice.
    expect(after.metas.map((meta) => meta.builtPosition)).toEqual([at(2), at(3)]);
    expect(after.states).toEqual([
      { ids: new Set(['x']), n: 2 },
      { ids: new Set(['x']), n: 3 },
    ]);
    // It goes on from where it stood.
    await expect(reopened.commit(fullBatch(3))).rejects.toThrow(/cannot follow/);
    await reopened.commit(fullBatch(4));
    expect((await reopened.checkpoint())!.position).toEqual(at(4));
  });

  it('keeps positions past 2^53 exactly', async () => {
    const store = open();
    const far = { commit: 2n ** 62n + 1n, prepare: 2n ** 62n - 1n };
    await store.commit({
      ...emptyBatch(1),
      clock: [{ position: far, recordedAtMs: 1000 }],
      checkpoint: { position: far, recordedAtMs: 1000 },
      versions: [{ kind: 'actor', id: 'a', version: { position: far, recordedAtMs: 1000, state: {} } }],
    });
    expect(await store.checkpoint()).toEqual({ position: far, recordedAtMs: 1000 });
    expect((await store.versions('actor', ['a'])).get('a')![0]!.position).toEqual(far);
    expect(await store.positionRecordedBefore(1001)).toEqual(far);
  });

  it('leaves nothing of a batch that fails midway, and keeps the old checkpoint', async () => {
    const store = open();
    await store.commit(fullBatch(2));
    const before = await everything(store);
    const unencodable = {
      toJSON: () => {
        throw new Error('cannot encode');
      },
    };
    // Its versions, entries and first snapshot are written before the last snapshot's state fails to encode.
    const failing: ReadModelBatch = {
      ...fullBatch(3),
      snapshots: [snapshot(3, { n: 3 }), { ...snapshot(3, unencodable), builtPosition: at(4) }],
    };
    await expect(store.commit(failing)).rejects.toThrow('cannot encode');
    expect(await everything(store)).toEqual(before);
    // The same batch, mended, goes through: nothing of the failed one is in its way.
    await store.commit(fullBatch(3));
    expect((await store.checkpoint())!.position).toEqual(at(3));
    expect((await store.versions('development', ['d1'])).get('d1')).toHaveLength(2);
  });

  it('shows a batch to another connection only whole', async () => {
    const writer = open();
    const reader = open();
    await writer.commit(fullBatch(2));
    const before = await everything(reader);

    // A batch held open midway by another connection: the reader neither waits for it nor sees any of it.
    const db = new Database(file);
    db.exec('BEGIN IMMEDIATE');
    db.prepare('INSERT INTO subtopics (parent_id, id) VALUES (?, ?)').run('p', 'half');
    db.prepare('UPDATE checkpoint SET position_commit = 9, position_prepare = 9').run();
    expect(await everything(reader)).toEqual(before);
    db.exec('ROLLBACK');
    db.close();
    expect(await everything(reader)).toEqual(before);
  });

  it("shows another process's batches to a reader only whole, while it commits them", async () => {
    const reader = open();
    const batches = 150;
    const ids = Array.from({ length: 40 }, (_, n) => `d${n}`);
    // The writer: another process committing as fast as it can, each batch many versions, entries and snapshots.
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', WRITER, file, String(batches), ids.join(',')],
      { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    writer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let exited = false;
    const exit = new Promise<number | null>((resolve) =>
      writer.on('exit', (code) => {
        exited = true;
        resolve(code);
      }),
    );

    const index = { kind: 'meeting' as const, id: 'm1' };
    const seen = new Set<bigint>();
    const committed = async () => (await reader.checkpoint())?.position.commit ?? 0n;
    while (!exited) {
      // Every read resolves at once: without a turn of the event loop, the writer's exit would never be heard.
      await new Promise((resolve) => setImmediate(resolve));
      const first = await committed();
      const versions = await reader.versions('development', ids);
      const known = await reader.entries(index, { knownAtMs: 1e15 });
      const descending = await reader.entries(index, { knownAtMs: Infinity, descending: true, limit: 1_000 });
      const metas = await reader.snapshotMetas('a');
      const last = await committed();
      seen.add(last);
      // Batch k leaves k versions of every id, 2k entries and 2k snapshots: every read falls between two
      // checkpoints read around it, and holds whole batches only.
      const counts = new Set(ids.map((id) => versions.get(id)?.length ?? 0));
      expect(counts.size).toBe(1);
      const [count] = counts;
      expect(count).toBeGreaterThanOrEqual(Number(first));
      expect(count).toBeLessThanOrEqual(Number(last));
      for (const found of [known, descending, metas]) {
        expect(found.length % 2).toBe(0);
        expect(found.length / 2).toBeGreaterThanOrEqual(Number(first));
        expect(found.length / 2).toBeLessThanOrEqual(Number(last));
      }
    }
    expect(await exit, stderr).toBe(0);
    expect(await committed()).toBe(BigInt(batches));
    // Not a test of nothing: the reader met the writer midway.
    expect(seen.size).toBeGreaterThan(2);
    // A second process starts (tsx) and commits 150 batches: slow on a loaded machine.
  }, 60_000);

  it('commits a file built whole a group of batches at a time, each batch whole, and what is pending on close', async () => {
    const writer = openSqliteReadStore({ file, builtWhole: true });
    const reader = open();
    for (let position = 1; position <= BATCHES_PER_TRANSACTION + 1; position++)
      await writer.commit(fullBatch(position));
    // The first group is committed; the next is held open, and its writer reads it as it stands.
    expect((await reader.checkpoint())!.position).toEqual(at(BATCHES_PER_TRANSACTION));
    expect((await writer.checkpoint())!.position).toEqual(at(BATCHES_PER_TRANSACTION + 1));
    const before = await everything(writer);
    // A batch that fails inside a group leaves nothing, and the batches before it in the group stay.
    const failing: ReadModelBatch = {
      ...fullBatch(BATCHES_PER_TRANSACTION + 2),
      snapshots: [{ ...snapshot(1, { n: 1 }), state: { toJSON: () => assert.fail('cannot encode') } }],
    };
    await expect(writer.commit(failing)).rejects.toThrow('cannot encode');
    expect(await everything(writer)).toEqual(before);
    await writer.commit(fullBatch(BATCHES_PER_TRANSACTION + 2));
    const written = await everything(writer);
    await writer.close();
    expect(await everything(reader)).toEqual(written);
    expect(written.checkpoint!.position).toEqual(at(BATCHES_PER_TRANSACTION + 2));
  });

  it('indexes a file built whole by knownAt when done, or once a question at a past knownAt needs it', async () => {
    const indexed = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'entries_by_earliest_added'").get() !== undefined;
      } finally {
        db.close();
      }
    };
    const index = { kind: 'actor' as const, id: 'a' };
    const batch = (position: number, developmentId: string): ReadModelBatch => ({
      ...emptyBatch(position),
      entries: [{ index, entry: entry(developmentId, position * 100, position, position) }],
    });
    const ids = (found: readonly { developmentId: string }[]) => found.map(({ developmentId }) => developmentId);

    const first = openSqliteReadStore({ file, builtWhole: true });
    await first.commit(batch(1, 'd1'));
    await first.commit(batch(2, 'd2'));
    // At the checkpoint's recordedAt or after, nothing is unknown: no index asked, none built.
    expect(ids(await first.entries(index, { knownAtMs: 2000 }))).toEqual(['d1', 'd2']);
    expect(indexed()).toBe(false);
    await first.close();
    expect(indexed()).toBe(true);

    rmSync(file);
    const second = openSqliteReadStore({ file, builtWhole: true });
    await second.commit(batch(1, 'd1'));
    await second.commit(batch(2, 'd2'));
    // Built inside the group the writer holds open: other connections see it with the group.
    expect(ids(await second.entries(index, { knownAtMs: 1500 }))).toEqual(['d1']);
    await second.commit(batch(3, 'd3'));
    expect(ids(await second.entries(index, { knownAtMs: 2500 }))).toEqual(['d1', 'd2']);
    await second.close();

    // A file without it (a build stopped short, put in place by hand) gets it from the first process that serves it.
    const db = new Database(file);
    db.exec('DROP INDEX entries_by_earliest_added');
    db.close();
    const serving = open();
    expect(indexed()).toBe(true);
    expect(ids(await serving.entries(index, { knownAtMs: 1500 }))).toEqual(['d1']);
  });

  it('reads the versions of many ids at once, in the order asked, without the missing ones', async () => {
    const store = open();
    const ids = Array.from({ length: 1500 }, (_, n) => `d${n}`);
    await store.commit({
      ...emptyBatch(3),
      versions: ids
        .filter((_, n) => n % 3 !== 0)
        .flatMap((id) =>
          [2, 1].map((n) => ({
            kind: 'development' as const,
            id,
            version: { position: at(n), recordedAtMs: n * 1000, state: { id, n } },
          })),
        ),
    });
    const asked = [...ids].reverse();
    const found = await store.versions('development', [...asked, 'd1', 'nobody']);
    expect([...found.keys()]).toEqual(asked.filter((id) => Number(id.slice(1)) % 3 !== 0));
    expect(found.get('d1')!.map((version) => version.state)).toEqual([
      { id: 'd1', n: 1 },
      { id: 'd1', n: 2 },
    ]);
    expect(await store.versions('actor', ids)).toEqual(new Map());
  });

  it('empties a file of an older schema (the projector rebuilds it), and refuses one of a newer', async () => {
    const store = open();
    await store.commit(fullBatch(2));
    await store.close();
    stores = [];
    const setVersion = (version: number) => {
      const db = new Database(file);
      db.pragma(`user_version = ${version}`);
      db.close();
    };
    setVersion(99);
    expect(() => openSqliteReadStore({ file })).toThrow(/newer version/);
    setVersion(0);
    const reopened = open();
    expect(await reopened.checkpoint()).toBeNull();
    expect(await reopened.versions('development', ['d1'])).toEqual(new Map());
    await reopened.commit(fullBatch(1));
    expect((await reopened.checkpoint())!.position).toEqual(at(1));
  });

  it('empties a file of schema 8, whose snapshots keep a form this server no longer reads', async () => {
    const store = open();
    await store.commit(fullBatch(2));
    await store.close();
    stores = [];
    const db = new Database(file);
    db.pragma('user_version = 8');
    db.close();
    const reopened = open();
    expect(await reopened.checkpoint()).toBeNull();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(11);
    check.close();
  });

  /** The file as a server of schema 10 or before left it: every version's state the record codec's JSON. */
  const withJsonVersions = (version: number) => {
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    const rows = db
      .prepare('SELECT kind, id, position_commit, position_prepare, recorded_at, state FROM versions')
      .all();
    const update = db.prepare(
      'UPDATE versions SET state = ? WHERE kind = ? AND id = ? AND position_commit = ? AND position_prepare = ?',
    );
    for (const row of rows as {
      kind: bigint;
      id: string;
      position_commit: bigint;
      position_prepare: bigint;
      recorded_at: bigint;
      state: string;
    }[]) {
      const header = { id: row.id, position: at(Number(row.position_commit)), recordedAtMs: Number(row.recorded_at) };
      update.run(
        encodeRecord(decodeStateText(row.state, header)),
        row.kind,
        row.id,
        row.position_commit,
        row.position_prepare,
      );
    }
    db.pragma(`user_version = ${version}`);
    return db;
  };

  it('upgrades a file of schema 10 in place: every version rewritten as state text, the rest as it was', async () => {
    const store = open();
    const development = {
      id: 'd2',
      title: 'A summit proposed',
      occurredAt: '2025-10-16T00:00:00.000Z',
      recordedAt: new Date(3000),
      recordPosition: at(3),
      revision: 0,
      status: 'REPORTED',
      verifications: [],
      corrections: [],
      retracted: false,
    };
    // More versions than one chunk of the conversion reads.
    const many = Array.from({ length: 12_000 }, (_, n) => ({
      kind: 'actor' as const,
      id: `a${n}`,
      version: { position: at(3), recordedAtMs: 3000, state: { id: `a${n}`, name: `Actor ${n}`, since: new Date(n) } },
    }));
    await store.commit(fullBatch(2));
    await store.commit({
      ...emptyBatch(3),
      versions: [
        { kind: 'development', id: 'd2', version: { position: at(3), recordedAtMs: 3000, state: development } },
        ...many,
      ],
    });
    const before = await everything(store);
    const actorIds = many.map(({ id }) => id);
    const actorsBefore = await store.versions('actor', actorIds);
    const d2Before = await store.versions('development', ['d2']);
    await store.close();
    stores = [];
    const json = withJsonVersions(10);
    const stateOfD2 = () => json.prepare("SELECT state FROM versions WHERE id = 'd2'").pluck().get() as string;
    expect(JSON.parse(stateOfD2())).toMatchObject({ id: 'd2', status: 'REPORTED' });
    const jsonLength = stateOfD2().length;
    json.close();

    const reopened = open();
    expect(await everything(reopened)).toEqual(before);
    expect(await reopened.versions('actor', actorIds)).toEqual(actorsBefore);
    expect(await reopened.versions('development', ['d2'])).toEqual(d2Before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(11);
    const text = check.prepare("SELECT state FROM versions WHERE id = 'd2'").pluck().get() as string;
    // What the row says already (the id, the position, the time and the end of a first recording) is left out.
    expect(text.length).toBeLessThan(jsonLength / 2);
    expect(text).not.toContain('REPORTED');
    // Every row past the conversion's first chunks too: none holds its own id any more.
    expect(check.prepare(`SELECT count(*) FROM versions WHERE instr(state, '"id":') > 0`).pluck().get()).toBe(0);
    check.close();
  });

  it("upgrades a file of schema 9 in place: its rows stay, only the changes' index is built anew", async () => {
    const store = open();
    const changes = { kind: 'changes' as const, id: 'a' };
    const batch = { ...fullBatch(2), entries: [{ index: changes, entry: entry('d1', 100, 1, 2) }] };
    await store.commit(batch);
    const since = { knownAtMs: Infinity, addedAfter: at(1) };
    const before = await store.entries(changes, since);
    expect(before).toHaveLength(1);
    await store.close();
    stores = [];
    // Schema 9 as it was: the changes indexed by when they came alone.
    const db = new Database(file);
    db.exec(`DROP INDEX entries_by_bucket;
      CREATE INDEX entries_by_added ON entries (kind, id, added_commit, added_prepare, occurred_at, record_commit,
        record_prepare, development_id, added_at, earliest_added_from, share) WHERE kind = 6`);
    db.close();
    const versionsBefore = await everything(open());
    await stores.pop()!.close();
    withJsonVersions(9).close();
    const reopened = open();
    expect(await reopened.checkpoint()).toEqual(batch.checkpoint);
    expect(await reopened.entries(changes, since)).toEqual(before);
    expect(await everything(reopened)).toEqual(versionsBefore);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(11);
    const indexes = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    expect(indexes).toContain('entries_by_bucket');
    expect(indexes).not.toContain('entries_by_added');
    check.close();
  });

  it('does not open a database of something else', async () => {
    const db = new Database(file);
    db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY)');
    db.close();
    expect(() => openSqliteReadStore({ file })).toThrow(/something else/);
  });
});
