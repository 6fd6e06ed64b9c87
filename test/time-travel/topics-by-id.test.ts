import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicAt, topicsByIdAt } from '../../src/time-travel/topic-at.js';
import { openHarness, type TimelineHarness } from '../support/timeline-harness.js';

/** The read that answers the positions of a busy actor (hundreds of topics at one time point) in one batch. */
describe('topics at one time point, in one read', () => {
  let harness: TimelineHarness;
  const marks: Date[] = [];
  const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

  beforeAll(async () => {
    harness = await openHarness();
    marks.push(new Date());
    await pause();
    await harness.run('openTopic', { id: 'trade', title: 'Trade', openedAt: '2020-01-01T00:00:00.000Z' });
    await pause();
    marks.push(new Date());
    await pause();
    await harness.run('openTopic', { id: 'border', title: 'Border', openedAt: '2024-01-01T00:00:00.000Z' });
    await harness.run('changeTopicStatus', { topicId: 'trade', status: 'ACTIVE', at: '2022-01-01T00:00:00.000Z' });
    await pause();
    marks.push(new Date());
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it('gives each topic open by asOf as known at knownAt, with its status then, and none that was not', async () => {
    const ids = ['trade', 'border', 'nowhere'];
    const seen = async (knownAt: Date, day: string) => {
      const found = await topicsByIdAt(harness.reads, ids, { asOf: new Date(day), knownAt });
      return Object.fromEntries([...found].map(([id, topic]) => [id, topic.status]));
    };
    const [before, tradeOnly, both] = marks as [Date, Date, Date];
    for (const day of ['2019-06-01', '2021-06-01', '2025-06-01']) expect(await seen(before, day)).toEqual({});
    // Known: trade, opened in 2020; its status change in 2022 not yet.
    expect(await seen(tradeOnly, '2019-06-01')).toEqual({});
    expect(await seen(tradeOnly, '2023-06-01')).toEqual({ trade: 'EMERGING' });
    expect(await seen(tradeOnly, '2025-06-01')).toEqual({ trade: 'EMERGING' });
    // Known: border, opened in 2024, and trade ACTIVE from 2022.
    expect(await seen(both, '2021-06-01')).toEqual({ trade: 'EMERGING' });
    expect(await seen(both, '2023-06-01')).toEqual({ trade: 'ACTIVE' });
    expect(await seen(both, '2025-06-01')).toEqual({ trade: 'ACTIVE', border: 'EMERGING' });
    // One topic alone answers as the batch does.
    const at = { asOf: new Date('2025-06-01'), knownAt: both };
    expect(await topicAt(harness.reads, 'border', at)).toEqual(
      (await topicsByIdAt(harness.reads, ids, at)).get('border'),
    );
    expect(await topicAt(harness.reads, 'nowhere', at)).toBeNull();
  });
});
