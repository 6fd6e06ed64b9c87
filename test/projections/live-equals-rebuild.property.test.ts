import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { TimelineError } from '../../src/application/errors.js';
import { rebuildReadModel } from '../../src/projections/rebuild.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';
import { openHarness, type TimelineHarness } from '../support/timeline-harness.js';

const ACTORS = ['a1', 'a2', 'a3', 'a4'];
const TOPICS = ['t1', 't2', 't3'];
const DEVELOPMENTS = ['d1', 'd2', 'd3', 'd4', 'd5'];
const MEETINGS = ['m1', 'm2'];
const INSTANTS = ['2025-01-01', '2025-03-01', '2025-03-01', '2025-06-15', '2025-10-16', '2030-01-01'].map(
  (day) => `${day}T00:00:00.000Z`,
);

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

const content = fc.record({
  kind: pick(['STATEMENT', 'THREATEN', 'CONSULT', 'AGREE'] as const),
  title: pick(['One', 'Two', 'Three']),
  occurredAt: pick(INSTANTS),
  participants: fc.uniqueArray(
    fc.record({ actorId: pick(ACTORS), role: pick(['SOURCE', 'TARGET', 'PARTICIPANT', 'MENTIONED'] as const) }),
    { minLength: 1, maxLength: 3, selector: (p) => `${p.actorId}/${p.role}` },
  ),
  topicIds: fc.uniqueArray(pick(TOPICS), { maxLength: 2 }),
  positions: fc.uniqueArray(
    fc.record({ actorId: pick(ACTORS), topicId: pick(TOPICS), stance: pick(['SUPPORTS', 'OPPOSES'] as const) }),
    { maxLength: 2, selector: (p) => `${p.actorId}/${p.topicId}` },
  ),
  meeting: fc.option(fc.record({ id: pick(MEETINGS), status: pick(['PROPOSED', 'AGREED', 'HELD'] as const) }), {
    nil: undefined,
  }),
  tone: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
});

/** Commands as a user would send them, valid or not: refusals must leave the models alike too. */
const command = fc.oneof(
  fc.record({ name: fc.constant('recordDevelopment' as const), id: pick(DEVELOPMENTS), content }),
  fc.record({ name: fc.constant('correctDevelopment' as const), id: pick(DEVELOPMENTS), content }),
  fc.record({
    name: fc.constant('verifyDevelopment' as const),
    id: pick(DEVELOPMENTS),
    status: pick(['CONFIRMED', 'DISPUTED'] as const),
  }),
  fc.record({ name: fc.constant('retractDevelopment' as const), id: pick(DEVELOPMENTS) }),
  fc.record({ name: fc.constant('assignRole' as const), id: pick(ACTORS), since: pick(INSTANTS) }),
  fc.record({ name: fc.constant('changeTopicStatus' as const), id: pick(TOPICS), at: pick(INSTANTS) }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const run = async (harness: TimelineHarness, step: Command): Promise<void> => {
  const revision = () => harness.model.latestDevelopment(step.id)?.revision ?? 0;
  const sources = [{ publisher: 'Wire' }];
  switch (step.name) {
    case 'recordDevelopment':
      return void (await harness.run('recordDevelopment', { id: step.id, ...step.content, sources }));
    case 'correctDevelopment':
      return void (await harness.run('correctDevelopment', {
        id: step.id,
        expectedRevision: revision(),
        reason: 'fix',
        patch: {
          occurredAt: step.content.occurredAt,
          positions: step.content.positions,
          meeting: step.content.meeting ?? null,
        },
      }));
    case 'verifyDevelopment':
      return void (await harness.run('verifyDevelopment', { id: step.id, status: step.status, summary: 'checked' }));
    case 'retractDevelopment':
      return void (await harness.run('retractDevelopment', {
        id: step.id,
        expectedRevision: revision(),
        reason: 'wrong',
      }));
    case 'assignRole':
      return void (await harness.run('assignRole', { actorId: step.id, title: 'Envoy', since: step.since }));
    case 'changeTopicStatus':
      return void (await harness.run('changeTopicStatus', { topicId: step.id, status: 'ACTIVE', at: step.at }));
  }
};

let harness: TimelineHarness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

describe('the live read model', () => {
  it('equals a rebuild from the log after any sequence of commands', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (steps) => {
        harness = await openHarness();
        for (const id of ACTORS) await harness.run('registerActor', { id, name: id.toUpperCase(), kind: 'PERSON' });
        for (const id of TOPICS) {
          await harness.run('openTopic', { id, title: id, openedAt: '2024-01-01T00:00:00.000Z' });
        }
        const points: Date[] = [];
        for (const step of steps) {
          try {
            await run(harness, step);
          } catch (error) {
            if (!(error instanceof TimelineError)) throw error;
          }
          points.push(new Date());
        }
        const now = new Date();
        const atPoints = [
          { asOf: now, knownAt: now },
          ...INSTANTS.map((day) => ({ asOf: new Date(day), knownAt: points[Math.floor(points.length / 2)]! })),
        ];
        const rebuilt = await rebuildReadModel(harness.store);
        expect(snapshotReadModel(harness.model, atPoints)).toEqual(snapshotReadModel(rebuilt, atPoints));
        await harness.dispose();
        harness = undefined;
      }),
      { numRuns: 40 },
    );
  });
});
