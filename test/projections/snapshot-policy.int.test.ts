import { afterEach, describe, expect, it } from 'vitest';
import { development, openHarness, registerBasics, type TimelineHarness } from '../support/timeline-harness.js';

/** When the projection leaves actor snapshots, and when it waits (see leaveSnapshots in timeline-read-model.ts). */

let harness: TimelineHarness;

afterEach(async () => {
  await harness.dispose();
});

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();

const record = (n: number) =>
  harness.run('recordDevelopment', development({ id: `dev-${n}`, title: `Day ${n}`, occurredAt: day(n) }));

describe('snapshot policy', () => {
  it('leaves a snapshot every snapshotEvery entries while each builds on the one before', async () => {
    harness = await openHarness({ snapshotEvery: 2 });
    await registerBasics(harness);
    for (let n = 1; n <= 12; n++) await record(n);
    expect(harness.model.actorSnapshots('alice').map((s) => s.boundary.developmentId)).toEqual(
      [2, 4, 6, 8, 10, 12].map((n) => `dev-${n}`),
    );
  });

  it('after a correction closes every snapshot, waits until the new entries are two thirds of the walk a new one costs', async () => {
    harness = await openHarness({ snapshotEvery: 2 });
    await registerBasics(harness);
    for (let n = 1; n <= 12; n++) await record(n);
    await harness.run('correctDevelopment', {
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'wrong day',
      patch: { occurredAt: day(0) },
    });
    const built = () => harness.model.actorSnapshots('alice').length;
    expect(built()).toBe(6);
    // From scratch, a snapshot now walks the whole index: 12 developments, the moved one's new entry, and every
    // new one. The correction's entry and the new developments count as new entries; a snapshot is built once
    // they are at least 1 / 1.5 of the walk: 24 new entries against 36, at dev-35.
    for (let n = 13; n <= 34; n++) await record(n);
    expect(built()).toBe(6);
    await record(35);
    expect(built()).toBe(7);
    // The new one stands, so the next builds on it again, two entries later.
    await record(36);
    await record(37);
    expect(built()).toBe(8);
  });

  it('with extraFoldsPerEntry Infinity, builds from scratch every time (what the property tests use)', async () => {
    harness = await openHarness({ snapshotEvery: 2, extraFoldsPerEntry: Infinity });
    await registerBasics(harness);
    for (let n = 1; n <= 4; n++) await record(n);
    await harness.run('correctDevelopment', {
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'wrong day',
      patch: { occurredAt: day(0) },
    });
    await record(5);
    await record(6);
    expect(harness.model.actorSnapshots('alice')).toHaveLength(3);
  });
});
