import type Database from 'better-sqlite3';
import { isAfter, type LogPosition } from '../../../events/envelope.js';
import { encodeSnapshotState } from '../snapshot-codec.js';
import { encodeStateText } from '../state-text.js';
import { CheckpointConflictError, type ReadModelBatch, type ReadModelCheckpoint } from '../read-model-store.js';
import { INT64_MAX, entryParams, ms, positionOf, type Int } from './rows.js';
import { KIND_CODES } from './schema.js';

interface CheckpointRow {
  readonly position_commit: Int;
  readonly position_prepare: Int;
  readonly recorded_at: Int;
}

export const createReadCheckpoint = (db: Database.Database) => {
  const select = db.prepare<[], CheckpointRow>(
    'SELECT position_commit, position_prepare, recorded_at FROM checkpoint WHERE only = 1',
  );
  return (): ReadModelCheckpoint | null => {
    const row = select.get();
    return row
      ? { position: positionOf(row.position_commit, row.position_prepare), recordedAtMs: ms(row.recorded_at) }
      : null;
  };
};

/** Every position a batch holds is at or before its checkpoint's (prepare <= commit): checking that one suffices. */
const checkFits = (position: LogPosition): void => {
  if (position.commit > INT64_MAX || position.prepare > INT64_MAX) {
    throw new RangeError(`the read models keep positions in 64-bit signed integers: ${position.commit} is too large`);
  }
};

/**
 * A batch in one transaction, checkpoint last: readers (this connection or another process's) see all of it or
 * none. IMMEDIATE takes the write lock before the checkpoint is read, so two writers cannot both pass the check.
 * Rows already there are left as they are (INSERT OR IGNORE): a batch written again holds what they hold, and an
 * index place is the first development's that took it.
 */
export const createCommit = (db: Database.Database, readCheckpoint: () => ReadModelCheckpoint | null) => {
  const insertVersion = db.prepare(
    `INSERT OR IGNORE INTO versions (kind, id, position_commit, position_prepare, recorded_at, state)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertEntry = db.prepare(
    `INSERT OR IGNORE INTO entries (kind, id, occurred_at, record_commit, record_prepare, development_id, added_at,
       added_commit, added_prepare, earliest_added_from, share)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSnapshot = db.prepare(
    `INSERT OR IGNORE INTO snapshots (actor_id, boundary_occurred_at, boundary_record_commit, boundary_record_prepare,
       boundary_development_id, boundary_added_at, boundary_added_commit, boundary_added_prepare,
       boundary_earliest_added_from, built_commit, built_prepare, built_at, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSubtopic = db.prepare('INSERT OR IGNORE INTO subtopics (parent_id, id) VALUES (?, ?)');
  const insertMark = db.prepare(
    'INSERT OR IGNORE INTO clock (recorded_at, position_commit, position_prepare) VALUES (?, ?, ?)',
  );
  const writeCheckpoint = db.prepare(
    `INSERT OR REPLACE INTO checkpoint (only, position_commit, position_prepare, recorded_at) VALUES (1, ?, ?, ?)`,
  );

  const write = db.transaction((batch: ReadModelBatch) => {
    const committed = readCheckpoint();
    if (committed && !isAfter(batch.checkpoint.position, committed.position)) {
      throw new CheckpointConflictError(committed.position, batch.checkpoint.position);
    }
    checkFits(batch.checkpoint.position);
    for (const { kind, id, version } of batch.versions) {
      const { position } = version;
      const { recordedAtMs } = version;
      const state = encodeStateText(version.state, { id, position, recordedAtMs });
      insertVersion.run(KIND_CODES[kind], id, position.commit, position.prepare, recordedAtMs, state);
    }
    for (const { index, entry } of batch.entries)
      insertEntry.run(KIND_CODES[index.kind], index.id, ...entryParams(entry), entry.share ?? null);
    for (const snapshot of batch.snapshots) {
      const { boundary, builtPosition } = snapshot;
      insertSnapshot.run(
        snapshot.actorId,
        ...entryParams(boundary),
        builtPosition.commit,
        builtPosition.prepare,
        snapshot.builtAtMs,
        encodeSnapshotState(snapshot.state),
      );
    }
    for (const { parentId, id } of batch.subtopics) insertSubtopic.run(parentId, id);
    for (const { recordedAtMs, position } of batch.clock)
      insertMark.run(recordedAtMs, position.commit, position.prepare);
    const { position, recordedAtMs } = batch.checkpoint;
    writeCheckpoint.run(position.commit, position.prepare, recordedAtMs);
  });

  return (batch: ReadModelBatch): void => write.immediate(batch);
};

/**
 * How many batches a file built whole commits in one transaction. Each commit writes every page its transaction
 * dirtied, and a rebuild's batches each dirty a page of most indexes, the same pages batch after batch: committing
 * the 78 batches of a rebuild of 100,000 developments 16 at a time took their commits from 2.4-2.6 s to 0.7-0.85
 * (8 at a time: 1.2-1.4 s; 32: 0.9; all in one: 0.75, with a WAL as large as the file). The WAL holds about one
 * group's pages before they are copied into the file.
 */
export const BATCHES_PER_TRANSACTION = 16;

/**
 * For a file nobody reads until its writer closes it (a rebuild's, put in place when done): batches committed
 * `BATCHES_PER_TRANSACTION` at a time, each batch a savepoint within the group, so that one that fails leaves nothing
 * and those before it stay. Reads on this connection see every batch at once; other connections see a group when it
 * commits. `flush` commits what is pending (before the file is closed).
 */
export const groupCommits = (db: Database.Database, commit: (batch: ReadModelBatch) => void) => {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const end = db.prepare('COMMIT');
  let pending = 0;
  const flush = (): void => {
    if (db.inTransaction) end.run();
    pending = 0;
  };
  return {
    commit: (batch: ReadModelBatch): void => {
      if (!db.inTransaction) begin.run();
      commit(batch);
      if (++pending === BATCHES_PER_TRANSACTION) flush();
    },
    flush,
  };
};
