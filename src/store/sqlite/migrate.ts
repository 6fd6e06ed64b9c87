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

/** What migrate() keeps its bookkeeping in: a database that has this table (with these columns) may be ours. */
const BOOKKEEPING_COLUMNS = ['version', 'name', 'applied_at'];

/** Why a database is not one migrate() may touch: another application's, or a log of a newer version. */
export interface NotOurs {
  readonly newer: boolean;
  readonly reason: string;
}

/**
 * Why a database is not one this code may migrate, or null when it may: an empty database (a new log), or one whose
 * schema_migrations lists only migrations of this folder, under their names. Reads only: run it before anything
 * writes, so that another application's database, or a log of a newer version, is never changed.
 */
export const whyNotOurs = (db: Database.Database, folder: URL = MIGRATIONS_FOLDER): NotOurs | null => {
  const foreign = (reason: string): NotOurs => ({
    newer: false,
    reason: `it is an SQLite database of something else (${reason})`,
  });
  const objects = db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name")
    .pluck()
    .all();
  if (objects.length === 0) return null;
  if (!objects.includes('schema_migrations')) {
    const shown = objects.length > 6 ? [...objects.slice(0, 6), '…'] : objects;
    return foreign(`it holds ${shown.join(', ')}, and no schema_migrations`);
  }
  const columns = db.prepare<[], string>("SELECT name FROM pragma_table_info('schema_migrations')").pluck().all();
  if (!BOOKKEEPING_COLUMNS.every((column) => columns.includes(column))) {
    return foreign(`its schema_migrations has the columns ${columns.join(', ')}`);
  }
  const ours = new Map(listMigrations(folder).map((migration) => [migration.version, migration.name]));
  const applied = db
    .prepare<[], { version: number | bigint; name: unknown }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    )
    .all();
  for (const { version, name } of applied) {
    const known = ours.get(Number(version));
    if (known === undefined) {
      return { newer: true, reason: `its migration ${String(name)} is unknown to this version` };
    }
    if (known !== name) return foreign(`its migration ${String(version)} is ${String(name)}, not ${known}`);
  }
  return null;
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
