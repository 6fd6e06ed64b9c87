import { existsSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import type { ReadModelStore } from '../../src/read-store/read-model-store.js';
import { readStoreKeys } from '../../src/read-store/redis/redis-read-keys.js';
import { KIND_CODES } from '../../src/read-store/sqlite/schema.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventRow } from '../../src/store/sqlite/event-row.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

/** What the read-side bench reads of a log, and the raw baselines it measures beside the real code. */

export interface LogFacts {
  readonly events: number;
  readonly developments: number;
  readonly corrections: number;
  readonly retractions: number;
  readonly firstRecordedMs: number;
  readonly lastRecordedMs: number;
  /** timeline.db (and a -wal left beside it, if any). */
  readonly fileBytes: number;
}

export const fileBytes = (file: string): number =>
  [file, `${file}-wal`].reduce((sum, name) => sum + (existsSync(name) ? statSync(name).size : 0), 0);

export const logFacts = (file: string): LogFacts => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const span = db
      .prepare<[], { first: number | null; last: number | null; events: number }>(
        'SELECT min(recorded_at) AS first, max(recorded_at) AS last, count(*) AS events FROM events',
      )
      .get()!;
    const count = db.prepare<[string], number>('SELECT count(*) FROM events WHERE type = ?').pluck();
    if (span.events === 0 || span.first === null || span.last === null) throw new Error(`${file} holds no events`);
    return {
      events: span.events,
      developments: count.get('DevelopmentRecorded')!,
      corrections: count.get('DevelopmentCorrected')!,
      retractions: count.get('DevelopmentRetracted')!,
      firstRecordedMs: span.first,
      lastRecordedMs: span.last,
      fileBytes: fileBytes(file),
    };
  } finally {
    db.close();
  }
};

export interface Throughput {
  readonly events: number;
  readonly elapsedMs: number;
}

export const eventsPerSecond = ({ events, elapsedMs }: Throughput): number => events / (elapsedMs / 1000);

/**
 * The rebuild's baseline: every row of the log read with raw better-sqlite3 (safe integers on, as the store
 * reads) and its data and metadata parsed, nothing else.
 */
export const rawRead = (file: string): Throughput => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    const select = db.prepare<[], EventRow>('SELECT * FROM events');
    let events = 0;
    let keys = 0;
    const started = performance.now();
    for (const row of select.iterate()) {
      const data = JSON.parse(row.data) as object;
      const metadata = JSON.parse(row.metadata) as object;
      keys += Object.keys(data).length + Object.keys(metadata).length;
      events++;
    }
    const elapsedMs = performance.now() - started;
    if (keys === 0) throw new Error('the log parsed to nothing');
    return { events, elapsedMs };
  } finally {
    db.close();
  }
};

/** rebuildReadModels over the log (the catalog store, as the server opens it) into `target`, timed. */
export const timedRebuild = async (
  file: string,
  target: ReadModelStore,
  onApplied: (applied: number) => void,
): Promise<Throughput> => {
  const log = withEventCatalog(openSqliteEventStore({ file }));
  try {
    const started = performance.now();
    const events = await rebuildReadModels(log, target, { onPage: onApplied });
    return { events, elapsedMs: performance.now() - started };
  } finally {
    await log.close();
  }
};

/**
 * The embedded query's baseline: for each actor, one raw SELECT of its version rows from read-models.db (the
 * statement the SQLite read store prepares), undecoded; milliseconds per read, after `warmUp` untimed reads.
 */
export const rawSqlitePointReads = (file: string, ids: readonly string[], warmUp: readonly string[]): number[] => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    const select = db.prepare<[number, string], unknown>(
      `SELECT position_commit, position_prepare, recorded_at, state FROM versions
       WHERE kind = ? AND id = ? ORDER BY position_commit, position_prepare`,
    );
    let rows = 0;
    for (const id of warmUp) rows += select.all(KIND_CODES.actor, id).length;
    const timings = ids.map((id) => {
      const started = performance.now();
      rows += select.all(KIND_CODES.actor, id).length;
      return performance.now() - started;
    });
    if (rows === 0) throw new Error(`${file} holds no actor versions`);
    return timings;
  } finally {
    db.close();
  }
};

/** The serve query's baseline: one raw GET of the actor's versions key in the Redis read models, per actor. */
export const rawRedisPointReads = async (
  redis: Redis,
  prefix: string,
  version: number,
  ids: readonly string[],
  warmUp: readonly string[],
): Promise<number[]> => {
  const keys = readStoreKeys(prefix, version);
  let found = 0;
  for (const id of warmUp) found += (await redis.getBuffer(keys.versions('actor', id))) ? 1 : 0;
  const timings: number[] = [];
  for (const id of ids) {
    const started = performance.now();
    found += (await redis.getBuffer(keys.versions('actor', id))) ? 1 : 0;
    timings.push(performance.now() - started);
  }
  if (found === 0) throw new Error(`no actor versions under ${keys.base} in Redis`);
  return timings;
};
