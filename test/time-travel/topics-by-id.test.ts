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

  it('gives each topic as topicAt does: open and known, not yet opened, not yet known, or never there', async () => {
    const ids = ['trade', 'border', 'nowhere'];
    let compared = 0;
    for (const knownAt of marks) {
      for (const asOf of ['2019-06-01', '2021-06-01', '2023-06-01', '2025-06-01'].map((day) => new Date(day))) {
        const at = { asOf, knownAt };
        const batch = await topicsByIdAt(harness.reads, ids, at);
        for (const id of ids) {
          expect(batch.get(id) ?? null, `${id} asOf ${asOf.toISOString()} knownAt ${knownAt.toISOString()}`).toEqual(
            await topicAt(harness.reads, id, at),
          );
          compared++;
        }
      }
    }
    // Every case was met: both topics open, one, none.
    const last = { asOf: new Date('2025-06-01'), knownAt: marks.at(-1)! };
    expect([...(await topicsByIdAt(harness.reads, ids, last)).keys()].sort()).toEqual(['border', 'trade']);
    expect((await topicsByIdAt(harness.reads, ids, { ...last, knownAt: marks[0]! })).size).toBe(0);
    expect(compared).toBe(36);
  });
});
