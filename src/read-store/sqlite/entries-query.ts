import type Database from 'better-sqlite3';
import { comparePositions, type LogPosition } from '../../../events/envelope.js';
import type { CountQuery, EntriesQuery, IndexEntry, IndexRef, Place } from '../read-model-store.js';
import { ENTRY_COLUMNS, INT64_MAX, entryOfRaw, ms, positionOf, type Int, type RawEntryRow } from './rows.js';
import { CHANGES_BUCKET_MS } from '../change-buckets.js';
import { KIND_CODES } from './schema.js';

/**
 * Entries queries as bounded range scans of the entries key (kind, id, occurred_at, record_commit, record_prepare):
 * the scan starts at `after` (or ends at the tightest upper bound when descending) and stops after `limit` rows,
 * so its cost follows what it returns, not the size of the index.
 *
 * The upper bound is the tightest of `through`, `occurredByMs` and, for a knownAt in the past, the first entry whose
 * earliestAddedFromMs passes it: that never decreases along world order, so no entry from there on was known then.
 * It is worked out here rather than left to SQLite as three constraints, because SQLite bounds a scan by one of
 * them only and filters by the others: a descending scan bounded by the loosest would read every unknown entry.
 * `addedAtMs <= knownAtMs` and `addedAfter` stay filters: neither follows world order.
 */

/** An upper bound in world order; an occurredByMs is the place after every position at that instant. */
interface Bound {
  readonly occurredAtMs: number;
  readonly commit: bigint;
  readonly prepare: bigint;
  readonly inclusive: boolean;
}

const compareBounds = (a: Bound, b: Bound): number =>
  a.occurredAtMs - b.occurredAtMs ||
  comparePositions({ commit: a.commit, prepare: a.prepare }, { commit: b.commit, prepare: b.prepare }) ||
  // At the same place, "before it" is tighter than "up to it".
  Number(a.inclusive) - Number(b.inclusive);

const tightest = (bounds: readonly (Bound | null)[]): Bound | null =>
  bounds.reduce<Bound | null>(
    (best, bound) => (bound && (!best || compareBounds(bound, best) < 0) ? bound : best),
    null,
  );

const PLACE = '(occurred_at, record_commit, record_prepare)';

const placeParams = ({ occurredAtMs, recordPosition }: Place): unknown[] => [
  occurredAtMs,
  recordPosition.commit,
  recordPosition.prepare,
];

/** What changes the SQL of a query: each shape is prepared once. */
interface Shape {
  readonly after: boolean;
  readonly upper: 'none' | 'inclusive' | 'exclusive';
  readonly knownAt: boolean;
  readonly addedAfter: boolean;
  /** The changes index: only its entries are indexed by when they were added (schema.ts). */
  readonly changes: boolean;
  readonly descending: boolean;
}

const shapeKey = (shape: Shape): string =>
  `${+shape.after}${shape.upper[0]}${+shape.knownAt}${+shape.addedAfter}${+shape.changes}${+shape.descending}`;

/** A bucket of occurredAt as the changes' index keys it (schema.ts): SQLite's integer division truncates toward 0. */
const BUCKET = `(occurred_at / ${CHANGES_BUCKET_MS})`;
const CHANGES_BY_BUCKET = `entries INDEXED BY entries_by_bucket`;
const bucketOf = (occurredAtMs: number): number => Math.trunc(occurredAtMs / CHANGES_BUCKET_MS);
/** Past every bucket: a scan with no upper bound visits them all. */
const NO_LAST_BUCKET = Number.MAX_SAFE_INTEGER;

/**
 * An actor's changes added after a position, as rows of the changes' index: for each bucket of occurredAt the actor
 * has, up to the last one asked for (one seek each, a recursive CTE walking the distinct buckets as a skip scan
 * would), the changes added since (a range of the index). CROSS JOIN keeps the buckets outside: joined the other way,
 * SQLite read every change of the actor. Parameters: leadingParams.
 */
const changesSince = (columns: string): string =>
  `WITH RECURSIVE buckets(b) AS (
     SELECT (SELECT ${BUCKET} FROM ${CHANGES_BY_BUCKET} WHERE kind = ${KIND_CODES.changes} AND id = ?
             ORDER BY ${BUCKET} LIMIT 1)
     UNION ALL
     SELECT (SELECT ${BUCKET} FROM ${CHANGES_BY_BUCKET} WHERE kind = ${KIND_CODES.changes} AND id = ? AND ${BUCKET} > b
             ORDER BY ${BUCKET} LIMIT 1)
     FROM buckets WHERE b IS NOT NULL AND b < ?
   )
   SELECT ${columns} FROM buckets CROSS JOIN ${CHANGES_BY_BUCKET}
   ON kind = ${KIND_CODES.changes} AND id = ? AND ${BUCKET} = b AND (added_commit, added_prepare) > (?, ?)`;

/**
 * The rows of an index that pass `filters`: for an actor's changes added after a position, those of changesSince;
 * otherwise a range of the entries key.
 */
const selectEntries = (columns: string, bySince: boolean, filters: readonly string[]): string =>
  bySince
    ? changesSince(columns) + filters.map((filter) => ` AND ${filter}`).join('')
    : `SELECT ${columns} FROM entries WHERE ${['kind = ?', 'id = ?', ...filters].join(' AND ')}`;

/** The params of selectEntries before those of its filters. */
const leadingParams = (index: IndexRef, addedAfter: LogPosition | undefined | null, lastBucket: number): unknown[] =>
  addedAfter && index.kind === 'changes'
    ? [index.id, index.id, lastBucket, index.id, addedAfter.commit, addedAfter.prepare]
    : [KIND_CODES[index.kind], index.id];

const entriesSql = (shape: Shape): string => {
  const bySince = shape.addedAfter && shape.changes;
  const filters: string[] = [];
  if (shape.after) filters.push(`${PLACE} > (?, ?, ?)`);
  if (shape.upper !== 'none') filters.push(`${PLACE} ${shape.upper === 'inclusive' ? '<=' : '<'} (?, ?, ?)`);
  if (shape.knownAt) filters.push('added_at <= ?');
  if (shape.addedAfter && !bySince) filters.push('(added_commit, added_prepare) > (?, ?)');
  const direction = shape.descending ? 'DESC' : 'ASC';
  // A snapshot's changes since it was built are few beside those in the place range they fall in: found by when
  // they came, bucket by bucket. Elsewhere addedAfter is a filter of the place range.
  return (
    `${selectEntries(ENTRY_COLUMNS, bySince, filters)} ` +
    `ORDER BY occurred_at ${direction}, record_commit ${direction}, record_prepare ${direction} LIMIT ?`
  );
};

export interface EntriesQueryOptions {
  /** The committed checkpoint's recordedAt, as this connection sees it (its own pending batches too). */
  readonly checkpointRecordedAtMs: () => number | null;
  /** Called before the first look for where a past knownAt stops a scan: a file built whole makes its index then. */
  readonly beforeStop?: () => void;
}

export const createEntriesQueries = (
  db: Database.Database,
  { checkpointRecordedAtMs, beforeStop }: EntriesQueryOptions,
) => {
  const statements = new Map<string, Database.Statement<unknown[], RawEntryRow>>();
  const statementFor = (shape: Shape) => {
    const key = shapeKey(shape);
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare<unknown[], RawEntryRow>(entriesSql(shape)).raw(true);
      statements.set(key, statement);
    }
    return statement;
  };

  const firstUnknown = db.prepare<
    [number, string, number],
    { occurred_at: Int; record_commit: Int; record_prepare: Int }
  >(
    `SELECT occurred_at, record_commit, record_prepare FROM entries
     WHERE kind = ? AND id = ? AND earliest_added_from > ?
     ORDER BY earliest_added_from, occurred_at, record_commit, record_prepare LIMIT 1`,
  );

  /**
   * Every entry was known by the checkpoint's recordedAt (an entry's earliestAddedFromMs is at most its own addedAtMs,
   * which its batch's checkpoint is not before): a knownAt from there on stops nothing, and most questions are about
   * now. A projector building snapshots asks at its checkpoint, so a rebuild never needs the index this reads.
   */
  const stopFor = (kind: number, id: string, knownAtMs: number): Bound | null => {
    const committedMs = checkpointRecordedAtMs();
    if (committedMs === null || knownAtMs >= committedMs) return null;
    beforeStop?.();
    const row = firstUnknown.get(kind, id, knownAtMs);
    if (!row) return null;
    const { commit, prepare } = positionOf(row.record_commit, row.record_prepare);
    return { occurredAtMs: ms(row.occurred_at), commit, prepare, inclusive: false };
  };

  const scan = (index: IndexRef, query: EntriesQuery): IndexEntry[] => {
    if (query.limit !== undefined && query.limit <= 0) return [];
    const kind = KIND_CODES[index.kind];
    const knownAt = query.knownAtMs !== Infinity;
    const upper = tightest([
      query.through
        ? { occurredAtMs: query.through.occurredAtMs, ...query.through.recordPosition, inclusive: true }
        : null,
      query.occurredByMs !== undefined && query.occurredByMs !== Infinity
        ? { occurredAtMs: query.occurredByMs, commit: INT64_MAX, prepare: INT64_MAX, inclusive: true }
        : null,
      knownAt ? stopFor(kind, index.id, query.knownAtMs) : null,
    ]);
    const shape: Shape = {
      after: query.after != null,
      upper: upper ? (upper.inclusive ? 'inclusive' : 'exclusive') : 'none',
      knownAt,
      addedAfter: query.addedAfter != null,
      changes: index.kind === 'changes',
      descending: query.descending === true,
    };
    const params = leadingParams(index, query.addedAfter, upper ? bucketOf(upper.occurredAtMs) : NO_LAST_BUCKET);
    if (query.after) params.push(...placeParams(query.after));
    if (upper) params.push(upper.occurredAtMs, upper.commit, upper.prepare);
    if (knownAt) params.push(query.knownAtMs);
    if (query.addedAfter && !shape.changes) params.push(query.addedAfter.commit, query.addedAfter.prepare);
    params.push(query.limit ?? -1);
    return statementFor(shape)
      .all(...params)
      .map(entryOfRaw);
  };

  const countStatements = new Map<string, Database.Statement<unknown[], Int>>();
  const count = (index: IndexRef, query: CountQuery): number => {
    const bySince = index.kind === 'changes' && query.addedAfter != null;
    const key = `${+(query.after != null)}${+(query.addedAfter != null)}${+bySince}`;
    let statement = countStatements.get(key);
    if (!statement) {
      const filters: string[] = [];
      if (query.after) filters.push(`${PLACE} > (?, ?, ?)`);
      if (query.addedAfter && !bySince) filters.push('(added_commit, added_prepare) > (?, ?)');
      statement = db.prepare<unknown[], Int>(selectEntries('count(*)', bySince, filters)).pluck();
      countStatements.set(key, statement);
    }
    const params = leadingParams(index, query.addedAfter, NO_LAST_BUCKET);
    if (query.after) params.push(...placeParams(query.after));
    if (query.addedAfter && !bySince) params.push(query.addedAfter.commit, query.addedAfter.prepare);
    return Number(statement.get(...params));
  };

  // The stop and the scan read one snapshot of the file, even while another connection commits between them. A scan
  // without a stop (knownAt Infinity: the projector's own lookups) is one statement, and needs no transaction.
  const scanWithStop = db.transaction(scan);
  return {
    entries: (index: IndexRef, query: EntriesQuery) =>
      query.knownAtMs === Infinity ? scan(index, query) : scanWithStop(index, query),
    countEntries: count,
  };
};
