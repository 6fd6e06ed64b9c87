import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pTimeout from 'p-timeout';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEvent } from '../../events/envelope.js';
import type { EventStore, LogSubscription } from '../../src/store/event-store.js';
import { createChangeNotifier } from '../../src/store/sqlite/change-notifier.js';
import { createReadHeadPosition } from '../../src/store/sqlite/head-position.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { openDatabase } from '../../src/store/sqlite/open-database.js';
import { createReadAllPage, type ReadAllPage } from '../../src/store/sqlite/read-all.js';
import { createSubscriptions, SUBSCRIPTION_PAGE_SIZE } from '../../src/store/sqlite/subscribe-to-all.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { describeEventStoreConformance } from './event-store.conformance.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE_MODULE = new URL('../../src/store/sqlite/sqlite-event-store.ts', import.meta.url).href;
const MIGRATION_FILES = readdirSync(new URL('../../migrations/sqlite/', import.meta.url)).filter((name) =>
  /^\d+-.*\.sql$/.test(name),
);

const makeTempDir = (): string => mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));

const testEvent = (data: unknown = {}): NewEvent => ({
  id: randomUUID(),
  type: 'SqliteTestEvent',
  data,
  metadata: { keyName: 'sqlite-test', correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1 },
});

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  pTimeout(promise, { milliseconds: ms, message: `${what}: still waiting after ${ms} ms` });

describeEventStoreConformance('SQLite', async () => {
  const dir = makeTempDir();
  const store = openSqliteEventStore({ file: join(dir, 'events.db') });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite event store', () => {
  let dir: string;
  let file: string;
  let toClose: { close(): unknown }[];

  const open = (): EventStore => {
    const store = openSqliteEventStore({ file });
    toClose.push(store);
    return store;
  };

  const openRaw = (): Database.Database => {
    const db = new Database(file);
    toClose.push(db);
    return db;
  };

  beforeEach(() => {
    dir = makeTempDir();
    file = join(dir, 'events.db');
    toClose = [];
  });

  afterEach(async () => {
    // Subscriptions first, then stores and connections: the reverse of opening.
    for (const resource of toClose.reverse()) await resource.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts empty', async () => {
    const store = open();
    expect(await store.headPosition()).toBeNull();
    expect(await store.readAll({ maxCount: 10 })).toEqual([]);
  });

  it('applies each migration once, and a reopened file keeps its events', async () => {
    const first = open();
    const event = testEvent({ kept: true });
    const { position } = await first.appendToStream('kept-stream', [event]);
    await first.close();

    const again = open();
    expect(await again.readStream('kept-stream')).toMatchObject([{ id: event.id, data: { kept: true }, position }]);
    expect(await again.headPosition()).toEqual(position);

    const raw = openRaw();
    const applied = raw.prepare('SELECT name FROM schema_migrations ORDER BY version').pluck().all();
    expect(applied).toEqual(MIGRATION_FILES.sort());
    expect(migrate(raw)).toEqual([]);
  });

  it('uses WAL journaling', () => {
    open();
    expect(openRaw().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('positions are 64-bit: commit and prepare are the same exact bigint', async () => {
    open();
    const big = (1n << 62n) + 12345n;
    openRaw()
      .prepare(
        `INSERT INTO events (position, event_id, stream_id, revision, type, schema_version, data, metadata, recorded_at)
         VALUES (?, ?, 'far-stream', 0, 'SqliteTestEvent', 1, '{}', '{}', ?)`,
      )
      .run(big, randomUUID(), Date.now());
    const store = open();
    const { position } = await store.appendToStream('after-far', [testEvent()]);
    expect(position).toEqual({ commit: big + 1n, prepare: big + 1n });
    const [read] = await store.readAll({ after: { commit: big, prepare: big }, maxCount: 1 });
    expect(read!.position).toEqual(position);
  });

  it('recordedAt does not go back when the clock does', async () => {
    const store = open();
    await store.appendToStream('clock', [testEvent()]);
    const [first] = await store.readStream('clock');
    const now = vi.spyOn(Date, 'now').mockReturnValue(first!.recordedAt.getTime() - 60_000);
    try {
      await store.appendToStream('clock', [testEvent()]);
    } finally {
      now.mockRestore();
    }
    const [, second] = await store.readStream('clock');
    expect(second!.recordedAt.getTime()).toBe(first!.recordedAt.getTime());
  });

  it('close() ends the open subscriptions', async () => {
    const store = openSqliteEventStore({ file });
    const pending = store.subscribeToAll({ after: 'end' })[Symbol.asyncIterator]().next();
    await store.close();
    await expect(within(pending, 1000, 'next() after store.close()')).resolves.toMatchObject({ done: true });
  });

  it('polls data_version only while a subscription waits', async () => {
    const db = openRaw();
    const notifier = createChangeNotifier(db);
    expect(notifier.isPolling()).toBe(false);

    const stop = new AbortController();
    const waiting = notifier.waitForChange(notifier.mark(), stop.signal);
    expect(notifier.isPolling()).toBe(true);
    stop.abort();
    await waiting;
    expect(notifier.isPolling()).toBe(false);

    const woken = notifier.waitForChange(notifier.mark(), new AbortController().signal);
    notifier.notifyCommitted();
    await within(woken, 1000, 'wake-up after a local commit');
    expect(notifier.isPolling()).toBe(false);
  });

  it('a commit between a read and the wait that follows it is not missed', async () => {
    open();
    const notifier = createChangeNotifier(openRaw());
    const since = notifier.mark();
    await open().appendToStream('elsewhere', [testEvent()]);
    // The wait starts after the commit, from a mark taken before it: it returns at once.
    await within(notifier.waitForChange(since, new AbortController().signal), 100, 'wait from an old mark');
  });

  describe('subscription internals', () => {
    const subscriptionsOver = (spyOnRead: (read: ReadAllPage) => ReadAllPage) => {
      const db = openDatabase(file);
      toClose.push(db);
      const notifier = createChangeNotifier(db);
      const subscriptions = createSubscriptions({
        readPage: spyOnRead(createReadAllPage(db)),
        readHead: createReadHeadPosition(db),
        notifier,
      });
      toClose.push({ close: () => subscriptions.closeAll() });
      return subscriptions;
    };

    it('reads one page at a time, only when the consumer has taken the previous one', async () => {
      const writer = open();
      for (let i = 0; i < 3; i++) {
        await writer.appendToStream(
          'paged',
          Array.from({ length: 400 }, () => testEvent()),
        );
      }
      const reads: number[] = [];
      const subscriptions = subscriptionsOver((read) => (after, maxCount) => {
        const page = read(after, maxCount);
        reads.push(page.length);
        return page;
      });
      const events = subscriptions.subscribeToAll({ after: 'start' })[Symbol.asyncIterator]();
      await events.next();
      expect(reads).toEqual([SUBSCRIPTION_PAGE_SIZE]);
      for (let i = 1; i < SUBSCRIPTION_PAGE_SIZE; i++) await events.next();
      expect(reads).toEqual([SUBSCRIPTION_PAGE_SIZE]);
      await events.next();
      expect(reads).toEqual([SUBSCRIPTION_PAGE_SIZE, SUBSCRIPTION_PAGE_SIZE]);
    });

    it('delivers a commit from another connection that lands right after a read that found nothing', async () => {
      const other = open();
      const event = testEvent();
      let raced = false;
      const subscriptions = subscriptionsOver((read) => (after, maxCount) => {
        const page = read(after, maxCount);
        if (page.length === 0 && !raced) {
          raced = true;
          // Synchronous commit through another connection, between this read and the wait that follows it.
          void other.appendToStream('racing', [event]);
        }
        return page;
      });
      const next = subscriptions.subscribeToAll({ after: 'start' })[Symbol.asyncIterator]().next();
      await expect(within(next, 1000, 'the racing commit')).resolves.toMatchObject({ value: { id: event.id } });
      expect(raced).toBe(true);
    });
  });

  describe('appends from elsewhere reach a waiting subscription', () => {
    const waitingSubscription = (store: EventStore): { subscription: LogSubscription; next: Promise<unknown> } => {
      const subscription = store.subscribeToAll({ after: 'end' });
      toClose.push(subscription);
      return { subscription, next: subscription[Symbol.asyncIterator]().next() };
    };

    it('from a second store instance on the same file, within 200 ms', async () => {
      const first = open();
      const second = open();
      const { next } = waitingSubscription(first);
      // One turn of the event loop: the subscription has found the log empty and waits, so only polling can wake it.
      await new Promise(setImmediate);

      const event = testEvent({ from: 'the second instance' });
      const { position } = await second.appendToStream('second-instance', [event]);
      const appendedAt = performance.now();
      await expect(within(next, 200, 'delivery of an append from another connection')).resolves.toMatchObject({
        done: false,
        value: { id: event.id, position, data: { from: 'the second instance' } },
      });
      expect(performance.now() - appendedAt).toBeLessThan(200);
    });

    it('from another process', async () => {
      const store = open();
      const { next } = waitingSubscription(store);
      const eventId = randomUUID();
      const script = `
        const { openSqliteEventStore } = await import(process.env.STORE_MODULE);
        const store = openSqliteEventStore({ file: process.env.STORE_FILE });
        await store.appendToStream('other-process', [{
          id: process.env.EVENT_ID,
          type: 'SqliteTestEvent',
          data: { pid: process.pid },
          metadata: { keyName: 'child', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        }]);
        await store.close();
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        env: { ...process.env, STORE_MODULE, STORE_FILE: file, EVENT_ID: eventId },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

      const result = await within(next, 15_000, 'delivery of an append from another process');
      expect(await exited, stderr).toBe(0);
      expect(result).toMatchObject({ done: false, value: { id: eventId, streamId: 'other-process' } });
      expect((result as { value: { data: { pid: number } } }).value.data.pid).toBe(child.pid);
    });
  });
});
