import type Database from 'better-sqlite3';

export const createReadLastRecordedAt = (db: Database.Database): (() => Date | null) => {
  const select = db.prepare<[], bigint>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1').pluck();
  return () => {
    const recordedAt = select.get();
    return recordedAt === undefined ? null : new Date(Number(recordedAt));
  };
};
