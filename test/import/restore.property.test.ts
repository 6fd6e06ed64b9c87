import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandBus, type CommandBus } from '../../src/application/commands/index.js';
import { TimelineError } from '../../src/application/errors.js';
import { exportNdjson } from '../../src/export/export-ndjson.js';
import { importNdjson } from '../../src/import/ndjson/import-ndjson.js';
import { rebuildReadModels } from '../../src/projections/rebuild.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { ReadModelReader } from '../../src/read-store/read-model-store.js';
import { withEventCatalog } from '../../src/store/catalog-store.js';
import type { EventStore } from '../../src/store/event-store.js';
import { openSqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { actorAt } from '../../src/time-travel/actor-at.js';
import { knownDevelopment } from '../../src/time-travel/known-state.js';
import { timelineAt } from '../../src/time-travel/timeline.js';
import { topicActivityAt } from '../../src/time-travel/topic-at.js';
import type { TimelineEvent } from '../../events/index.js';
import { pause } from '../support/clock.js';
import {
  readWholeLog,
  referenceActor,
  referenceDevelopment,
  referenceTimeline,
  referenceTopicActivity,
  type ReferencePoint,
} from '../support/reference-fold.js';

/**
 * docs/cli-and-data.md ("The dump: a lossless export"): a random history with late arrivals, corrections,
 * verifications and retractions, written live through the command handlers into SQLite, exported, restored into a
 * fresh store and exported again: the two dumps are the same bytes, the two logs the same events, and every
 * question at random (asOf, knownAt) answers the same on both, by the reference fold over each log and by the
 * time-travel engine over read models rebuilt from each.
 */

const ACTORS = ['ana', 'ben', 'cy'] as const;
const TOPICS = ['trade', 'border'] as const;
const INSTANTS = ['2025-03-01T00:00:00.000Z', '2025-06-15T00:00:00.000Z', '2025-10-16T00:00:00.000Z'] as const;

const actorId = fc.constantFrom(...ACTORS);
const instant = fc.constantFrom(...INSTANTS);
const record = fc.record({
  kind: fc.constant('record' as const),
  occurredAt: instant,
  participants: fc.uniqueArray(fc.record({ actorId, role: fc.constantFrom('SOURCE', 'TARGET') }), {
    selector: (p) => p.actorId,
    minLength: 1,
    maxLength: 3,
  }),
  topicIds: fc.uniqueArray(fc.constantFrom(...TOPICS), { maxLength: 2 }),
});
const correct = fc.record({
  kind: fc.constant('correct' as const),
  target: fc.nat(),
  occurredAt: instant,
  title: fc.constantFrom('Talks', 'Strike', 'Treaty'),
});
const verify = fc.record({
  kind: fc.constant('verify' as const),
  target: fc.nat(),
  status: fc.constantFrom('CONFIRMED', 'DISPUTED', 'DENIED'),
});
const retract = fc.record({ kind: fc.constant('retract' as const), target: fc.nat() });
const command = fc.oneof({ arbitrary: record, weight: 3 }, correct, verify, retract);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const META = { keyName: 'restore-property' };

/** Runs a history live, a pause between commands so that recordedAt moves; refusals (a stale revision) are fine. */
const runHistory = async (commands: CommandBus, history: readonly Command[]): Promise<string[]> => {
  for (const id of ACTORS) await commands('registerActor', { id, name: id, kind: 'PERSON' }, META);
  for (const id of TOPICS) {
    await commands('openTopic', { id, title: id, openedAt: '2000-01-01T00:00:00.000Z' }, META);
  }
  const ids: string[] = [];
  const revisions = new Map<string, number>();
  for (const cmd of history) {
    await pause(2);
    const target = ids[('target' in cmd ? cmd.target : 0) % Math.max(ids.length, 1)];
    try {
      if (cmd.kind === 'record') {
        const id = `dev-${ids.length + 1}`;
        const { kind: _kind, ...content } = cmd;
        await commands('recordDevelopment', { id, kind: 'STATEMENT', title: id, sources: [], ...content }, META);
        ids.push(id);
        revisions.set(id, 0);
      } else if (target !== undefined) {
        const expectedRevision = revisions.get(target)!;
        if (cmd.kind === 'correct') {
          const patch = { occurredAt: cmd.occurredAt, title: cmd.title };
          await commands('correctDevelopment', { id: target, expectedRevision, reason: 'a source', patch }, META);
        } else if (cmd.kind === 'verify') {
          await commands('verifyDevelopment', { id: target, status: cmd.status, summary: 'checked' }, META);
        } else {
          await commands('retractDevelopment', { id: target, expectedRevision, reason: 'withdrawn' }, META);
        }
        revisions.set(target, expectedRevision + 1);
      }
    } catch (error) {
      // A correction that changes nothing, a retracted development: refused, as a client would be.
      if (!(error instanceof TimelineError)) throw error;
    }
  }
  return ids;
};

const dumpOf = async (store: EventStore): Promise<string> => {
  let text = '';
  for await (const line of exportNdjson(store, { pageSize: 7 })) text += line;
  return text;
};

const referenceAnswers = (log: readonly TimelineEvent[], ids: readonly string[], point: ReferencePoint) => ({
  actors: ACTORS.map((id) => referenceActor(log, id, point)),
  topics: TOPICS.map((id) => referenceTopicActivity(log, id, point)),
  developments: ids.map((id) => referenceDevelopment(log, id, point.knownAt)),
  timeline: referenceTimeline(log, point.knownAt, { includeRetracted: true }),
  timelineToAsOf: referenceTimeline(log, point.knownAt, { to: point.asOf }),
});

const engineAnswers = async (reads: ReadModelReader, ids: readonly string[], point: ReferencePoint) =>
  JSON.parse(
    JSON.stringify(
      {
        actors: await Promise.all(ACTORS.map((id) => actorAt(reads, id, point))),
        topics: await Promise.all(TOPICS.map((id) => topicActivityAt(reads, id, point))),
        developments: await Promise.all(ids.map((id) => knownDevelopment(reads, id, point.knownAt))),
        timeline: await timelineAt(reads, { includeRetracted: true }, point.knownAt),
        timelineToAsOf: await timelineAt(reads, { to: point.asOf }, point.knownAt),
      },
      (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    ),
  ) as unknown;

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-restore-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let stores = 0;
const openStore = () => withEventCatalog(openSqliteEventStore({ file: path.join(work, `log-${++stores}.db`) }));

describe('a dump restored into a fresh store', () => {
  it('exports the same bytes and answers every (asOf, knownAt) as the original', { timeout: 240_000 }, async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 3, maxLength: 15 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 8, maxLength: 8 }),
        async (history, picks) => {
          const original = openStore();
          const restored = openStore();
          try {
            const ids = await runHistory(createCommandBus({ store: original }), history);
            const dump = await dumpOf(original);
            const counts = await importNdjson(createCommandBus({ store: restored }), [{ name: 'dump', text: dump }], {
              batchSize: 5,
              onReject: (row) => {
                throw new Error(`line ${row.line} was rejected: ${row.reason}`);
              },
            });
            expect(counts.imported).toBe(dump.trim().split('\n').length - 1);
            expect(await dumpOf(restored)).toBe(dump);

            const [logBefore, logAfter] = [await readWholeLog(original), await readWholeLog(restored)];
            expect(logAfter).toEqual(logBefore);
            const [readsBefore, readsAfter] = [createMemoryReadStore(), createMemoryReadStore()];
            await rebuildReadModels(original, readsBefore, { pageSize: 4 });
            await rebuildReadModels(restored, readsAfter, { pageSize: 4 });

            // knownAt: each recordedAt of the log and the moment before it; asOf: each instant, either side of them
            const knownAts = logBefore.flatMap((event) => [event.recordedAt, new Date(event.recordedAt.getTime() - 1)]);
            const asOfs = [new Date('2024-01-01T00:00:00Z'), ...INSTANTS.map((at) => new Date(at)), new Date()];
            for (const [k, a] of picks) {
              const point = { knownAt: knownAts[k % knownAts.length]!, asOf: asOfs[a % asOfs.length]! };
              const label = `asOf ${point.asOf.toISOString()}, knownAt ${point.knownAt.toISOString()}`;
              expect(referenceAnswers(logAfter, ids, point), `reference fold, ${label}`).toEqual(
                referenceAnswers(logBefore, ids, point),
              );
              expect(await engineAnswers(readsAfter, ids, point), `engine, ${label}`).toEqual(
                await engineAnswers(readsBefore, ids, point),
              );
              compared++;
            }
          } finally {
            await original.close();
            await restored.close();
          }
        },
      ),
      { numRuns: 25 },
    );
    expect(compared).toBe(25 * 8);
  });
});
