import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions } from '../../events/envelope.js';
import { comparePlaces } from '../../src/read-store/places.js';
import { startLeaderLease } from '../../src/projections/leader-lease.js';
import type { ReadModelBatch, StoredSnapshot } from '../../src/read-store/read-model-store.js';
import { writeCheckpoint, writeRecords } from '../../src/read-store/redis/commit-batch.js';
import { keySlot, readStoreKeys } from '../../src/read-store/redis/redis-read-keys.js';
import {
  decodeIndexMember,
  decodePositionKey,
  encodeIndexMember,
  encodePositionKey,
  scoreText,
} from '../../src/read-store/redis/redis-records.js';
import { runScript } from '../../src/read-store/redis/scripts.js';
import {
  FencedOutError,
  openRedisReadStore,
  readStoreLeaseKey,
  type RedisReadStore,
  type RedisReadStoreOptions,
} from '../../src/read-store/redis/redis-read-store.js';
import { startRedisCluster, type RedisClusterNodes } from '../support/redis-cluster.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';
import { at, emptyBatch, entry, readModelStoreConformance } from './read-model-store.conformance.js';

const SHARED_URL = SHARED_REDIS_URL;
const VERSION = 1;

/** Everything readers can see, in one object to compare before and after. */
const visible = async (store: RedisReadStore) => ({
  checkpoint: await store.checkpoint(),
  developments: await store.versions('development', ['d1', 'd2']),
  actors: await store.versions('actor', ['a1', 'a2']),
  actorIds: (await store.ids('actor')).sort(),
  meetingIds: await store.ids('meeting'),
  actorIndex: await store.entries({ kind: 'actor', id: 'a1' }, { knownAtMs: Infinity }),
  actorChanges: await store.entries({ kind: 'changes', id: 'a1' }, { knownAtMs: Infinity }),
  actorChangesSince: await store.entries({ kind: 'changes', id: 'a1' }, { knownAtMs: Infinity, addedAfter: at(1) }),
  worldIndex: await store.entries({ kind: 'world', id: '' }, { knownAtMs: Infinity }),
  worldDescending: await store.entries({ kind: 'world', id: '' }, { knownAtMs: Infinity, descending: true, limit: 2 }),
  meeting: await store.countEntries({ kind: 'meeting', id: 'm2' }),
  worldCount: await store.countEntries({ kind: 'world', id: '' }),
  snapshots: await store.snapshotMetas('a1'),
  laterState: await store.snapshotState(laterSnapshot),
  subtopics: await store.subtopicIds('t1'),
  clock: await store.positionRecordedBefore(Infinity),
});

const snapshotOf = (built: number, boundary = entry('d1', Date.UTC(2024, 0, 5), 1, 1)): StoredSnapshot => ({
  actorId: 'a1',
  boundary,
  builtAtMs: built * 1000,
  builtPosition: at(built),
  state: { positions: new Map([['a1|t1', { since: new Date(0) }]]), built },
});
const laterSnapshot = snapshotOf(4, entry('d2', Date.UTC(2025, 9, 1), 3, 3));

const firstBatch: ReadModelBatch = {
  ...emptyBatch(2),
  versions: [
    { kind: 'development', id: 'd1', version: { position: at(1), recordedAtMs: 1000, state: { title: 'one' } } },
    { kind: 'actor', id: 'a1', version: { position: at(2), recordedAtMs: 2000, state: { name: 'A' } } },
  ],
  entries: [
    { index: { kind: 'actor', id: 'a1' }, entry: entry('d1', Date.UTC(2024, 0, 5), 1, 1) },
    { index: { kind: 'world', id: '' }, entry: entry('d1', Date.UTC(2024, 0, 5), 1, 1) },
  ],
  snapshots: [snapshotOf(2)],
};

/** What a projector writes after the first batch: records in every slot kind (an actor's changes too), meta sets. */
const secondBatch: ReadModelBatch = {
  ...emptyBatch(4),
  versions: [
    { kind: 'development', id: 'd1', version: { position: at(3), recordedAtMs: 3000, state: { title: 'one!' } } },
    { kind: 'development', id: 'd2', version: { position: at(3), recordedAtMs: 3000, state: { title: 'two' } } },
    { kind: 'actor', id: 'a2', version: { position: at(4), recordedAtMs: 4000, state: { name: 'B' } } },
  ],
  entries: [
    { index: { kind: 'actor', id: 'a1' }, entry: entry('d2', Date.UTC(2025, 9, 1), 3, 3) },
    { index: { kind: 'world', id: '' }, entry: entry('d2', Date.UTC(2025, 9, 1), 3, 3) },
    // d1 corrected to an earlier occurredAt: a second place, whose entries after it were added from 1 s on.
    { index: { kind: 'world', id: '' }, entry: entry('d1', Date.UTC(2023, 5, 1), 1, 3, 1000) },
    { index: { kind: 'meeting', id: 'm2' }, entry: entry('d2', Date.UTC(2025, 9, 1), 3, 3) },
    { index: { kind: 'changes', id: 'a1' }, entry: entry('d1', Date.UTC(2023, 5, 1), 3, 3) },
  ],
  snapshots: [laterSnapshot],
  subtopics: [{ parentId: 't1', id: 't2' }],
  clock: [
    { position: at(3), recordedAtMs: 3000 },
    { position: at(4), recordedAtMs: 4000 },
  ],
};

/** The adapter's own promises, on a single Redis and on a cluster alike. */
const adapterCases = (
  name: string,
  target: () => Pick<RedisReadStoreOptions, 'url' | 'nodes'>,
  prefix: string,
  raw: () => Redis | Cluster,
) => {
  describe(`redis read-model store: ${name}`, () => {
    const keys = readStoreKeys(prefix, VERSION);
    const leaseKey = readStoreLeaseKey(prefix, VERSION);
    const opened: RedisReadStore[] = [];
    const open = (options: Partial<RedisReadStoreOptions> = {}) => {
      const store = openRedisReadStore({ ...target(), prefix, version: VERSION, ...options } as RedisReadStoreOptions);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await opened[0]?.clear();
      await raw().del(`${leaseKey}:holder`);
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('shows nothing of a batch whose records were written but whose checkpoint never was', async () => {
      const store = open();
      await store.clear();
      await store.commit(firstBatch);
      const before = await visible(store);
      expect(before.developments.get('d1')).toHaveLength(1);

      // A projector that died between the records and the checkpoint.
      await writeRecords(store.connection, keys, secondBatch);
      expect(await raw().exists(keys.versions('development', 'd2'))).toBe(1);
      expect(await raw().exists(keys.index({ kind: 'changes', id: 'a1' }))).toBe(1);
      expect(await visible(store)).toEqual(before);

      // The next projector writes the batch again, whole: every record once, the batch visible at once.
      await store.commit(secondBatch);
      const committed = await visible(store);
      expect(committed.checkpoint).toEqual(secondBatch.checkpoint);
      expect(committed.developments.get('d1')!.map((v) => v.state)).toEqual([{ title: 'one' }, { title: 'one!' }]);
      expect(committed.developments.get('d2')).toHaveLength(1);
      expect(committed.actorIds).toEqual(['a1', 'a2']);
      expect(committed.meetingIds).toEqual(['m2']);
      expect(committed.actorIndex.map((e) => e.developmentId)).toEqual(['d1', 'd2']);
      expect(committed.actorChanges).toEqual([entry('d1', Date.UTC(2023, 5, 1), 3, 3)]);
      expect(committed.worldIndex.map((e) => [e.developmentId, new Date(e.occurredAtMs).toISOString()])).toEqual([
        ['d1', '2023-06-01T00:00:00.000Z'],
        ['d1', '2024-01-05T00:00:00.000Z'],
        ['d2', '2025-10-01T00:00:00.000Z'],
      ]);
      expect(committed.worldDescending.map((e) => e.occurredAtMs)).toEqual([
        Date.UTC(2025, 9, 1),
        Date.UTC(2024, 0, 5),
      ]);
      expect(committed.worldCount).toBe(3);
      expect(committed.meeting).toBe(1);
      expect(committed.snapshots.map((meta) => meta.builtAtMs)).toEqual([2000, 4000]);
      expect(committed.laterState).toEqual(laterSnapshot.state);
      expect(committed.subtopics).toEqual(['t2']);
      expect(committed.clock).toEqual(at(4));
    });

    it('refuses an entry whose member stands at another date in its page, and shows nothing of the batch', async () => {
      const store = open();
      await store.clear();
      await store.commit(firstBatch);
      const before = await visible(store);
      // Everything but the date alike: in Redis one member, which a second ZADD would move to the later date.
      const early = entry('d9', Date.UTC(2023, 1, 1), 5, 5);
      const late = { ...early, occurredAtMs: Date.UTC(2023, 2, 1) };
      const index = { kind: 'changes' as const, id: 'a1' };
      await expect(
        store.commit({
          ...emptyBatch(5),
          entries: [
            { index, entry: early },
            { index, entry: late },
          ],
        }),
      ).rejects.toThrow(/an index entry at two places/);
      expect(await visible(store)).toEqual(before);
    });

    it('refuses a commit whose fencing token is not the lease term, writing nothing, with a clear error', async () => {
      const setup = open();
      await setup.clear();
      await setup.commit(firstBatch);
      const before = await visible(setup);
      await raw().set(`${leaseKey}:holder`, 'another-projector:8');

      const deposed = open({ fence: { leaseKey, token: () => 7 } });
      const refusal = deposed.commit(secondBatch);
      await expect(refusal).rejects.toBeInstanceOf(FencedOutError);
      await expect(refusal).rejects.toThrow(/no longer held by term 7 \(its holder: another-projector:8\)/);
      expect(await visible(setup)).toEqual(before);
      // Refused before any record was written.
      for (const key of [
        keys.versions('development', 'd2'),
        keys.versions('actor', 'a2'),
        keys.index({ kind: 'meeting', id: 'm2' }),
      ]) {
        expect(await raw().exists(key)).toBe(0);
      }

      const leaderless = open({ fence: { leaseKey, token: () => null } });
      await expect(leaderless.commit(secondBatch)).rejects.toThrow(/holds no term of the lease/);

      const leader = open({ fence: { leaseKey, token: () => 8 } });
      await leader.commit(secondBatch);
      expect((await visible(setup)).checkpoint).toEqual(secondBatch.checkpoint);
    });

    it('refuses the checkpoint when the lease changed hands after the records were written', async () => {
      const store = open();
      await store.clear();
      await store.commit(firstBatch);
      const before = await visible(store);
      const fence = { leaseKey, token: () => 5 };
      await raw().set(`${leaseKey}:holder`, 'this-projector:5');

      // Deposed between its records and its checkpoint: the checkpoint script itself checks the term.
      await writeRecords(store.connection, keys, secondBatch);
      await raw().set(`${leaseKey}:holder`, 'next-projector:6');
      await expect(writeCheckpoint(store.connection, keys, secondBatch, fence)).rejects.toBeInstanceOf(FencedOutError);
      expect(await visible(store)).toEqual(before);

      // The new leader goes on from the committed checkpoint.
      await open({ fence: { leaseKey, token: () => 6 } }).commit(secondBatch);
      expect((await visible(store)).worldCount).toBe(3);
    });

    it('refuses a fence whose lease is not in the checkpoint slot', () => {
      const elsewhere = ['x', 'y', 'z'].find((key) => keySlot(`${key}:holder`) !== keySlot(keys.checkpoint))!;
      const options = { ...target(), prefix, version: VERSION, fence: { leaseKey: elsewhere, token: () => 1 } };
      expect(() => openRedisReadStore(options as RedisReadStoreOptions)).toThrow(/not in the checkpoint's slot/);
    });

    it("clears its own keys only: not the projector's lease, another version's, another prefix's", async () => {
      const store = open();
      await store.commit({ ...secondBatch, checkpoint: { position: at(99), recordedAtMs: 99_000 } });
      const kept = [
        `${leaseKey}:holder`,
        `${leaseKey}:term`,
        readStoreKeys(prefix, VERSION + 1).checkpoint,
        readStoreKeys(prefix, VERSION + 1).versions('actor', 'a1'),
        readStoreKeys(`${prefix}x`, VERSION).versions('actor', 'a1'),
        readStoreKeys(`${prefix}x`, VERSION).checkpoint,
      ];
      for (const key of kept) await raw().set(key, 'keep');
      await store.clear();
      expect(await visible(store)).toMatchObject({ checkpoint: null, worldCount: 0, actorIds: [], clock: null });
      for (const key of kept) expect(await raw().get(key)).toBe('keep');
      for (const key of [keys.versions('development', 'd2'), keys.snapshotStates('a1'), keys.clock]) {
        expect(await raw().exists(key)).toBe(0);
      }
      for (const key of kept) await raw().del(key);
    });

    it('finds where replays start across the buckets of the clock', async () => {
      const store = open();
      await store.clear();
      // 330 marks over 3 batches, two per recordedAt (each batch's last at an instant the next batch shares):
      // buckets of 120 fill up and roll over, some between two marks of one instant.
      const marks = Array.from({ length: 330 }, (_, n) => ({
        position: at(n + 1),
        recordedAtMs: 1000 * Math.ceil((n + 1) / 2),
      }));
      for (let from = 0; from < marks.length; from += 110) {
        const clock = marks.slice(from, from + 110);
        await store.commit({ ...emptyBatch(1), clock, checkpoint: clock[clock.length - 1]! });
      }
      const expected = (timeMs: number) =>
        [...marks].reverse().find((mark) => mark.recordedAtMs < timeMs)?.position ?? null;
      for (const timeMs of [
        -Infinity,
        0,
        1000,
        1001,
        60_000,
        60_001,
        60_500,
        61_000,
        120_000,
        120_001,
        165_000,
        165_001,
        Infinity,
      ]) {
        expect(await store.positionRecordedBefore(timeMs)).toEqual(expected(timeMs));
      }
      for (let timeMs = 500; timeMs <= 166_000; timeMs += 500) {
        expect(await store.positionRecordedBefore(timeMs)).toEqual(expected(timeMs));
      }
      expect((await raw().zcard(keys.clock)) as number).toBe(3);
    });

    it('reads the versions of a thousand entities in one call', async () => {
      const store = open();
      await store.clear();
      const ids = Array.from({ length: 1000 }, (_, n) => `d${n}`);
      await store.commit({
        ...emptyBatch(2),
        versions: ids.map((id, n) => ({
          kind: 'development' as const,
          id,
          version: { position: at(1), recordedAtMs: 1000, state: { n } },
        })),
      });
      const found = await store.versions('development', [...ids, 'missing']);
      expect(found.size).toBe(1000);
      expect(found.get('d999')).toEqual([{ position: at(1), recordedAtMs: 1000, state: { n: 999 } }]);
    });
  });
};

describe('redis store records', () => {
  it('writes log positions so that comparing the text compares the positions', () => {
    const number = fc.oneof(fc.bigInt(0n, 2n ** 64n - 1n), fc.bigInt(0n, 40n));
    // Commit and prepare apart, and (the embedded log's) the same, next to those of one commit.
    const position = fc.oneof(
      fc.record({ commit: number, prepare: number }),
      number.map((n) => ({ commit: n, prepare: n })),
      fc
        .tuple(fc.bigInt(5n, 40n), fc.integer({ min: -5, max: 5 }))
        .map(([n, d]) => ({ commit: n, prepare: n + BigInt(d) })),
    );
    fc.assert(
      fc.property(position, position, (a, b) => {
        const [x, y] = [encodePositionKey(a), encodePositionKey(b)];
        expect(decodePositionKey(x)).toEqual(a);
        expect(Math.sign(x < y ? -1 : x > y ? 1 : 0)).toBe(Math.sign(comparePositions(a, b)));
      }),
    );
    // The embedded log's positions in 7 characters up to 2^24: what keeps index members short.
    expect(encodePositionKey({ commit: 0xabcdefn, prepare: 0xabcdefn })).toBe('6abcdef.');
  });

  it('keeps every index entry exactly, in a short member', () => {
    // -0 comes back 0, as it always did: no instant is -0.
    const instant = fc
      .oneof(fc.integer({ min: -1e13, max: 1e13 }), fc.double(), fc.constantFrom(1.7e12, 2 ** 53))
      .map((n) => (Object.is(n, -0) ? 0 : n));
    const position = fc.bigInt(0n, 2n ** 40n).map((n) => ({ commit: n, prepare: n }));
    const share = fc.oneof(fc.string(), fc.constantFrom('[0,0,0,[null,"actor-1"]]', '\x01[0,0,0,[', '\x00'));
    const indexEntry = fc.record(
      {
        developmentId: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        occurredAtMs: fc.integer({ min: -1e13, max: 1e13 }),
        recordPosition: position,
        addedPosition: position,
        addedAtMs: instant,
        earliestAddedFromMs: instant,
        share,
      },
      {
        requiredKeys: [
          'developmentId',
          'occurredAtMs',
          'recordPosition',
          'addedPosition',
          'addedAtMs',
          'earliestAddedFromMs',
        ],
      },
    );
    fc.assert(
      fc.property(indexEntry, (written) => {
        const read = decodeIndexMember(encodeIndexMember(written), String(written.occurredAtMs));
        expect(read).toEqual({ share: undefined, ...written });
      }),
    );
    // An actor's usual entry: added 40 ms after the earliest from it, a tone and a counterpart.
    const usual = encodeIndexMember({
      developmentId: 'dev-0018446',
      occurredAtMs: 1.7e12,
      recordPosition: { commit: 106_000n, prepare: 106_000n },
      addedPosition: { commit: 106_000n, prepare: 106_000n },
      addedAtMs: 1_733_000_000_000,
      earliestAddedFromMs: 1_733_000_000_000 - 40,
      share: '[0,0,0,[-0.9,"actor-1713"]]',
    });
    expect(usual.length).toBeLessThanOrEqual(44);
  });
});

describe('on the shared Redis', () => {
  const prefix = `test-read-store-${randomUUID()}`;
  const redis = new Redis(SHARED_URL, { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    // Never FLUSHALL: the Redis is everybody's. Only this run's keys go.
    for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (found.length > 0) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0');
    }
    redis.disconnect();
  });

  // A prefix per test: a test that timed out and goes on writing cannot move the checkpoint of the next.
  let opened = 0;
  const conformanceStore =
    (options: Partial<RedisReadStoreOptions> = {}) =>
    async () =>
      openRedisReadStore({
        url: SHARED_URL,
        prefix: `${prefix}-${++opened}`,
        version: VERSION,
        ...options,
      } as RedisReadStoreOptions);
  readModelStoreConformance('redis', conformanceStore());
  // Every scan handed back after three members: the resuming path, on every query of the suite.
  readModelStoreConformance('redis, scans resumed every 3 members', conformanceStore({ scanBudget: 3 }));
  // Indexes of many pages, split every way: scans across them, resumed midway, after pages split meanwhile.
  // Every share kept beside its page too.
  readModelStoreConformance(
    'redis, pages of 2 entries of 20 bytes',
    conformanceStore({ pages: { entries: 2, memberBytes: 20 } }),
  );
  readModelStoreConformance(
    'redis, pages of 3 entries, scans resumed every 2 members',
    conformanceStore({ pages: { entries: 3 }, scanBudget: 2 }),
  );
  adapterCases(
    'redis',
    () => ({ url: SHARED_URL }),
    `${prefix}-adapter`,
    () => redis,
  );

  it('starts a scan at the first entry after its place, and ends it at its through, among hundreds at one instant', async () => {
    const store = openRedisReadStore({ url: SHARED_URL, prefix: `${prefix}-ties`, version: VERSION });
    try {
      const index = { kind: 'actor' as const, id: 'a1' };
      const keys = readStoreKeys(`${prefix}-ties`, VERSION);
      // 600 developments dated by the year alone: one score, over five pages.
      const instant = Date.UTC(2015, 0, 1);
      const tied = Array.from({ length: 600 }, (_, n) => entry(`dev-${n}`, instant, n + 1, n + 1));
      await store.commit({ ...emptyBatch(1000), entries: tied.map((e) => ({ index, entry: e })) });
      // The scan script itself, allowed to look at one member: the one it looks at first must be the one it takes.
      const scan = async (place: { after?: number; through?: number }, descending: boolean) => {
        const answer = (await runScript(
          store.connection,
          'rsScan',
          [keys.index(index), keys.checkpoint],
          [
            '',
            place.after === undefined ? '-inf' : scoreText(instant),
            place.after === undefined ? '' : encodePositionKey(at(place.after)),
            place.through === undefined ? '+inf' : scoreText(instant),
            place.through === undefined ? '' : scoreText(instant),
            place.through === undefined ? '' : encodePositionKey(at(place.through)),
            '',
            '',
            '1',
            descending ? '1' : '0',
            '',
            '1',
            '0',
            '',
          ],
        )) as [string, string, string, number, number, ...string[]];
        return { count: answer[4], developmentId: answer[5] && decodeIndexMember(answer[5], answer[6]!).developmentId };
      };
      expect(await scan({ after: 450 }, false)).toEqual({ count: 1, developmentId: 'dev-450' });
      expect(await scan({ through: 300 }, true)).toEqual({ count: 1, developmentId: 'dev-299' });
      expect(await scan({ after: 600 }, false)).toEqual({ count: 0, developmentId: undefined });
      expect(await scan({ through: 0 }, true)).toEqual({ count: 0, developmentId: undefined });
      // And through the store: the same answers as the plain filter, at every seam of the pages.
      for (const after of [0, 127, 128, 129, 255, 256, 257, 599])
        expect(await store.entries(index, { after: tied[after - 1] ?? null, knownAtMs: Infinity, limit: 2 })).toEqual(
          tied.slice(after, after + 2),
        );
    } finally {
      await store.close();
    }
  });

  it('keeps an index in packed pages, near full when appended to, a long share beside its page', async () => {
    const store = openRedisReadStore({ url: SHARED_URL, prefix: `${prefix}-packed`, version: VERSION });
    try {
      const index = { kind: 'actor' as const, id: 'a1' };
      const keys = readStoreKeys(`${prefix}-packed`, VERSION);
      const summary = 'Somebody states a view on topic-052, at some length.';
      // 300 entries in world order, every tenth with a stance's summary, then 10 late arrivals among them.
      const entries = Array.from({ length: 310 }, (_, n) => ({
        ...entry(
          `dev-${n}`,
          n < 300 ? Date.UTC(2020, 0, 1 + n) : Date.UTC(2020, 0, 1 + (n - 300) * 30, 12),
          n + 1,
          n + 1,
        ),
        share: n % 10 ? '[0,0,0,[null,"actor-0042"]]' : `[0,0,[["topic-052","OPPOSES","${summary}"]],0]`,
      }));
      const pages = async () => [
        keys.index(index),
        ...(await redis.zrange(`${keys.index(index)}:d`, 0, -1)).map((name) => `${keys.index(index)}:${name}`),
      ];
      for (let at = 0; at < entries.length; at += 100) {
        await store.commit({
          ...emptyBatch(1000 + at),
          entries: entries.slice(at, at + 100).map((e) => ({ index, entry: e })),
        });
        // Appended: full pages, then the last.
        if (at === 200)
          expect(await Promise.all((await pages()).map((page) => redis.zcard(page)))).toEqual([128, 128, 44]);
      }
      expect(await store.entries(index, { knownAtMs: Infinity })).toEqual([...entries].sort(comparePlaces));
      // Each late arrival went to a full page and split it.
      const split = await pages();
      expect(split.length).toBeGreaterThan(3);
      expect(split.length).toBeLessThanOrEqual(3 + 10);
      for (const page of split) expect(await redis.object('ENCODING', page)).toBe('listpack');
      expect(await redis.hlen(`${keys.index(index)}:o`)).toBe(31);
    } finally {
      await store.clear();
      await store.close();
    }
  });

  it('fences a deposed projector out through the leader lease', async () => {
    const lprefix = `${prefix}-lease`;
    const leaseKey = readStoreLeaseKey(lprefix, VERSION);
    const first = startLeaderLease(redis, { key: leaseKey, ttlMs: 300 });
    const firstToken = await first.acquired();
    const old = openRedisReadStore({
      url: SHARED_URL,
      prefix: lprefix,
      version: VERSION,
      fence: { leaseKey, token: () => firstToken },
    });
    try {
      await old.clear();
      await old.commit(firstBatch);
      // Paused (it stops renewing, and does not know it): another process takes the lease when it expires.
      first.abandon();
      const second = startLeaderLease(redis, { key: leaseKey, ttlMs: 300 });
      const secondToken = await second.acquired();
      expect(secondToken).toBeGreaterThan(firstToken);
      await expect(old.commit(secondBatch)).rejects.toBeInstanceOf(FencedOutError);
      expect(await old.checkpoint()).toEqual(firstBatch.checkpoint);
      const next = openRedisReadStore({
        url: SHARED_URL,
        prefix: lprefix,
        version: VERSION,
        fence: { leaseKey, token: () => second.token },
      });
      await next.commit(secondBatch);
      expect(await old.checkpoint()).toEqual(secondBatch.checkpoint);
      await second.release();
      await next.close();
    } finally {
      await old.clear();
      await old.close();
    }
  });
});

describe('on a three-node Redis Cluster', () => {
  let cluster: RedisClusterNodes;
  let client: Cluster;
  const prefix = `test-read-store-${randomUUID()}`;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.dispose();
  });

  readModelStoreConformance('redis cluster', async () =>
    openRedisReadStore({ nodes: cluster.nodes, prefix, version: VERSION }),
  );
  adapterCases(
    'redis cluster',
    () => ({ nodes: cluster.nodes }),
    `${prefix}-adapter`,
    () => client,
  );

  it('computes the slots the cluster computes', async () => {
    const keys = readStoreKeys(prefix, VERSION);
    const samples = [
      keys.checkpoint,
      readStoreLeaseKey(prefix, VERSION) + ':holder',
      keys.versions('actor', 'a1'),
      keys.index({ kind: 'topic', id: 'some.topic:1' }),
      keys.index({ kind: 'changes', id: 'a1' }),
      keys.worldShard('2025-10'),
      'no-tag-at-all',
      'empty{}tag',
    ];
    for (const key of samples) expect(keySlot(key)).toBe(await client.cluster('KEYSLOT', key));
    expect(keySlot(keys.checkpoint)).toBe(keySlot(readStoreLeaseKey(prefix, VERSION)));
    // An actor's changes, in its slot but a key of their own.
    expect(keys.index({ kind: 'changes', id: 'a1' })).toBe(`${keys.base}:{a:a1}:c`);
    expect(keySlot(keys.index({ kind: 'changes', id: 'a1' }))).toBe(keySlot(keys.snapshotMetas('a1')));
  });

  it("spreads one version's keys over every node, each entity's in one slot", async () => {
    const store = openRedisReadStore({ nodes: cluster.nodes, prefix, version: VERSION });
    try {
      await store.clear();
      const actors = Array.from({ length: 50 }, (_, n) => `actor-${n}`);
      await store.commit({
        ...emptyBatch(60),
        versions: actors.map((id, n) => ({
          kind: 'actor' as const,
          id,
          version: { position: at(n + 1), recordedAtMs: 1000, state: { name: id } },
        })),
        entries: actors.flatMap((id, n) => [
          { index: { kind: 'actor' as const, id }, entry: entry(`d${n}`, Date.UTC(2020, n % 12, 1), n + 1, n + 1) },
          { index: { kind: 'world' as const, id: '' }, entry: entry(`d${n}`, Date.UTC(2020, n % 12, 1), n + 1, n + 1) },
        ]),
      });
      const keys = readStoreKeys(prefix, VERSION);
      const sizes = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
      expect(sizes).toHaveLength(3);
      for (const size of sizes) expect(size).toBeGreaterThan(0);
      const slots = new Set(actors.map((id) => keySlot(keys.versions('actor', id))));
      expect(slots.size).toBeGreaterThan(40);
      for (const id of actors)
        expect(keySlot(keys.index({ kind: 'actor', id }))).toBe(keySlot(keys.versions('actor', id)));
      expect(await store.countEntries({ kind: 'world', id: '' })).toBe(50);
      const world = await store.entries(
        { kind: 'world', id: '' },
        { knownAtMs: Infinity, limit: 10, descending: true },
      );
      expect(world.map((e) => e.occurredAtMs)).toEqual([...world].map((e) => e.occurredAtMs).sort((a, b) => b - a));
      expect(world[0]!.occurredAtMs).toBe(Date.UTC(2020, 11, 1));
    } finally {
      await store.clear();
      await store.close();
    }
  });
});
