import type { LogPosition } from '../../../events/envelope.js';
import type { IndexEntry } from '../read-model-store.js';

/**
 * Rows as the connection gives them back: every INTEGER as a bigint (defaultSafeIntegers, for positions past 2^53),
 * a time as a number once read. A time written as a fraction comes back as a REAL, hence number | bigint.
 */
export type Int = bigint | number;

export const INT64_MAX = (1n << 63n) - 1n;

export const ms = (value: Int): number => Number(value);

export const positionOf = (commit: Int, prepare: Int): LogPosition => ({
  commit: BigInt(commit),
  prepare: BigInt(prepare),
});

/** The columns of an entry, in the order of the entries table after its (kind, id). */
export const ENTRY_COLUMNS =
  'occurred_at, record_commit, record_prepare, development_id, added_at, added_commit, added_prepare, ' +
  'earliest_added_from, share';

export const entryParams = (entry: IndexEntry): unknown[] => [
  entry.occurredAtMs,
  entry.recordPosition.commit,
  entry.recordPosition.prepare,
  entry.developmentId,
  entry.addedAtMs,
  entry.addedPosition.commit,
  entry.addedPosition.prepare,
  entry.earliestAddedFromMs,
];

/** An entry row as `raw` statements give it, in ENTRY_COLUMNS order: a scan of a busy index skips a row object each. */
export type RawEntryRow = readonly [Int, Int, Int, string, Int, Int, Int, Int, string | null];

export const entryOfRaw = (row: readonly [...RawEntryRow, ...unknown[]]): IndexEntry => ({
  developmentId: row[3],
  occurredAtMs: ms(row[0]),
  recordPosition: positionOf(row[1], row[2]),
  addedAtMs: ms(row[4]),
  addedPosition: positionOf(row[5], row[6]),
  earliestAddedFromMs: ms(row[7]),
  // Always there, undefined where there is none: one shape for every entry, and no spread to add it.
  share: row[8] ?? undefined,
});
