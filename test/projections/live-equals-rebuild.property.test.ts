import fc from 'fast-check';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EDITOR, openHarness, type HarnessOptions, type TimelineHarness } from '../support/timeline-harness.js';
import { TimelineError } from '../../src/application/errors.js';
import type { DevelopmentState } from '../../src/domain/development.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { rebuildReadModels, type RebuildOptions } from '../../src/projections/rebuild.js';
import type { ReadModelStore } from '../../src/read-store/read-model-store.js';
import { openSqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store.js';
import { latestState } from '../../src/time-travel/known-state.js';
import { snapshotReadModel } from '../support/read-model-snapshot.js';

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

/**
 * Sends one command. `wait`: until the live projection holds it (one event a batch, mostly); otherwise it returns
 * once the log holds it, and the projector batches what it finds.
 */
const run = async (harness: TimelineHarness, step: Command, wait: boolean): Promise<void> => {
  const send = (name: Parameters<TimelineHarness['run']>[0], input: unknown) =>
    wait ? harness.run(name, input) : harness.commands(name, input, EDITOR);
  // As the read models know it: while they lag (no wait), a stale revision is one more refusal.
  const revision = async () =>
    (await latestState<DevelopmentState>(harness.reads, 'development', step.id))?.revision ?? 0;
  const sources = [{ publisher: 'Wire' }];
  switch (step.name) {
    case 'recordDevelopment':
      return void (await send('recordDevelopment', { id: step.id, ...step.content, sources }));
    case 'correctDevelopment':
      return void (await send('correctDevelopment', {
        id: step.id,
        expectedRevision: await revision(),
        reason: 'fix',
        patch: {
          occurredAt: step.content.occurredAt,
          positions: step.content.positions,
          meeting: step.content.meeting ?? null,
        },
      }));
    case 'verifyDevelopment':
      return void (await send('verifyDevelopment', { id: step.id, status: step.status, summary: 'checked' }));
    case 'retractDevelopment':
      return void (await send('retractDevelopment', {
        id: step.id,
        expectedRevision: await revision(),
        reason: 'wrong',
      }));
    case 'assignRole':
      return void (await send('assignRole', { actorId: step.id, title: 'Envoy', since: step.since }));
    case 'changeTopicStatus':
      return void (await send('changeTopicStatus', { topicId: step.id, status: 'ACTIVE', at: step.at }));
  }
};

/** How the live projector runs, and how the rebuild beside it cuts the same log into batches. */
const setup = fc.record({
  live: fc.record(
    {
      snapshotEvery: fc.integer({ min: 1, max: 3 }),
      rebuildsPerSnapshot: fc.constantFrom(0, 2, Infinity),
      maxChangesBehind: fc.constantFrom(1, 3, Infinity),
      batchSize: fc.constantFrom(1, 2, 3, 500),
      cacheBytes: fc.constantFrom(1, 16 * 1024 * 1024),
    },
    { requiredKeys: [] },
  ),
  rebuild: fc.record(
    {
      snapshotEvery: fc.integer({ min: 1, max: 4 }),
      rebuildsPerSnapshot: fc.constantFrom(2, Infinity),
      pageSize: fc.constantFrom(1, 2, 5, 500),
      cacheBytes: fc.constantFrom(1, 16 * 1024 * 1024),
    },
    { requiredKeys: [] },
  ),
  /** 1: each command waits for the projection; more: that many at once, none waiting (batches of several events). */
  together: fc.constantFrom(1, 1, 2, 4),
});

let harness: TimelineHarness | undefined;
let rebuilt: ReadModelStore | undefined;
afterEach(async () => {
  await rebuilt?.close();
  rebuilt = undefined;
  await harness?.dispose();
  harness = undefined;
});

describe('the live read models', () => {
  it('equal a rebuild from the log after any sequence of commands, however either is batched', async () => {
    let batchedLive = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 1, maxLength: 25 }),
        setup,
        async (steps, { live, rebuild, together }) => {
          harness = await openHarness(live satisfies HarnessOptions);
          for (const id of ACTORS) await harness.run('registerActor', { id, name: id.toUpperCase(), kind: 'PERSON' });
          for (const id of TOPICS) {
            await harness.run('openTopic', { id, title: id, openedAt: '2024-01-01T00:00:00.000Z' });
          }
          const points: Date[] = [];
          for (let at = 0; at < steps.length; at += together) {
            const sent = await Promise.allSettled(
              steps.slice(at, at + together).map((step) => run(harness!, step, together === 1)),
            );
            for (const result of sent) {
              if (result.status === 'rejected' && !(result.reason instanceof TimelineError)) throw result.reason;
            }
            points.push(new Date());
          }
          await harness.projector.catchUp();
          if (together > 1) batchedLive++;
          const now = new Date();
          const atPoints: TimePoint[] = [
            { asOf: now, knownAt: now },
            ...INSTANTS.map((day) => ({ asOf: new Date(day), knownAt: points[Math.floor(points.length / 2)]! })),
          ];
          // As `timeline rebuild` writes its file: batches committed several at a time.
          rebuilt = openSqliteReadStore({ file: path.join(harness.dir, 'rebuilt.db'), builtWhole: true });
          await rebuildReadModels(harness.store, rebuilt, rebuild satisfies RebuildOptions);
          expect(await snapshotReadModel(harness.reads, atPoints)).toEqual(await snapshotReadModel(rebuilt, atPoints));
          // Without the cache too: what the cache answers is what the store holds.
          expect(await snapshotReadModel(harness.readStore, atPoints)).toEqual(
            await snapshotReadModel(rebuilt, atPoints),
          );
          await rebuilt.close();
          rebuilt = undefined;
          await harness.dispose();
          harness = undefined;
        },
      ),
      { numRuns: 40 },
    );
    expect(batchedLive).toBeGreaterThan(0);
  }, 120_000);
});
