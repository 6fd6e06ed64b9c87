import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { ActorRegistered, TopicOpened } from '../../events/index.js';
import { createUpcaster, upcast, UPCAST_STEPS, type UpcastStep } from '../../migrations/upcasters/index.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import { type EventStore, InvalidEventError } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

const metadata = (schemaVersion = 1): NewEvent['metadata'] => ({
  keyName: 'catalog-test',
  correlationId: randomUUID(),
  causationId: randomUUID(),
  schemaVersion,
});

const actorRegistered = (data: Record<string, unknown> = {}, schemaVersion = 1): NewEvent => ({
  id: randomUUID(),
  type: ActorRegistered.type,
  data: { id: 'usa', name: 'United States', kind: 'STATE', aliases: ['US'], country: 'USA', ...data },
  metadata: metadata(schemaVersion),
});

const topicOpened = (): NewEvent => ({
  id: randomUUID(),
  type: TopicOpened.type,
  data: { id: 'nuclear-talks', title: 'Nuclear talks', openedAt: '2024-03-01T09:00:00.000Z' },
  metadata: metadata(),
});

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection, the promise resolved');
    },
    (error: unknown) => error,
  );

/** ActorRegistered as it might have looked before version 1: `fullName` instead of `name`. */
const renameFullName: UpcastStep = {
  type: ActorRegistered.type,
  fromVersion: 0,
  up: (data) => {
    const { fullName, ...rest } = data as { fullName: string };
    return { ...rest, name: fullName };
  },
};

describe('withEventCatalog', () => {
  let dir: string;
  let file: string;
  let inner: EventStore;
  let store: EventStore;
  let raw: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-store-'));
    file = join(dir, 'events.db');
    inner = openSqliteEventStore({ file });
    store = withEventCatalog(inner);
    raw = new Database(file);
  });

  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a row the way an older (or broken) writer would have, around the store. */
  const insertRow = (row: {
    streamId: string;
    revision: number;
    type: string;
    schemaVersion: number;
    data: string;
  }) => {
    raw
      .prepare(
        `INSERT INTO events (event_id, stream_id, revision, type, schema_version, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        randomUUID(),
        row.streamId,
        row.revision,
        row.type,
        row.schemaVersion,
        row.data,
        JSON.stringify({ keyName: 'legacy', correlationId: 'c', causationId: 'c' }),
        Date.now(),
      );
    raw
      .prepare(
        `INSERT INTO streams (stream_id, revision) VALUES (?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision`,
      )
      .run(row.streamId, row.revision);
  };

  const logLength = async (): Promise<number> => (await inner.readAll({ maxCount: 1000 })).length;

  describe('on append', () => {
    it('refuses a type that is not in the catalog, and appends nothing', async () => {
      const unknown: NewEvent = { ...actorRegistered(), type: 'ActorTeleported' };
      const error = await rejection(store.appendToStream('actor-usa', [actorRegistered(), unknown]));
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(String(error)).toContain('ActorTeleported');
      expect(await logLength()).toBe(0);
    });

    it('refuses data that fails the schema, naming the issues, and appends nothing', async () => {
      const error = await rejection(
        store.appendToStream('actor-usa', [actorRegistered(), actorRegistered({ kind: 'PLANET', country: 'us' })]),
      );
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as Error).message).toMatch(/kind/);
      expect((error as Error).message).toMatch(/country/);
      expect((error as Error).message).toMatch(/ISO 3166-1 alpha-3/);
      expect(await logLength()).toBe(0);
    });

    it('refuses a schemaVersion that is not the catalog version, and appends nothing', async () => {
      for (const version of [0, 2]) {
        const error = await rejection(store.appendToStream('actor-usa', [actorRegistered({}, version)]));
        expect(error).toBeInstanceOf(InvalidEventError);
        expect((error as Error).message).toContain(`schema version ${version}`);
      }
      expect(await logLength()).toBe(0);
    });

    it('appends catalog events, in the canonical form of their schema', async () => {
      const actor = actorRegistered({ name: '  United States  ' });
      await store.appendToStream('actor-usa', [actor], { expectedRevision: 'no_stream' });
      await store.appendToStream('topic-nuclear-talks', [topicOpened()]);
      const [stored] = await inner.readStream('actor-usa');
      expect(stored!.data).toMatchObject({ name: 'United States' });
      expect(await logLength()).toBe(2);
    });

    it('leaves the expected-revision rules to the store', async () => {
      const events = [actorRegistered()];
      const first = await store.appendToStream('actor-usa', events, { expectedRevision: 'no_stream' });
      await expect(store.appendToStream('actor-usa', events, { expectedRevision: 'no_stream' })).resolves.toEqual(
        first,
      );
    });
  });

  describe('on read', () => {
    it('decodes what readStream, readAll and subscribeToAll return', async () => {
      const actor = actorRegistered();
      await store.appendToStream('actor-usa', [actor]);
      await store.appendToStream('topic-nuclear-talks', [topicOpened()]);

      const [fromStream] = await store.readStream('actor-usa');
      expect(fromStream).toMatchObject({ id: actor.id, type: 'ActorRegistered', data: actor.data, revision: 0 });
      const all = await store.readAll({ maxCount: 10 });
      expect(all.map((event) => event.type)).toEqual(['ActorRegistered', 'TopicOpened']);

      const subscription = store.subscribeToAll({ after: 'start' });
      const delivered: RecordedEvent[] = [];
      for await (const event of subscription) {
        delivered.push(event);
        if (delivered.length === 2) break;
      }
      expect(delivered).toEqual(all);
    });

    it('with verifyReads, refuses a row that does not fit its schema, naming its stream and revision', async () => {
      const store = withEventCatalog(inner, { verifyReads: true });
      await store.appendToStream('actor-usa', [actorRegistered()]);
      insertRow({
        streamId: 'actor-usa',
        revision: 1,
        type: 'ActorRegistered',
        schemaVersion: 1,
        data: JSON.stringify({ id: 'usa', kind: 'STATE' }),
      });

      const error = await rejection(store.readStream('actor-usa'));
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as Error).message).toContain('actor-usa@1');
      expect((error as Error).message).toMatch(/name/);
      await expect(store.readAll({ maxCount: 10 })).rejects.toThrow(InvalidEventError);
      expect(await store.readStream('actor-usa', { maxCount: 1 })).toHaveLength(1);

      const events = store.subscribeToAll({ after: 'start' })[Symbol.asyncIterator]();
      expect((await events.next()).done).toBe(false);
      await expect(events.next()).rejects.toThrow(/actor-usa@1/);
      // A subscription that met a bad event is over: it does not skip it.
      expect((await events.next()).done).toBe(true);
    });

    it('by default, trusts a row at the catalog version (the catalog parsed it on its way in) and parses an upcast one', async () => {
      insertRow({
        streamId: 'actor-usa',
        revision: 0,
        type: 'ActorRegistered',
        schemaVersion: 1,
        data: JSON.stringify({ id: 'usa', kind: 'STATE' }),
      });
      const [trusted] = await store.readStream('actor-usa');
      expect(trusted!.data).toEqual({ id: 'usa', kind: 'STATE' });

      insertRow({
        streamId: 'actor-legacy',
        revision: 0,
        type: 'ActorRegistered',
        schemaVersion: 0,
        data: JSON.stringify({ id: 'legacy', kind: 'STATE', aliases: [] }),
      });
      const upcasting = withEventCatalog(inner, { upcast: createUpcaster([renameFullName]) });
      await expect(upcasting.readStream('actor-legacy')).rejects.toThrow(/actor-legacy@0[\s\S]*name/);
    });

    it('by default, still refuses a type or a version the catalog does not know', async () => {
      insertRow({ streamId: 'actor-x', revision: 0, type: 'ActorVanished', schemaVersion: 1, data: '{}' });
      await expect(store.readStream('actor-x')).rejects.toThrow(/ActorVanished.*actor-x@0/);
      insertRow({
        streamId: 'actor-future',
        revision: 0,
        type: 'ActorRegistered',
        schemaVersion: 7,
        data: JSON.stringify({ id: 'future', name: 'Future', kind: 'STATE', aliases: [] }),
      });
      await expect(store.readStream('actor-future')).rejects.toThrow(/version 7/);
    });

    it('refuses a row whose type is not in the catalog', async () => {
      insertRow({ streamId: 'actor-x', revision: 0, type: 'ActorVanished', schemaVersion: 1, data: '{}' });
      await expect(store.readStream('actor-x')).rejects.toThrow(/ActorVanished.*actor-x@0/);
    });
  });

  describe('upcasting', () => {
    const legacyRow = () =>
      insertRow({
        streamId: 'actor-legacy',
        revision: 0,
        type: 'ActorRegistered',
        schemaVersion: 0,
        data: JSON.stringify({ id: 'legacy', fullName: 'Old Republic', kind: 'STATE', aliases: [] }),
      });

    it('brings a row written at an older version up to the catalog version before parsing it', async () => {
      legacyRow();
      const upcasting = withEventCatalog(inner, { upcast: createUpcaster([renameFullName]) });
      const [event] = await upcasting.readStream('actor-legacy');
      expect(event!.data).toEqual({ id: 'legacy', name: 'Old Republic', kind: 'STATE', aliases: [] });
      expect(event!.metadata.schemaVersion).toBe(ActorRegistered.version);

      const [fromLog] = await upcasting.readAll({ maxCount: 1 });
      expect(fromLog).toEqual(event);
    });

    it('refuses an old row that no upcaster brings to the catalog version', async () => {
      legacyRow();
      await expect(store.readStream('actor-legacy')).rejects.toThrow(
        /version 0.*actor-legacy@0|actor-legacy@0.*version 0/s,
      );
    });

    it('chains steps one version at a time, as far as they go', () => {
      const steps: UpcastStep[] = [
        { type: 'Thing', fromVersion: 1, up: (data) => ({ ...(data as object), second: true }) },
        { type: 'Thing', fromVersion: 0, up: (data) => ({ ...(data as object), first: true }) },
      ];
      const toVersion = (target: number) => createUpcaster(steps, { currentVersion: () => target });
      expect(toVersion(2)('Thing', 0, {})).toEqual({ version: 2, data: { first: true, second: true } });
      expect(toVersion(2)('Thing', 1, {})).toEqual({ version: 2, data: { second: true } });
      expect(toVersion(1)('Thing', 0, {})).toEqual({ version: 1, data: { first: true } });
      expect(toVersion(3)('Thing', 0, {})).toEqual({ version: 2, data: { first: true, second: true } });
      expect(toVersion(2)('Other', 0, { kept: 1 })).toEqual({ version: 0, data: { kept: 1 } });
    });

    it('refuses two steps from the same version of a type', () => {
      expect(() => createUpcaster([renameFullName, renameFullName])).toThrow(/two upcasters/);
    });

    it('has no steps yet: every catalog event is at its first version', () => {
      expect(UPCAST_STEPS).toEqual([]);
      const data = { id: 'usa' };
      expect(upcast('ActorRegistered', 1, data)).toEqual({ version: 1, data });
    });
  });
});
