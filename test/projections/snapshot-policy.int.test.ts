import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../events/index.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelStore, SnapshotMeta } from '../../src/read-store/read-model-store.js';
import { actorActivityAt } from '../../src/time-travel/actor-at.js';
import { bestSnapshot } from '../../src/time-travel/snapshots.js';
import { mark } from '../support/clock.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { readWholeLog } from '../support/reference-fold.js';
import { development, openHarness, registerBasics, type TimelineHarness } from '../support/timeline-harness.js';

/**
 * When the projection leaves actor snapshots, which changes close them, and when it waits
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

/** The last event on the log: what a closure is stamped with. */
const lastEvent = async (): Promise<TimelineEvent> => (await readWholeLog(harness!.store)).at(-1)!;

/** Any event that names no actor: it only carries the snapshots the batch before left due into the store. */
let flushes = 0;
const flush = () => harness!.run('registerActor', { id: `flush-${++flushes}`, name: 'Flush', kind: 'PERSON' });

describe('snapshot policy', () => {
  it.each([2, 3])(
    'leaves a snapshot every %i entries, built at the checkpoint of the batch that made it due, written with the next',
    async (snapshotEvery) => {
      await open({ snapshotEvery });
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
          invalidAtMs: Infinity,
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

  it('a correction or retraction closes the snapshots at or after the earlier of its occurredAts, from its recordedAt on', async () => {
    // No replacements here (maxWalk Infinity): what is closed, and when, is the point.
    await open({ snapshotEvery: 2, extraFoldsPerEntry: Infinity, maxWalk: Infinity });
    for (let n = 1; n <= 12; n++) await record(n);
    await flush();
    expect(await boundaries()).toEqual(devs(2, 4, 6, 8, 10, 12));
    // When each of these six stops standing (later ones are built as the changes add entries).
    const lastBuiltMs = (await metas()).at(-1)!.builtAtMs;
    const invalidAt = async () =>
      Object.fromEntries(
        (await metas())
          .filter((meta) => meta.builtAtMs <= lastBuiltMs)
          .map((meta) => [meta.boundary.developmentId, meta.invalidAtMs]),
      );

    // A verification changes nothing a snapshot holds.
    await harness!.run('verifyDevelopment', { id: 'dev-3', status: 'CONFIRMED', summary: 'checked' });
    expect(Object.values(await invalidAt()).every((at) => at === Infinity)).toBe(true);

    // Moved later, from day 5 to day 9: everything from day 5 on changed.
    await harness!.run('correctDevelopment', {
      id: 'dev-5',
      expectedRevision: 0,
      reason: 'later than thought',
      patch: { occurredAt: day(9) },
    });
    const later = (await lastEvent()).recordedAt.getTime();
    expect(await invalidAt()).toEqual({
      'dev-2': Infinity,
      'dev-4': Infinity,
      'dev-6': later,
      'dev-8': later,
      'dev-10': later,
      'dev-12': later,
    });

    // Moved earlier, from day 11 to day 3: from day 3 on; those already closed stay closed at the first change.
    await harness!.run('correctDevelopment', {
      id: 'dev-11',
      expectedRevision: 0,
      reason: 'earlier than thought',
      patch: { occurredAt: day(3) },
    });
    const earlier = (await lastEvent()).recordedAt.getTime();
    expect(earlier).toBeGreaterThan(later);
    expect(await invalidAt()).toMatchObject({
      'dev-2': Infinity,
      'dev-4': earlier,
      'dev-6': later,
      'dev-8': later,
      'dev-10': later,
      'dev-12': later,
    });

    // A retraction, from its occurredAt on.
    await harness!.run('retractDevelopment', { id: 'dev-2', expectedRevision: 0, reason: 'a hoax' });
    const retracted = (await lastEvent()).recordedAt.getTime();
    expect(await invalidAt()).toEqual({
      'dev-2': retracted,
      'dev-4': earlier,
      'dev-6': later,
      'dev-8': later,
      'dev-10': later,
      'dev-12': later,
    });
    // The two corrections' new entries made one due, built before the retraction: the retraction closed it too.
    const between = (await metas()).filter((meta) => meta.builtAtMs > lastBuiltMs);
    expect(between.map((meta) => [meta.boundary.developmentId, meta.invalidAtMs])).toEqual([['dev-12', retracted]]);

    // Snapshots built after the changes stand.
    await record(13);
    await record(14);
    await flush();
    const after = (await metas()).filter((meta) => meta.builtAtMs > retracted);
    expect(after.map((meta) => [meta.boundary.developmentId, meta.invalidAtMs])).toEqual([['dev-14', Infinity]]);

    // A change to a development that does not name alice leaves her snapshots as they were.
    const before = await metas();
    await harness!.run(
      'recordDevelopment',
      development({ id: 'elsewhere', occurredAt: day(1), participants: [{ actorId: 'acme', role: 'SOURCE' }] }),
    );
    await harness!.run('correctDevelopment', {
      id: 'elsewhere',
      expectedRevision: 0,
      reason: 'moved',
      patch: { occurredAt: day(0) },
    });
    await flush();
    expect(await metas()).toEqual(before);
  });

  it('after a correction closes every snapshot, waits until the new entries are two thirds of the walk a new one costs', async () => {
    await open({ snapshotEvery: 2, maxWalk: Infinity });
    for (let n = 1; n <= 12; n++) await record(n);
    await harness!.run('correctDevelopment', {
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'wrong day',
      patch: { occurredAt: day(0) },
    });
    const built = async () => (await metas()).length;
    // dev-12's snapshot was written with the correction, and closed by it like all the others.
    expect(await built()).toBe(6);
    expect((await metas()).every((meta) => meta.invalidAtMs !== Infinity)).toBe(true);
    // From scratch, a snapshot now walks the whole index: 12 developments, the moved one's new entry, and every
    // new one. The correction's entry and the new developments count as new entries; a snapshot is built once
    // they are at least 1 / 1.5 of the walk: 24 new entries against 36, at dev-35 (written with dev-36).
    for (let n = 13; n <= 35; n++) await record(n);
    expect(await built()).toBe(6);
    await record(36);
    expect(await built()).toBe(7);
    expect((await metas()).at(-1)).toMatchObject({ invalidAtMs: Infinity, boundary: { developmentId: 'dev-35' } });
    // The new one stands, so the next builds on it again, two entries later (written with the batch after).
    await record(37);
    expect(await built()).toBe(7);
    await record(38);
    expect(await boundaries()).toEqual(devs(2, 4, 6, 8, 10, 12, 35, 37));
  });

  it('replaces what a correction closed with a snapshot built at once, when it left a walk longer than maxWalk', async () => {
    await open({ snapshotEvery: 2, maxWalk: 6 });
    for (let n = 1; n <= 12; n++) await record(n);
    await flush();
    const before = await metas();
    expect(before.every((meta) => meta.invalidAtMs === Infinity)).toBe(true);
    // Moved back to day 0: every snapshot is closed, and a question at the latest knownAt would walk all 13 entries.
    await harness!.run('correctDevelopment', {
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'wrong day',
      patch: { occurredAt: day(0) },
    });
    const correctedAt = (await lastEvent()).recordedAt.getTime();
    await flush();
    const after = await metas();
    const replacements = after.filter((meta) => meta.builtAtMs >= correctedAt);
    expect(replacements).toHaveLength(1);
    // Built over the whole index as the correction left it: its last entry is the boundary, and it stands.
    expect(replacements[0]).toMatchObject({ invalidAtMs: Infinity, boundary: { developmentId: 'dev-12' } });
    expect(after.filter((meta) => meta.builtAtMs < correctedAt).every((meta) => meta.invalidAtMs === correctedAt)).toBe(
      true,
    );
    // A question at the latest knownAt starts there; one before the correction keeps the snapshots of its time.
    const now = Date.now();
    expect(bestSnapshot(after, dayMs(30), now)).toEqual(replacements[0]);
    expect(bestSnapshot(after, dayMs(30), correctedAt - 1)?.builtAtMs).toBeLessThan(correctedAt);
  });

  it('with extraFoldsPerEntry Infinity, builds from scratch every time (what the property tests use)', async () => {
    await open({ snapshotEvery: 2, extraFoldsPerEntry: Infinity });
    for (let n = 1; n <= 4; n++) await record(n);
    await harness!.run('correctDevelopment', {
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'wrong day',
      patch: { occurredAt: day(0) },
    });
    await record(5);
    await record(6);
    const found = await metas();
    expect(found.map((meta) => [meta.boundary.developmentId, meta.invalidAtMs === Infinity])).toEqual([
      ['dev-2', false],
      ['dev-4', false],
      ['dev-5', true],
    ]);
  });

  it('answers with snapshots what it answers without them', async () => {
    await open({ snapshotEvery: 2, extraFoldsPerEntry: Infinity });
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
    expect(withSnapshots.some((meta) => meta.invalidAtMs !== Infinity)).toBe(true);

    // The same log, folded into a store that never leaves a snapshot.
    other = createMemoryReadStore();
    await rebuildReadModels(harness!.store, other, { snapshotEvery: Number.MAX_SAFE_INTEGER });
    for (const id of ['alice', 'boris', 'carla']) expect(await other.snapshotMetas(id)).toEqual([]);

    const asOfs = [0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 20, 40].map((n) => new Date(dayMs(n)));
    const points: TimePoint[] = marks.flatMap((knownAt) => asOfs.map((asOf) => ({ asOf, knownAt })));
    // The points ask snapshots both open and closed at their knownAt.
    const used = (found: readonly SnapshotMeta[]) =>
      points.filter((point) => bestSnapshot(found, point.asOf.getTime(), point.knownAt.getTime())).length;
    expect(used(withSnapshots)).toBeGreaterThan(points.length / 4);
    expect(
      points.some((point) =>
        withSnapshots.some(
          (meta) => meta.invalidAtMs <= point.knownAt.getTime() && meta.boundary.occurredAtMs <= point.asOf.getTime(),
        ),
      ),
    ).toBe(true);

    expect(await snapshotReadModel(harness!.reads, points)).toEqual(await snapshotReadModel(other, points));
    // Among what they compare: an actor's meetings, in the same order whether its fold started from a snapshot
    // (late arrivals folded on top) or not. The late one is among them.
    const final = { asOf: asOfs.at(-1)!, knownAt: marks.at(-1)! };
    const meetings = (await actorActivityAt(harness!.reads, 'alice', final)).meetings.map((meeting) => meeting.id);
    expect(meetings).toContain('summit-late');
  });
});
