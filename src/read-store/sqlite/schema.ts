import Database from 'better-sqlite3';
import { CHANGES_BUCKET_MS } from '../change-buckets.js';
import { compactVersions } from './compact-versions.js';

/**
 * The read models' own SQLite file, beside the event log (e.g. `<dataDir>/read-models.db`), never tables inside it:
 * - a rebuild drops this file whole (or clears it) and cannot touch the log;
 * - the log's file stays only the log: its backups, copies and size are the source of truth's, not derived data's;
 * - read traffic and the projector's commits take this file's locks, never the log's: appends never wait on read
 *   models, and queries never on appends.
 *
 * Everything here can always be rebuilt from the log, which is why durability is relaxed (synchronous = NORMAL) and
 * why a file of an older schema is simply emptied: its checkpoint goes with it, and the projector starts over.
 */

/** Marks the file as this server's read models ("DTRM"): a file of anything else is never changed. */
const APPLICATION_ID = 0x4454524d;
/**
 * Bumped whenever the tables below, or the form of what they hold, change; an older file is emptied and rebuilt, a
 * newer one refused. 9: snapshots keep a relation's kept contributions as text (stored-summary.ts, form 5). 10: an
 * actor's changes are indexed by 30 days of occurredAt, then by when they came (CHANGES_INDEX); a file of 9 only has
 * its index replaced (bringUpToDate). 11: a version's state is kept as state text (state-text.ts), 729 characters
 * to 298 on average at 100,000 developments; a file of 9 or 10 has its versions rewritten in place.
 */
const SCHEMA_VERSION = 11;

const BUSY_TIMEOUT_MS = 5000;
/**
 * SQLite's page cache per connection, in KiB (negative: KiB rather than pages). A process that serves keeps its own
 * cache of decoded records above it (TIMELINE_CACHE_MB) and the OS keeps the file's pages: 16 MiB answered the
 * read-side bench at 1M developments as fast as 64 did, and 48 MB less resident. A rebuild, which writes every index
 * page many times over, keeps 64.
 */
const CACHE_SIZE_KIB = { serving: -16_384, buildingWhole: -65_536 };
/**
 * Pages the WAL may hold before a commit copies them into the file (SQLite's default is 1,000: 4 MB). A batch
 * dirties a page per index it touches (hundreds of actors and meetings), so at the default nearly every commit of a
 * rebuild would also checkpoint, and wait for its fsyncs; a page written by many batches is copied once per
 * checkpoint. Committing 100,000 events in batches of 500, 16,384 pages (64 MB) rather than 1,000 took the commits
 * from about 4-5k to about 7-11k events per second, mostly by waiting for fewer fsyncs.
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_384;
/** What the WAL file is cut back to after a checkpoint, should a long read have let it grow past its usual size. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Kinds as small integers: they lead every key, and a 1-byte integer keeps keys short where text would not. */
export const KIND_CODES = {
  actor: 1,
  topic: 2,
  development: 3,
  meeting: 4,
  world: 5,
  changes: 6,
  superseded: 7,
} as const;

/**
 * An actor's changes since a snapshot was built, behind its boundary: those added after one position AND occurred by
 * one instant, a handful among tens of thousands (the busiest actor at 1M developments has 45,566 changes). Neither
 * order alone finds them: in world order a question reads every change before the boundary, and by when they came
 * (schema 9) every change since the boundary was built, nearly all of them after it for a boundary built long ago (p90
 * 8 ms and up to 31 ms a question for that actor). So the index is by bucket of occurredAt (30 days, truncated toward
 * zero as SQLite divides integers), then by when they came: a question seeks, in each bucket up to its boundary's,
 * the changes since, and reads only the last bucket's few after the boundary besides (entries-query.ts). Partial: no
 * other index is asked by when entries came, and every entry written would pay for it (kind 6 is KIND_CODES.changes).
 * Covering: a lookup of the table's row for each change read made such scans seven times slower.
 */
const CHANGES_INDEX = `CREATE INDEX entries_by_bucket
  ON entries (
    kind, id, (occurred_at / ${CHANGES_BUCKET_MS}), added_commit, added_prepare,
    occurred_at, record_commit, record_prepare, development_id, added_at, earliest_added_from, share
  ) WHERE kind = 6;`;

/**
 * Where earliest_added_from first passes a knownAt: the end of every scan at a knownAt before the checkpoint's
 * (entries-query.ts). A file built whole gets it when its writer closes it (sqlite-read-store.ts): every entry written
 * paid for a second key in another order, and built from the finished table in one sort it costs a sixth of that
 * (at 1M developments, 4.8M entries inserted in a rebuild's order in 68 s with it, 38 s without, and 4.6 s to build).
 * A file that lacks it (a rebuild stopped short, or this code meeting a file built without) gets it when opened.
 */
const EARLIEST_INDEX = `CREATE INDEX IF NOT EXISTS entries_by_earliest_added
  ON entries (kind, id, earliest_added_from, occurred_at, record_commit, record_prepare);`;

export const createEarliestIndex = (db: Database.Database): void => {
  db.exec(EARLIEST_INDEX);
};

/** A file built whole, made ready to serve: its last index, and everything on disk before it is put in place. */
export const finishWholeBuild = (db: Database.Database): void => {
  createEarliestIndex(db);
  db.pragma('synchronous = NORMAL');
  // In WAL mode, a checkpoint at NORMAL syncs the WAL, copies it into the file and syncs the file.
  db.pragma('wal_checkpoint(TRUNCATE)');
};

/**
 * Positions are two INTEGER columns (commit, prepare), compared as row values: SQLite keeps a 64-bit integer in at
 * most 8 bytes and compares it without collation, where the 32-byte hex text of encodePosition would more than
 * double every key. They are bound as bigints and read back as bigints (defaultSafeIntegers), so nothing is lost
 * past 2^53; they must fit in a signed 64-bit integer, as KurrentDB's and the embedded log's do.
 *
 * Times are INTEGER milliseconds. The natural key is the primary key (WITHOUT ROWID), so a scan of one entity's rows
 * reads adjacent pages; snapshots keep a rowid because their states are large, and WITHOUT ROWID suits small rows only.
 */
const TABLES = `
CREATE TABLE checkpoint (
  only INTEGER PRIMARY KEY CHECK (only = 1),
  position_commit INTEGER NOT NULL,
  position_prepare INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL
);

CREATE TABLE versions (
  kind INTEGER NOT NULL,
  id TEXT NOT NULL,
  position_commit INTEGER NOT NULL,
  position_prepare INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (kind, id, position_commit, position_prepare)
) WITHOUT ROWID;

CREATE TABLE entries (
  kind INTEGER NOT NULL,
  id TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  record_commit INTEGER NOT NULL,
  record_prepare INTEGER NOT NULL,
  development_id TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  added_commit INTEGER NOT NULL,
  added_prepare INTEGER NOT NULL,
  earliest_added_from INTEGER NOT NULL,
  -- An actor entry's share (IndexEntry.share); NULL in every other index.
  share TEXT,
  PRIMARY KEY (kind, id, occurred_at, record_commit, record_prepare)
) WITHOUT ROWID;

${CHANGES_INDEX}
CREATE TABLE snapshots (
  actor_id TEXT NOT NULL,
  boundary_occurred_at INTEGER NOT NULL,
  boundary_record_commit INTEGER NOT NULL,
  boundary_record_prepare INTEGER NOT NULL,
  built_commit INTEGER NOT NULL,
  built_prepare INTEGER NOT NULL,
  boundary_development_id TEXT NOT NULL,
  boundary_added_at INTEGER NOT NULL,
  boundary_added_commit INTEGER NOT NULL,
  boundary_added_prepare INTEGER NOT NULL,
  boundary_earliest_added_from INTEGER NOT NULL,
  built_at INTEGER NOT NULL,
  -- Compressed (read-store/snapshot-codec.ts).
  state BLOB NOT NULL,
  -- Names a snapshot, and lists an actor's by boundary, then by when it was built.
  UNIQUE (actor_id, boundary_occurred_at, boundary_record_commit, boundary_record_prepare, built_commit, built_prepare)
);

-- An actor's snapshot list without their states: read by one scan of this index. Through the table, each row was a
-- seek among pages of compressed states: 195 ms for the 5,801 snapshots of the busiest actor at 1M developments.
CREATE INDEX snapshot_metas ON snapshots (actor_id, boundary_occurred_at, boundary_record_commit,
  boundary_record_prepare, built_commit, built_prepare, boundary_development_id, boundary_added_at, boundary_added_commit,
  boundary_added_prepare, boundary_earliest_added_from, built_at);

CREATE TABLE subtopics (
  parent_id TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (parent_id, id)
) WITHOUT ROWID;

CREATE TABLE clock (
  recorded_at INTEGER NOT NULL,
  position_commit INTEGER NOT NULL,
  position_prepare INTEGER NOT NULL,
  PRIMARY KEY (recorded_at, position_commit, position_prepare)
) WITHOUT ROWID;
`;

const pragma = (db: Database.Database, name: string): number => Number(db.pragma(name, { simple: true }));

const userTables = (db: Database.Database): string[] =>
  db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")
    .pluck()
    .all();

/** Creates the tables, or empties a file of an older schema; run in a write transaction. */
const bringUpToDate = (db: Database.Database, file: string): void => {
  const version = pragma(db, 'user_version');
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the read models ${file} were written by a newer version of this server (schema ${version}); nothing in ` +
        'them was changed. Run that version, or remove the file (it is rebuilt from the event log)',
    );
  }
  if (version === 9 || version === 10) {
    // The rows stand; what differs is built anew from them, no refold: the changes' index of schema 9 (12 s at 1M
    // developments), the versions' form of both.
    if (version === 9) db.exec(`DROP INDEX IF EXISTS entries_by_added; ${CHANGES_INDEX}`);
    compactVersions(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return;
  }
  // Derived data of an older schema: dropped, and rebuilt from the log from its start.
  for (const table of userTables(db)) db.exec(`DROP TABLE "${table}"`);
  db.exec(TABLES);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
};

/** Opens (or makes) the read models' file, ready to use: tables there, and every integer read as a bigint. */
export const openReadModelDatabase = (file: string, { buildingWhole = false } = {}): Database.Database => {
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`cannot open the read models ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    // Before any pragma writes to it: a database of something else (a wrong path, the event log) is left alone.
    if (pragma(db, 'application_id') !== APPLICATION_ID && userTables(db).length > 0) {
      throw new Error(
        `${file} is an SQLite database of something else, not read models of this server; nothing in it was ` +
          'changed. Point the read models at a file of their own',
      );
    }
    // WAL: readers (queries, other processes) never wait for the projector's commits, nor it for them.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode may lose the last commits on power loss, never corrupt the file: a lost commit only moves
    // the checkpoint back, and the projector writes those events again from the log. A file built whole is nobody's
    // until done: no fsync at all until then (finishWholeBuild), as a rebuild stopped short is thrown away anyway
    // (4.8M entries inserted in a rebuild's order in 33 s with NORMAL, 23.5 with OFF).
    db.pragma(`synchronous = ${buildingWhole ? 'OFF' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`cache_size = ${buildingWhole ? CACHE_SIZE_KIB.buildingWhole : CACHE_SIZE_KIB.serving}`);
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    db.defaultSafeIntegers(true);
    // IMMEDIATE: two processes opening a new file at once create the tables once.
    db.transaction(() => {
      bringUpToDate(db, file);
      if (!buildingWhole) createEarliestIndex(db);
    }).immediate();
    return db;
  } catch (error) {
    db.close();
    if (!(error instanceof Database.SqliteError)) throw error;
    throw new Error(`cannot open the read models ${file} (${error.code}: ${error.message})`, { cause: error });
  }
};
