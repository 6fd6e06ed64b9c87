import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../events/index.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelStore, SnapshotMeta } from '../../src/read-store/read-model-store.js';
import { actorActivityAt } from '../../src/time-travel/actor-at.js';
import { bestSnapshot } from '../../src/time-travel/snapshots.js';
import type { StoredSummary } from '../../src/time-travel/stored-summary.js';
import { mark } from '../support/clock.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { readWholeLog } from '../support/reference-fold.js';
import { development, openHarness, registerBasics, type TimelineHarness } from '../support/timeline-harness.js';

/**
 * When the projection leaves actor snapshots, what it lists behind them, and which boundaries it builds again
 * (src/projections/snapshot-policy.ts): a snapshot is built after the batch whose commit makes it due, as the store
 * stands at that batch's checkpoint, and is written with the next batch.
 */

let harness: TimelineHarness | undefined;
let other: ReadModelStore | undefined;

afterEach(async () => {
  await other?.close();
  other = undefined;
  await harness?.dispose();
  harness = undefined;
});

const open = async (options: Parameters<typeof openHarness>[0]): Promise<TimelineHarness> => {
  harness = await openHarness(options);
  await registerBasics(harness);
  return harness;
};

const dayMs = (n: number) => Date.UTC(2025, 0, 1 + n);
const day = (n: number) => new Date(dayMs(n)).toISOString();

/** dev-n on day n, alice SOURCE and boris TARGET (each development adds an entry to both their indexes). */
const record = (n: number, overrides: Record<string, unknown> = {}) =>
  harness!.run(
    'recordDevelopment',
    development({ id: `dev-${n}`, title: `Day ${n}`, occurredAt: day(n), ...overrides }),
  );

const metas = (actorId = 'alice') => harness!.readStore.snapshotMetas(actorId);
const boundaries = async (actorId = 'alice') => (await metas(actorId)).map((meta) => meta.boundary.developmentId);
const devs = (...ns: number[]) => ns.map((n) => `dev-${n}`);

/** The last event on the log: what a change is stamped with. */
const lastEvent = async (): Promise<TimelineEvent> => (await readWholeLog(harness!.store)).at(-1)!;

/** Any event that names no actor: it only carries the snapshots the batch before left due into the store. */
let flushes = 0;
const flush = () => harness!.run('registerActor', { id: `flush-${++flushes}`, name: 'Flush', kind: 'PERSON' });

describe('snapshot policy', () => {
  it.each([2, 3])(
    'leaves a snapshot every %i entries, built at the checkpoint of the batch that made it due, written with the next',
    async (snapshotEvery) => {
      await open({ snapshotEvery, slack: 0 });
      const recorded = new Map<number, TimelineEvent>();
      for (let n = 1; n <= 12; n++) {
        await record(n);
        recorded.set(n, await lastEvent());
        // Due after every snapshotEvery-th development, and only in the store once a batch after it committed.
        const written = [...recorded.keys()].filter((k) => k % snapshotEvery === 0 && k < n);
        expect(await boundaries('alice'), `after dev-${n}`).toEqual(devs(...written));
        expect(await boundaries('boris'), `after dev-${n}`).toEqual(devs(...written));
      }
      // dev-12's is due, not yet written: any batch carries it.
      await flush();
      const all = [...recorded.keys()].filter((k) => k % snapshotEvery === 0);
      expect(await boundaries('alice')).toEqual(devs(...all));
      for (const meta of await metas('alice')) {
        const built = recorded.get(Number(meta.boundary.developmentId.slice(4)))!;
        expect(meta).toMatchObject({
          actorId: 'alice',
          builtPosition: built.position,
          builtAtMs: built.recordedAt.getTime(),
        });
        expect(meta.boundary).toMatchObject({
          occurredAtMs: Date.parse(day(Number(meta.boundary.developmentId.slice(4)))),
        });
        expect(await harness!.readStore.snapshotState(meta)).toBeDefined();
      }
      // An actor no development names has none.
      expect(await metas('acme')).toEqual([]);
    },
  );

  it('lists a development recorded behind a snapshot and corrected in the same batch once per event, at its earlier date', async () => {
    await open({});
    for (let n = 1; n <= 8; n++) await record(n * 2);
    // dev-3 arrives late (day 3, behind the boundaries at days 6 and 12) and is moved to day 9 at once.
    await record(3);
    await harness!.run('correctDevelopment', {
      id: 'dev-3',
      expectedRevision: 0,
      reason: 'later',
      patch: { occurredAt: day(9) },
    });
    await flush();
    const log = await readWholeLog(harness!.store);
    const [recorded, corrected] = log.filter((event) => event.streamId.endsWith('dev-3'));

    // One page for the whole log: the recording and the correction fall in one batch.
    other = createMemoryReadStore();
    await rebuildReadModels(harness!.store, other, { snapshotEvery: 3, slack: 0, pageSize: log.length });
    expect((await other.snapshotMetas('alice')).map((meta) => meta.boundary.developmentId)).toEqual(devs(6, 12));
    const changes = (await other.entries({ kind: 'changes', id: 'alice' }, { knownAtMs: Infinity })).filter(
      (entry) => entry.developmentId === 'dev-3',
    );
    // The late arrival by its share, and the correction once, at day 3 (not again at day 9, where its stamp alone
    // would have told Redis nothing new and taken the place of the day-3 member).
    expect(changes.map((entry) => [entry.occurredAtMs, entry.addedPosition, entry.share !== undefined])).toEqual([
      [dayMs(3), recorded!.position, true],
      [dayMs(3), corrected!.position, false],
    ]);
  });

  it("cuts a rebuild's page where an actor gained two intervals, with a snapshot every interval, each answering as a fold from the start", async () => {
    await open({});
    for (let n = 1; n <= 13; n++) await record(n, { tone: (n % 5) - 2 });
    // dev-4 moves to day 11: it takes a second place in each index, 14 entries in all.
    await harness!.run('correctDevelopment', {
      id: 'dev-4',
      expectedRevision: 0,
      reason: 'later',
      patch: { occurredAt: day(11) },
    });
    await flush();
    const events = (await readWholeLog(harness!.store)).length;

    // Everything but the last event in one page, as a rebuild takes the log. The page is cut into batches where
    // alice (named by every development) has gained two intervals: dev-1..6, dev-7..12, then dev-13 and the
    // correction. Each of the first two leaves a snapshot every interval along what it brought (dev-3 and dev-6,
    // dev-9 and dev-12), written with the batch after it; the third gained less than an interval.
    other = createMemoryReadStore();
    await rebuildReadModels(harness!.store, other, { snapshotEvery: 3, slack: 0, pageSize: events - 1 });
    const built = await other.snapshotMetas('alice');
    expect(built.map((meta) => meta.boundary.developmentId)).toEqual(devs(3, 6, 9, 12));
    expect(new Set(built.map((meta) => meta.builtPosition.commit))).toHaveLength(2);

    const bare = createMemoryReadStore();
    try {
      await rebuildReadModels(harness!.store, bare, { snapshotEvery: Number.MAX_SAFE_INTEGER });
      const knownAt = (await lastEvent()).recordedAt;
      const points: TimePoint[] = [0, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 20].map((n) => ({
        asOf: new Date(dayMs(n)),
        knownAt,
      }));
      expect(points.filter((point) => bestSnapshot(built, point.asOf.getTime(), knownAt.getTime()))).toHaveLength(10);
      expect(await snapshotReadModel(other, points)).toEqual(await snapshotReadModel(bare, points));
    } finally {
      await bare.close();
    }
  });

  it('lists each correction and retraction in the changes index of every actor it names, before and after, at the earlier of its occurredAts', async () => {
    await open({ snapshotEvery: 2, rebuildsPerSnapshot: 0, maxChangesBehind: Infinity, slack: 0 });
    for (let n = 1; n <= 6; n++) await record(n);
    await harness!.run('registerActor', { id: 'carla', name: 'Carla', kind: 'PERSON' });
    const changes = async (actorId: string) =>
      (await harness!.readStore.entries({ kind: 'changes', id: actorId }, { knownAtMs: Infinity })).map((entry) => [
        entry.developmentId,
        entry.occurredAtMs,
      ]);

    // A verification changes nothing a summary holds; in-order developments land at the end of the index.
    await harness!.run('verifyDevelopment', { id: 'dev-3', status: 'CONFIRMED', summary: 'checked' });
    expect(await changes('alice')).toEqual([]);

    // Moved later, from day 5 to day 9, and handed from boris to carla: listed from day 5 for the two with a
    // snapshot there; carla has none, so nothing of hers needs it.
    await harness!.run('correctDevelopment', {
      id: 'dev-5',
      expectedRevision: 0,
      reason: 'later, and someone else',
      patch: {
        occurredAt: day(9),
        participants: [
          { actorId: 'alice', role: 'SOURCE' },
          { actorId: 'carla', role: 'TARGET' },
        ],
      },
    });
    const moved = await lastEvent();
    for (const actorId of ['alice', 'boris']) expect(await changes(actorId)).toEqual([['dev-5', dayMs(5)]]);
    expect(await changes('carla')).toEqual([]);
    expect(
      (await harness!.readStore.entries({ kind: 'changes', id: 'alice' }, { knownAtMs: Infinity }))[0],
    ).toMatchObject({
      recordPosition: moved.position,
      addedPosition: moved.position,
      addedAtMs: moved.recordedAt.getTime(),
    });

    // Retracted: listed at its occurredAt. A late arrival behind alice's snapshots lists itself there; one after
    // them all (day 20) is no change to any snapshot.
    await harness!.run('retractDevelopment', { id: 'dev-2', expectedRevision: 0, reason: 'a hoax' });
    await record(0);
    await record(20);
    expect(await changes('alice')).toEqual([
      ['dev-0', dayMs(0)],
      ['dev-2', dayMs(2)],
      ['dev-5', dayMs(5)],
    ]);
    // Nothing reaches an actor the changes never named, nor the indexes questions walk.
    expect(await changes('acme')).toEqual([]);
    const world = await harness!.readStore.entries({ kind: 'world', id: '' }, { knownAtMs: Infinity });
    expect(world.filter((entry) => entry.developmentId === 'dev-5')).toHaveLength(2);
  });

  it('builds again, with each new snapshot, the boundaries built longest ago that something changed behind', async () => {
    await open({ snapshotEvery: 2, rebuildsPerSnapshot: 1, slack: 0 });
    for (let n = 1; n <= 8; n++) await record(n * 2);
    await flush();
    expect(await boundaries()).toEqual(devs(4, 8, 12, 16));
    const before = await metas();

    // A late arrival behind dev-8's boundary and a retraction at dev-4's.
    await record(5);
    await harness!.run('retractDevelopment', { id: 'dev-4', expectedRevision: 0, reason: 'a hoax' });
    const changedAt = (await lastEvent()).recordedAt.getTime();
    // dev-5 and dev-17 make two entries gained: the upkeep is due, with one boundary built again, the stalest of
    // those something changed behind, dev-4's. No new boundary yet: only dev-17 lies after dev-16's.
    await record(17);
    await flush();
    const after = await metas();
    const rebuilt = after.filter((meta) => !before.some((old) => old.builtAtMs === meta.builtAtMs));
    expect(rebuilt.map((meta) => meta.boundary.developmentId)).toEqual(devs(4));
    // Two versions of dev-4's boundary now: a question picks the one built by its knownAt.
    const versions = after.filter((meta) => meta.boundary.developmentId === 'dev-4');
    expect(versions).toHaveLength(2);
    expect(bestSnapshot(after, dayMs(4), changedAt - 1)).toEqual(versions[0]);
    expect(bestSnapshot(after, dayMs(5) - 1, Date.now())).toEqual(versions[1]);
    // What the new version holds is the fold at its checkpoint: the retraction is in it.
    const state = (await harness!.readStore.snapshotState(versions[1]!)) as StoredSummary;
    expect(state.n).toBe(1);
  });

  it('builds again, beyond the budget, every boundary with maxChangesBehind changes behind it', async () => {
    await open({ snapshotEvery: 2, rebuildsPerSnapshot: 0, maxChangesBehind: 2, slack: 0 });
    for (let n = 1; n <= 8; n++) await record(n * 10);
    await flush();
    expect(await boundaries()).toEqual(devs(20, 40, 60, 80));
    const before = await metas();

    // Late arrivals: day 5 lies behind every boundary, day 45 behind 60 and 80 only, day 65 behind 80 only.
    for (const n of [5, 45, 65]) await record(n);
    // The upkeep (the late arrivals make it due) builds again the boundaries that have two changes behind them, the
    // furthest too, and no other: the budget alone builds none.
    await flush();
    const rebuilt = (await metas()).filter((meta) => !before.some((old) => old.builtAtMs === meta.builtAtMs));
    expect(rebuilt.map((meta) => meta.boundary.developmentId).sort()).toEqual(devs(60, 80).sort());
  });

  it('places no boundary on the developments dated ahead of the rest that end the index', async () => {
    await open({ snapshotEvery: 4 });
    // dev-900 is dated far ahead of what is recorded around it; a quarter interval (one entry) stays after the last
    // boundary, and the boundaries fall every fourth entry before it as the others arrive.
    for (const n of [10, 20, 900, 30, 40, 50, 60, 70, 80, 90]) await record(n);
    await flush();
    expect(await boundaries()).toEqual(devs(40, 80));
    // Nothing recorded after dev-900 lies behind a boundary: none of it is listed as a late arrival.
    expect(await harness!.readStore.countEntries({ kind: 'changes', id: 'alice' })).toBe(0);
  });

  it('places new boundaries inside an interval that late arrivals filled, so that no walk outgrows it', async () => {
    // No slack: the next boundary falls on the index's end, a development dated well ahead of the rest.
    await open({ snapshotEvery: 2, rebuildsPerSnapshot: 0, maxChangesBehind: Infinity, slack: 0 });
    for (const n of [10, 20]) await record(n);
    for (const n of [100, 110]) await record(n);
    await flush();
    expect(await boundaries()).toEqual(devs(20, 110));

    // Then the developments dated in between arrive: behind the end, between the two boundaries.
    for (const n of [30, 40, 50, 60, 70, 80]) await record(n);
    await flush();
    const standing = [...new Set(await boundaries())];
    expect(standing).toEqual(expect.arrayContaining(devs(20, 110)));
    // Between any two boundaries, at most two intervals' worth of entries: the walk's bound.
    const entries = await harness!.readStore.entries({ kind: 'actor', id: 'alice' }, { knownAtMs: Infinity });
    const at = (id: string) => entries.findIndex((entry) => entry.developmentId === id);
    const positions = standing.map(at).sort((a, b) => a - b);
    const gaps = positions.map((position, i) => position - (i === 0 ? -1 : positions[i - 1]!));
    expect(Math.max(...gaps), `boundaries ${standing.join(', ')}`).toBeLessThanOrEqual(4);
  });

  it('answers with snapshots what it answers without them', async () => {
    await open({ snapshotEvery: 2 });
    await harness!.run('registerActor', { id: 'carla', name: 'Carla', kind: 'PERSON' });
    const marks: Date[] = [await mark(2)];
    const step = async (run: () => Promise<unknown>) => {
      await run();
      marks.push(await mark(2));
    };
    const pair = (source: string, target: string) => [
      { actorId: source, role: 'SOURCE' },
      { actorId: target, role: 'TARGET' },
    ];
    const stance = (actorId: string, topicId: string, value: string) => ({ actorId, topicId, stance: value });
    for (let n = 1; n <= 8; n++) {
      await step(() =>
        record(n * 2, {
          participants: pair(n % 3 === 0 ? 'carla' : 'alice', 'boris'),
          positions: [stance('alice', n % 2 === 0 ? 'war' : 'talks', n % 2 === 0 ? 'SUPPORTS' : 'OPPOSES')],
          tone: n - 4,
          meeting: { id: `summit-${n % 3}`, status: 'PROPOSED' },
        }),
      );
    }
    // Late arrivals inside the snapshots, naming meetings and stances they do not hold yet.
    await step(() =>
      record(1, { meeting: { id: 'summit-late', status: 'HELD' }, positions: [stance('alice', 'war', 'OPPOSES')] }),
    );
    await step(() => record(7, { participants: pair('boris', 'alice'), tone: 9 }));
    // Corrections both ways, in and out of the snapshots, a retraction and a verification.
    await step(() =>
      harness!.run('correctDevelopment', {
        id: 'dev-4',
        expectedRevision: 0,
        reason: 'later',
        patch: { occurredAt: day(15), tone: 3 },
      }),
    );
    await step(() =>
      harness!.run('correctDevelopment', {
        id: 'dev-14',
        expectedRevision: 0,
        reason: 'earlier',
        patch: { occurredAt: day(3), participants: pair('alice', 'carla') },
      }),
    );
    await step(() => harness!.run('retractDevelopment', { id: 'dev-10', expectedRevision: 0, reason: 'a hoax' }));
    await step(() => harness!.run('verifyDevelopment', { id: 'dev-8', status: 'DISPUTED', summary: 'unlikely' }));
    for (let n = 17; n <= 20; n++) await step(() => record(n, { tone: (n % 5) - 2 }));
    await flush();

    const withSnapshots = await metas();
    expect(withSnapshots.length).toBeGreaterThan(3);
    expect(await harness!.readStore.countEntries({ kind: 'changes', id: 'alice' })).toBeGreaterThan(0);

    // The same log, folded into a store that never leaves a snapshot.
    other = createMemoryReadStore();
    await rebuildReadModels(harness!.store, other, { snapshotEvery: Number.MAX_SAFE_INTEGER });
    for (const id of ['alice', 'boris', 'carla']) expect(await other.snapshotMetas(id)).toEqual([]);

    const asOfs = [0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 20, 40].map((n) => new Date(dayMs(n)));
    const points: TimePoint[] = marks.flatMap((knownAt) => asOfs.map((asOf) => ({ asOf, knownAt })));
    // The points start from snapshots, some of them with changes behind them to apply.
    const used = (found: readonly SnapshotMeta[]) =>
      points.filter((point) => bestSnapshot(found, point.asOf.getTime(), point.knownAt.getTime())).length;
    expect(used(withSnapshots)).toBeGreaterThan(points.length / 4);

    expect(await snapshotReadModel(harness!.reads, points)).toEqual(await snapshotReadModel(other, points));
    // Among what they compare: an actor's meetings, in the same order whether its fold started from a snapshot
    // (late arrivals folded on top) or not. The late one is among them.
    const final = { asOf: asOfs.at(-1)!, knownAt: marks.at(-1)! };
    const meetings = (await (await actorActivityAt(harness!.reads, 'alice', final)).meetings()).map(
      (meeting) => meeting.id,
    );
    expect(meetings).toContain('summit-late');
  });
});
