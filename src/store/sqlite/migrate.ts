import { readdirSync, readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';

const MIGRATIONS_FOLDER = new URL('../../../migrations/sqlite/', import.meta.url);

/** `001-event-log.sql` → 1. Files that do not follow the pattern are not migrations (e.g. a README). */
const MIGRATION_FILE = /^(\d+)-[\w.-]+\.sql$/;

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const listMigrations = (folder: URL): Migration[] => {
  const migrations = readdirSync(folder).flatMap((name) => {
    const match = MIGRATION_FILE.exec(name);
    return match ? [{ version: Number(match[1]), name, sql: readFileSync(new URL(name, folder), 'utf8') }] : [];
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    const [previous, current] = [migrations[i - 1]!, migrations[i]!];
    if (previous.version === current.version) {
      throw new Error(`migrations ${previous.name} and ${current.name} have the same number`);
    }
  }
  return migrations;
};

/**
 * Applies the migrations the database has not seen yet, in number order, and returns their names.
 * Each runs in its own BEGIN IMMEDIATE transaction and is checked again inside it, so that two processes opening
 * the same new file at once apply every migration exactly once.
 */
export const migrate = (db: Database.Database, folder: URL = MIGRATIONS_FOLDER): string[] => {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const isApplied = db.prepare<[number], unknown>('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const applyOnce = db.transaction((migration: Migration): boolean => {
    if (isApplied.get(migration.version) !== undefined) return false;
    db.exec(migration.sql);
    record.run(migration.version, migration.name, Date.now());
    return true;
  });
  return listMigrations(folder)
    .filter((migration) => applyOnce.immediate(migration))
    .map((migration) => migration.name);
};
