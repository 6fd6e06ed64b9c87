import { copyFileSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerActor } from '../support/live-fixtures.js';
import {
  FAULT_ACTORS,
  FAULT_TOPIC,
  LOG_FILE,
  faultDevelopment,
  integrityCheck,
  removeDir,
  sendDevelopment,
  sha256,
  startTimelineOn,
  tempDir,
} from './fault-support.js';
import { openTopic } from '../support/live-fixtures.js';

/**
 * Fault (c): the data directory holds a timeline.db that is not a log of ours. The server must refuse to start with
 * a message naming the file and what is wrong with it, and leave the file byte for byte as it was: no pragma, no
 * migration, no checkpoint may touch someone else's database or a damaged copy.
 */

let root: string;
/** A real log, closed cleanly (so the whole of it is in the file): what the truncated copy is cut from. */
let realLog: string;

/** A data directory holding `timeline.db` as `write` makes it. */
const dataDirWith = (name: string, write: (file: string) => void): { dir: string; file: string } => {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const file = path.join(dir, LOG_FILE);
  write(file);
  return { dir, file };
};

/** Starts the server on `dir`: it must refuse with a message matching `reason`, and change nothing in the file. */
const expectRefusal = async (dir: string, file: string, reason: RegExp): Promise<Error> => {
  const hash = sha256(file);
  const size = statSync(file).size;
  const error = await startTimelineOn(dir).then(
    () => {
      throw new Error(`the server started on ${file}`);
    },
    (refusal: unknown) => refusal as Error,
  );
  expect(error.message).toContain(file);
  expect(error.message).toMatch(reason);
  expect(error.message).toContain('nothing in it was changed');
  expect(sha256(file)).toBe(hash);
  expect(statSync(file).size).toBe(size);
  return error;
};

beforeAll(async () => {
  root = tempDir('foreign');
  const source = path.join(root, 'source');
  const timeline = await startTimelineOn(source);
  try {
    const url = timeline.http.url;
    for (const actor of FAULT_ACTORS) await registerActor(url, actor);
    await openTopic(url, FAULT_TOPIC);
    for (let i = 0; i < 60; i++) {
      const response = await sendDevelopment(url, faultDevelopment(`foreign-source-${i}`, 2000, i));
      expect(response.errors).toBeUndefined();
    }
  } finally {
    await timeline.close();
  }
  realLog = path.join(source, LOG_FILE);
  expect(readdirSync(source)).not.toContain(`${LOG_FILE}-wal`);
});

afterAll(() => removeDir(root));

describe('a data directory holding a timeline.db that is not a log of ours', () => {
  it('random bytes: "is not an SQLite database"', async () => {
    const { dir, file } = dataDirWith('random', (file) => {
      // Bytes that are not a database however they fall (they cannot begin with SQLite's 16-byte magic).
      const bytes = Buffer.alloc(64 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
      writeFileSync(file, bytes);
    });
    await expectRefusal(dir, file, /is not an SQLite database/);
    expect(readdirSync(dir)).toEqual([LOG_FILE]);
  });

  it("another application's SQLite database: refused before any pragma or migration touches it", async () => {
    const { dir, file } = dataDirWith('foreign', (file) => {
      const db = new Database(file);
      db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers, total REAL);
        CREATE INDEX orders_by_customer ON orders (customer_id);
        INSERT INTO customers (name) VALUES ('Ada'), ('Grace');
        INSERT INTO orders (customer_id, total) VALUES (1, 12.5), (2, 99);`);
      db.close();
    });
    await expectRefusal(dir, file, /is not an event log of this server: .*customers, orders, orders_by_customer/);
    // Still the other application's: no table of ours, still in its rollback journal mode.
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual([
      'customers',
      'orders',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
    expect(readdirSync(dir)).toEqual([LOG_FILE]);
  });

  it("another application's database with a schema_migrations table of its own (a Rails-like one)", async () => {
    const { dir, file } = dataDirWith('rails', (file) => {
      const db = new Database(file);
      db.exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
        INSERT INTO schema_migrations VALUES ('20240101000000');
        CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT);`);
      db.close();
    });
    await expectRefusal(dir, file, /is not an event log of this server: .*schema_migrations has the columns version/);
  });

  it("another application's database in WAL mode, open in that application: neither it nor its WAL is touched", async () => {
    const { dir, file } = dataDirWith('foreign-wal', (file) => {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE readings (at INTEGER, value REAL)');
      db.close();
    });
    const owner = new Database(file);
    try {
      owner.pragma('wal_autocheckpoint = 0');
      const insert = owner.prepare('INSERT INTO readings VALUES (?, ?)');
      for (let i = 0; i < 100; i++) insert.run(i, i / 3);
      const wal = sha256(`${file}-wal`);
      await expectRefusal(dir, file, /is not an event log of this server: .*readings/);
      expect(sha256(`${file}-wal`)).toBe(wal);
      expect(owner.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(100);
    } finally {
      owner.close();
    }
  });

  it('a truncated copy of a real log: "is damaged"', async () => {
    const { dir, file } = dataDirWith('truncated', (file) => {
      copyFileSync(realLog, file);
      truncateSync(file, Math.floor(statSync(realLog).size / 2));
    });
    expect(statSync(realLog).size).toBeGreaterThan(100 * 1024);
    await expectRefusal(dir, file, /is damaged \(SQLite: database disk image is malformed\)/);
  });

  it('a copy of the same log, whole, starts and answers: the checks refuse only what they should', async () => {
    const { dir, file } = dataDirWith('whole', (file) => copyFileSync(realLog, file));
    const timeline = await startTimelineOn(dir, { TIMELINE_VERIFY_READS: 'true' });
    try {
      expect(timeline.services.projector.checkpoint).not.toBeNull();
    } finally {
      await timeline.close();
    }
    expect(integrityCheck(file)).toEqual(['ok']);
  });

  it('a log migrated by a newer version: refused, not rolled back or migrated', async () => {
    const { dir, file } = dataDirWith('newer', (file) => {
      copyFileSync(realLog, file);
      const db = new Database(file);
      db.prepare(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999-from-the-future.sql', 0)",
      ).run();
      db.close();
    });
    const error = await expectRefusal(
      dir,
      file,
      /was written by a newer version of this server: .*999-from-the-future/,
    );
    expect(error.message).toContain('Run that version on it');
  });
});
