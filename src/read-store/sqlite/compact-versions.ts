import type Database from 'better-sqlite3';
import { decodeRecord } from '../record-codec.js';
import { encodeStateText } from '../state-text.js';
import { ms, positionOf, type Int } from './rows.js';

/** Rows per read of the conversion: the statement reads on while nothing else runs on the connection. */
const CHUNK = 5_000;

type VersionRow = readonly [kind: Int, id: string, commit: Int, prepare: Int, recordedAt: Int, state: string];

/**
 * Rewrites every version of a file of schema 9 or 10, whose states are the record codec's JSON, in the state text
 * of schema 11 (state-text.ts): the rows stay where they are, and no refold is needed. At 1M developments this took
 * 75 s where a rebuild takes six minutes. It runs in the transaction that opens the file: another process opening
 * it meanwhile fails after the busy timeout with "cannot open the read models", as during any upgrade at start. The
 * file keeps its size until a VACUUM, new pages filling the space freed.
 */
export const compactVersions = (db: Database.Database): number => {
  const next = db
    .prepare<[Int, string, Int, Int], VersionRow>(
      `SELECT kind, id, position_commit, position_prepare, recorded_at, state FROM versions
       WHERE (kind, id, position_commit, position_prepare) > (?, ?, ?, ?)
       ORDER BY kind, id, position_commit, position_prepare LIMIT ${CHUNK}`,
    )
    .raw(true);
  const update = db.prepare<[string, Int, string, Int, Int]>(
    'UPDATE versions SET state = ? WHERE kind = ? AND id = ? AND position_commit = ? AND position_prepare = ?',
  );
  let after: [Int, string, Int, Int] = [-1n, '', -1n, -1n];
  let converted = 0;
  for (;;) {
    const rows = next.all(...after);
    for (const [kind, id, commit, prepare, recordedAt, state] of rows) {
      const header = { id, position: positionOf(commit, prepare), recordedAtMs: ms(recordedAt) };
      update.run(encodeStateText(decodeRecord(state), header), kind, id, commit, prepare);
    }
    converted += rows.length;
    if (rows.length < CHUNK) return converted;
    const [kind, id, commit, prepare] = rows.at(-1)!;
    after = [kind, id, commit, prepare];
  }
};
