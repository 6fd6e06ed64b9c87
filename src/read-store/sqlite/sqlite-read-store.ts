import type { LogPosition } from '../../../events/envelope.js';
import { snapshotTextOf, stateFromText } from '../snapshot-codec.js';
import { decodeStateText } from '../state-text.js';
import type { ReadModelStore, SnapshotMeta, StoredVersion, VersionKind } from '../read-model-store.js';
import { createCommit, createReadCheckpoint, groupCommits } from './commit.js';
import { createEntriesQueries } from './entries-query.js';
import { entryOfRaw, ms, positionOf, type Int, type RawEntryRow } from './rows.js';
import { KIND_CODES, createEarliestIndex, finishWholeBuild, openReadModelDatabase } from './schema.js';

/**
 * The read-model store in an embedded SQLite file of its own, beside the event log (schema.ts says why). Several
 * processes may open the same file: one projector commits, any number read. Statements are prepared once, here and
 * in the modules each part lives in. Every read is one statement (or, for entries, one read transaction), so that it
 * reflects one checkpoint even while another process commits.
 */

interface VersionRow {
  readonly id: string;
  readonly position_commit: Int;
  readonly position_prepare: Int;
  readonly recorded_at: Int;
  readonly state: string;
}

/**
 * A snapshot's meta as the raw statement gives it: its boundary's entry (share always null), then built_commit,
 * built_prepare, built_at. Arrays, not row objects: the busiest actor at 1M developments has 5,798 snapshots, whose
 * list a process reads once (73 ms the first time and 41 after with row objects; 46 and 16 with arrays).
 */
type RawSnapshotRow = readonly [...RawEntryRow, Int, Int, Int];

const metaOf = (actorId: string, row: RawSnapshotRow): SnapshotMeta => ({
  actorId,
  boundary: entryOfRaw(row),
  builtAtMs: ms(row[11]),
  builtPosition: positionOf(row[9], row[10]),
});

const TABLES = ['checkpoint', 'versions', 'entries', 'snapshots', 'subtopics', 'clock'];

export interface SqliteReadStoreOptions {
  readonly file: string;
  /**
   * The file is built whole before anyone reads it (`timeline rebuild`'s, put in place when done): batches are
   * committed several at a time (commit.ts, groupCommits), and the last of them on close. Another connection sees
   * the batches a group at a time, never part of one.
   */
  readonly builtWhole?: boolean;
}

export const openSqliteReadStore = ({ file, builtWhole = false }: SqliteReadStoreOptions): ReadModelStore => {
  const db = openReadModelDatabase(file, { buildingWhole: builtWhole });
  const readCheckpoint = createReadCheckpoint(db);
  const each = createCommit(db, readCheckpoint);
  const { commit, flush } = builtWhole ? groupCommits(db, each) : { commit: each, flush: () => {} };
  // A file built whole gets its index of knownAt ends when done (schema.ts), or at once if a question needs it first.
  let earliestIndexed = !builtWhole;
  const indexEarliest = (): void => {
    if (earliestIndexed) return;
    createEarliestIndex(db);
    earliestIndexed = true;
  };
  const finish = (): void => {
    flush();
    if (builtWhole) finishWholeBuild(db);
  };
  const { entries, countEntries } = createEntriesQueries(db, {
    checkpointRecordedAtMs: () => readCheckpoint()?.recordedAtMs ?? null,
    beforeStop: indexEarliest,
  });

  // All the ids in one statement (a JSON array, as one parameter: no limit on how many): for 1,000 ids, a third of
  // the time of 1,000 point reads, which each pay a statement's round trip. The PK gives each id's rows in order.
  const selectVersions = db.prepare<[number, string], VersionRow>(
    `SELECT id, position_commit, position_prepare, recorded_at, state FROM versions
     WHERE kind = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id, position_commit, position_prepare`,
  );
  const readVersions = (kind: VersionKind, ids: readonly string[]): Map<string, StoredVersion[]> => {
    const byId = new Map<string, StoredVersion[]>();
    for (const row of selectVersions.iterate(KIND_CODES[kind], JSON.stringify(ids))) {
      let list = byId.get(row.id);
      if (!list) byId.set(row.id, (list = []));
      const header = {
        id: row.id,
        position: positionOf(row.position_commit, row.position_prepare),
        recordedAtMs: ms(row.recorded_at),
      };
      list.push({
        position: header.position,
        recordedAtMs: header.recordedAtMs,
        state: decodeStateText(row.state, header),
      });
    }
    // In the order asked for, as the reference adapter answers.
    const found = new Map<string, StoredVersion[]>();
    for (const id of ids) {
      const list = byId.get(id);
      if (list) found.set(id, list);
    }
    return found;
  };

  // Every row of an entity lies under its (kind, id) prefix: DISTINCT reads that prefix in order.
  const selectVersionIds = db.prepare<[number], string>('SELECT DISTINCT id FROM versions WHERE kind = ?').pluck();
  const selectIndexIds = db.prepare<[number], string>('SELECT DISTINCT id FROM entries WHERE kind = ?').pluck();

  const selectMetas = db
    .prepare<[string], RawSnapshotRow>(
      `SELECT boundary_occurred_at, boundary_record_commit, boundary_record_prepare, boundary_development_id,
         boundary_added_at, boundary_added_commit, boundary_added_prepare, boundary_earliest_added_from, NULL,
         built_commit, built_prepare, built_at
       FROM snapshots WHERE actor_id = ?
       ORDER BY boundary_occurred_at, boundary_record_commit, boundary_record_prepare, built_commit, built_prepare`,
    )
    .raw(true);
  const selectSnapshotState = db
    .prepare<unknown[], Buffer>(
      `SELECT state FROM snapshots WHERE actor_id = ? AND boundary_occurred_at = ? AND boundary_record_commit = ?
         AND boundary_record_prepare = ? AND built_commit = ? AND built_prepare = ?`,
    )
    .pluck();

  const selectSubtopics = db.prepare<[string], string>('SELECT id FROM subtopics WHERE parent_id = ?').pluck();
  // recordedAt never decreases along the log: the last mark before a time, in time order, is the greatest position.
  const selectMarkBefore = db.prepare<[number], { position_commit: Int; position_prepare: Int }>(
    `SELECT position_commit, position_prepare FROM clock WHERE recorded_at < ?
     ORDER BY recorded_at DESC, position_commit DESC, position_prepare DESC LIMIT 1`,
  );

  const clear = db.transaction(() => {
    for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
  });

  const snapshotText = async ({ actorId, boundary, builtPosition }: SnapshotMeta): Promise<string | undefined> => {
    const { occurredAtMs, recordPosition } = boundary;
    const state = selectSnapshotState.get(
      actorId,
      occurredAtMs,
      recordPosition.commit,
      recordPosition.prepare,
      builtPosition.commit,
      builtPosition.prepare,
    );
    return state === undefined ? undefined : snapshotTextOf(state);
  };

  return {
    checkpoint: async () => readCheckpoint(),
    versions: async (kind, ids) => readVersions(kind, ids),
    ids: async (kind) =>
      kind === 'meeting' ? selectIndexIds.all(KIND_CODES.meeting) : selectVersionIds.all(KIND_CODES[kind]),
    entries: async (index, query) => entries(index, query),
    countEntries: async (index, query = {}) => countEntries(index, query),
    snapshotMetas: async (actorId) => selectMetas.all(actorId).map((row) => metaOf(actorId, row)),
    snapshotText,
    snapshotState: stateFromText(snapshotText),
    subtopicIds: async (parentId) => selectSubtopics.all(parentId),
    positionRecordedBefore: async (timeMs): Promise<LogPosition | null> => {
      const row = selectMarkBefore.get(timeMs);
      return row ? positionOf(row.position_commit, row.position_prepare) : null;
    },
    commit: async (batch) => commit(batch),
    clear: async () => clear(),
    close: async () => {
      try {
        finish();
      } finally {
        db.close();
      }
    },
  };
};
