import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DevelopmentState } from '../../src/domain/development.js';
import type { ReadModelReader, VersionKind } from '../../src/read-store/read-model-store.js';
import { actorActivityAt } from '../../src/time-travel/actor-at.js';
import { decodeShare, encodeShare, shareOf } from '../../src/time-travel/actor-share.js';
import { development, openHarness, registerBasics, type TimelineHarness } from '../support/timeline-harness.js';

/**
 * An actor's index entries keep what their development gives the actor (its share), so that a fold reads no
 * development versions; the actor's superseded index names the entries whose share a correction or retraction
 * made stale, and only those are judged by their versions (src/time-travel/actor-share.ts, actor-at.ts).
 */

const STANCES = ['SUPPORTS', 'OPPOSES', 'NEUTRAL', 'CONDITIONAL', 'UNDECIDED'] as const;
const actorId = fc.constantFrom('alice', 'boris', 'chen', 'dana');

const developmentState = fc.record({
  // Canonical (what the entry's place restores), or as a writer may put it: without milliseconds.
  occurredAt: fc
    .tuple(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.boolean())
    .map(([ms, canonical]) =>
      canonical ? new Date(ms).toISOString() : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'),
    ),
  participants: fc.array(fc.record({ actorId, role: fc.constantFrom('SOURCE', 'TARGET', 'MEDIATOR', 'OBSERVER') }), {
    maxLength: 4,
  }),
  positions: fc.array(
    fc.record({
      actorId,
      topicId: fc.constantFrom('war', 'trade'),
      stance: fc.constantFrom(...STANCES),
      summary: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  quotes: fc.array(fc.record({ speakerId: fc.option(actorId, { nil: undefined }), text: fc.string() }), {
    maxLength: 2,
  }),
  meeting: fc.option(fc.record({ id: fc.constantFrom('m-1', 'm-2'), participantIds: fc.array(actorId) }), {
    nil: undefined,
  }),
  // + 0: JSON has no -0, and a tone of -0 counts as 0 (toneUnits).
  tone: fc.option(
    fc.double({ min: -10, max: 10, noNaN: true }).map((tone) => tone + 0),
    { nil: undefined },
  ),
});

describe('an actor share', () => {
  it('is read back as it was written, for any development and actor', () => {
    fc.assert(
      fc.property(developmentState, actorId, (state, actor) => {
        const share = shareOf(state as unknown as DevelopmentState, actor);
        const text = encodeShare(share);
        expect(text === undefined ? null : decodeShare(text, Date.parse(state.occurredAt))).toEqual(share);
      }),
    );
  });
});

let harness: TimelineHarness | undefined;

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

/** The store, counting the development versions each read asks for. */
const counting = (reads: ReadModelReader) => {
  const asked: string[] = [];
  const reader: ReadModelReader = {
    ...reads,
    checkpoint: () => reads.checkpoint(),
    ids: (kind) => reads.ids(kind),
    entries: (index, query) => reads.entries(index, query),
    countEntries: (index, query) => reads.countEntries(index, query),
    snapshotMetas: (id) => reads.snapshotMetas(id),
    snapshotState: (meta) => reads.snapshotState(meta),
    snapshotText: (meta) => reads.snapshotText(meta),
    subtopicIds: (id) => reads.subtopicIds(id),
    positionRecordedBefore: (ms) => reads.positionRecordedBefore(ms),
    versions: (kind: VersionKind, ids: readonly string[]) => {
      if (kind === 'development') asked.push(...ids);
      return reads.versions(kind, ids);
    },
  };
  return { reader, asked };
};

describe("an actor's fold", () => {
  it('reads the versions of superseded entries only: a correction of what it gives, a move, a retraction', async () => {
    harness = await openHarness({});
    await registerBasics(harness);
    const day = (n: number) => new Date(Date.UTC(2025, 0, n)).toISOString();
    for (let n = 1; n <= 6; n++) {
      await harness.run('recordDevelopment', development({ id: `dev-${n}`, occurredAt: day(n), tone: n - 3 }));
    }
    const before = new Date();
    const correct = (id: string, patch: Record<string, unknown>) =>
      harness!.run('correctDevelopment', { id, expectedRevision: 0, reason: 'checked', patch });
    await correct('dev-2', { title: 'Alice speaks again' }); // gives alice and boris what it gave
    await correct('dev-3', { tone: 4 });
    await correct('dev-4', { occurredAt: day(9) });
    await harness.run('retractDevelopment', { id: 'dev-5', expectedRevision: 0, reason: 'a hoax' });

    const superseded = await harness.readStore.entries({ kind: 'superseded', id: 'alice' }, { knownAtMs: Infinity });
    expect(superseded.map((entry) => entry.developmentId)).toEqual(['dev-3', 'dev-4', 'dev-5']);

    const now = { asOf: new Date(day(30)), knownAt: new Date() };
    const { reader, asked } = counting(harness.readStore);
    const activity = await actorActivityAt(reader, 'alice', now);
    expect(new Set(asked)).toEqual(new Set(['dev-3', 'dev-4', 'dev-5']));
    // dev-5 retracted; dev-4 once, at day 9: 1 + 2 + 3 + 4 + 6, with the tones -2, -1, 4 (dev-3), 1 (dev-4), 3.
    expect(activity.developmentCount).toBe(5);
    expect(activity.relations).toEqual([
      expect.objectContaining({
        otherId: 'boris',
        developmentCount: 5,
        toneSum: 5_000_000,
        lastDevelopmentId: 'dev-4',
      }),
    ]);

    // Before any change, every share holds: nothing is superseded yet, and no version is read.
    const then = counting(harness.readStore);
    const earlier = await actorActivityAt(then.reader, 'alice', { asOf: now.asOf, knownAt: before });
    expect(then.asked).toEqual([]);
    expect(earlier.developmentCount).toBe(6);
    expect(earlier.relations[0]).toMatchObject({ toneSum: 3_000_000, lastDevelopmentId: 'dev-6' });
  });
});

describe('a late arrival behind a snapshot', () => {
  it("is applied from its change's share, and from its versions once a correction lists it again", async () => {
    harness = await openHarness({ snapshotEvery: 2 });
    await registerBasics(harness);
    const day = (n: number) => new Date(Date.UTC(2025, 0, n)).toISOString();
    for (let n = 1; n <= 6; n++) {
      await harness.run('recordDevelopment', development({ id: `dev-${n}`, occurredAt: day(n), tone: 1 }));
    }
    // Carries the snapshots due into the store.
    await harness.run('registerActor', { id: 'flush', name: 'Flush', kind: 'PERSON' });
    expect((await harness.readStore.snapshotMetas('alice')).length).toBeGreaterThan(0);
    await harness.run('recordDevelopment', development({ id: 'dev-late', occurredAt: day(2), tone: 5 }));
    const changes = await harness.readStore.entries({ kind: 'changes', id: 'alice' }, { knownAtMs: Infinity });
    expect(changes.map((change) => [change.developmentId, change.share !== undefined])).toEqual([['dev-late', true]]);

    const now = () => ({ asOf: new Date(day(30)), knownAt: new Date() });
    const first = counting(harness.readStore);
    const activity = await actorActivityAt(first.reader, 'alice', now());
    expect(first.asked).toEqual([]);
    expect(activity.developmentCount).toBe(7);
    expect(activity.relations[0]).toMatchObject({ toneSum: 11_000_000, toneCount: 7 });

    await harness.run('correctDevelopment', {
      id: 'dev-late',
      expectedRevision: 0,
      reason: 'checked',
      patch: { tone: -5 },
    });
    const second = counting(harness.readStore);
    const corrected = await actorActivityAt(second.reader, 'alice', now());
    expect(new Set(second.asked)).toEqual(new Set(['dev-late']));
    expect(corrected.relations[0]).toMatchObject({ toneSum: 1_000_000, toneCount: 7 });
  });
});
