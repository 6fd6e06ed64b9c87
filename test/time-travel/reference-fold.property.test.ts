import { isStoredDelta } from '../../src/time-travel/summary-delta.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEETING_STATUSES, PARTICIPANT_ROLES, STANCES, VERDICTS } from '../../events/vocabulary.js';
import { TimelineError } from '../../src/application/errors.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { meanTone } from '../../src/domain/relations.js';
import type { PositionState } from '../../src/domain/positions.js';
import type { MeetingState } from '../../src/domain/meeting.js';
import type { DevelopmentState } from '../../src/domain/development.js';
import { projectLog, rebuildReadModels } from '../../src/projections/rebuild.js';
import { createMemoryReadStore } from '../../src/read-store/memory/memory-read-store.js';
import type { IndexRef, ReadModelReader } from '../../src/read-store/read-model-store.js';
import { actorActivityAt, actorAt } from '../../src/time-travel/actor-at.js';
import { knownDevelopment, latestState } from '../../src/time-travel/known-state.js';
import { meetingsAt } from '../../src/time-travel/listings.js';
import { meetingAt } from '../../src/time-travel/meeting-at.js';
import { timelineAt } from '../../src/time-travel/timeline.js';
import { topicActivityAt } from '../../src/time-travel/topic-at.js';
import { pause } from '../support/clock.js';
import {
  readWholeLog,
  referenceActor,
  referenceDevelopment,
  referenceMeeting,
  referenceMeetingList,
  referenceTimeline,
  referenceTopicActivity,
} from '../support/reference-fold.js';
import { openHarness, type HarnessOptions, type TimelineHarness } from '../support/timeline-harness.js';
import type { TimelineEvent } from '../../events/index.js';

/**
 * docs/architecture.md ("Time: two axes"): "The reference semantics is the brute-force fold of the whole log with
 * those two filters […]. Every faster path (snapshots, indexes, caches) must give the same answer, and a property
 * test checks that on random histories with late arrivals, corrections and retractions […]." Histories are made
 * through the real command handlers on a real SQLite log; the engine reads the live projection (real SQLite read
 * models, through the projector's cache) and a rebuild of the same log into the in-memory store, the reference
 * (test/support/reference-fold.ts) reads the raw log.
 */

const ACTORS = ['ana', 'ben', 'cy'] as const;
const TOPICS = ['trade', 'border'] as const;
const MEETINGS = ['summit-1', 'summit-2'] as const;
/** Few instants, so that developments often share one (ties broken by recording order). */
const INSTANTS = [
  '2025-03-01T00:00:00.000Z',
  '2025-06-15T00:00:00.000Z',
  '2025-06-15T12:00:00.000Z',
  '2025-09-01T00:00:00.000Z',
  '2025-10-16T00:00:00.000Z',
  // After every recordedAt of the run: a summit planned ahead, so folds for a past knownAt cannot stop at knownAt.
  '2030-06-01T00:00:00.000Z',
] as const;
/** asOf values: each instant, just before each, and on either side of them all. */
const AS_OF = [
  new Date('2024-12-31T00:00:00.000Z'),
  ...INSTANTS.flatMap((instant) => [new Date(Date.parse(instant) - 1), new Date(instant)]),
  new Date('2031-01-01T00:00:00.000Z'),
];

// ------------------------------------------------------------------------------------------ generators

const actorId = fc.constantFrom(...ACTORS);
const topicId = fc.constantFrom(...TOPICS);
const instant = fc.constantFrom(...INSTANTS);
// Tones as GDELT gives them (many decimals) as well as round ones: a relation's mean must not depend on the order its
// tones were added and taken back in, which a float sum does in its last bits (domain/relations.ts, toneUnits).
const tone = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((n) => n / 2),
  fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }),
);

const participants = fc.uniqueArray(fc.record({ actorId, role: fc.constantFrom(...PARTICIPANT_ROLES) }), {
  selector: (p) => `${p.actorId} ${p.role}`,
  maxLength: 4,
});
const positions = fc.uniqueArray(
  fc.record(
    {
      actorId,
      topicId,
      stance: fc.constantFrom(...STANCES),
      summary: fc.constantFrom('because', 'on conditions'),
    },
    { requiredKeys: ['actorId', 'topicId', 'stance'] },
  ),
  { selector: (p) => `${p.actorId} ${p.topicId}`, maxLength: 3 },
);
const meetingStep = fc.record(
  {
    id: fc.constantFrom(...MEETINGS),
    status: fc.constantFrom(...MEETING_STATUSES),
    title: fc.constantFrom('Summit', 'Talks in Vienna'),
    location: fc.constantFrom('Vienna', 'Geneva'),
    scheduledFor: fc.constantFrom('2025-11-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z'),
    participantIds: fc.subarray([...ACTORS]),
    topicIds: fc.subarray([...TOPICS]),
  },
  { requiredKeys: ['id', 'status'] },
);

const recordCommand = fc.record(
  {
    kind: fc.constant('record' as const),
    occurredAt: instant,
    participants,
    topicIds: fc.subarray([...TOPICS]),
    positions,
    meeting: meetingStep,
    tone,
  },
  { requiredKeys: ['kind', 'occurredAt', 'participants', 'topicIds', 'positions'] },
);
const correctCommand = fc.record({
  kind: fc.constant('correct' as const),
  target: fc.nat(),
  patch: fc.record(
    {
      occurredAt: instant,
      positions,
      participants,
      topicIds: fc.subarray([...TOPICS]),
      tone: fc.option(tone, { nil: null }),
      meeting: fc.option(meetingStep, { nil: null }),
    },
    { requiredKeys: [] },
  ),
});
const verifyCommand = fc.record(
  {
    kind: fc.constant('verify' as const),
    target: fc.nat(),
    status: fc.constantFrom(...VERDICTS),
    byActorId: actorId,
    withRevision: fc.boolean(),
  },
  { requiredKeys: ['kind', 'target', 'status', 'withRevision'] },
);
const retractCommand = fc.record({ kind: fc.constant('retract' as const), target: fc.nat() });
/** The same recordDevelopment again: same id and content, a repeat that appends nothing. */
const repeatCommand = fc.record({ kind: fc.constant('repeat' as const), target: fc.nat() });

const command = fc.oneof(
  { arbitrary: recordCommand, weight: 5 },
  { arbitrary: correctCommand, weight: 3 },
  { arbitrary: verifyCommand, weight: 2 },
  { arbitrary: retractCommand, weight: 1 },
  { arbitrary: repeatCommand, weight: 1 },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

/** Which (knownAt, asOf) pairs to check, as indexes into the candidates of each run. */
const pointPicks = fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 12, maxLength: 12 });

/** Each entry's earliestAddedFromMs is the earliest addedAtMs of it and of every entry after it in world order. */
const expectEarliestAddedFrom = async (reads: ReadModelReader, index: IndexRef): Promise<void> => {
  const entries = await reads.entries(index, { knownAtMs: Infinity });
  let earliest = Infinity;
  const expected = entries.map(() => 0);
  for (let at = entries.length - 1; at >= 0; at--) expected[at] = earliest = Math.min(earliest, entries[at]!.addedAtMs);
  expect(
    entries.map((entry) => entry.earliestAddedFromMs),
    `earliestAddedFromMs along ${index.kind} ${index.id}`,
  ).toEqual(expected);
};

// ------------------------------------------------------------------------------------------ running a history

/**
 * How the live projection runs. Snapshots every 1 to 3 index entries, so that the folds start from snapshots and
 * apply what changed behind them since; with every boundary built again at each snapshot, with none, or as the
 * default policy does; and with a cache too small to hold anything, so that every read goes through to SQLite.
 */
const VARIANTS = {
  'every boundary built again': (snapshotEvery: number): HarnessOptions => ({
    snapshotEvery,
    rebuildsPerSnapshot: Infinity,
  }),
  'no boundary built again': (snapshotEvery: number): HarnessOptions => ({
    snapshotEvery,
    rebuildsPerSnapshot: 0,
    maxChangesBehind: Infinity,
  }),
  'built again only past one change behind': (snapshotEvery: number): HarnessOptions => ({
    snapshotEvery,
    rebuildsPerSnapshot: 0,
    maxChangesBehind: 1,
  }),
  'no cache: every read from SQLite': (snapshotEvery: number): HarnessOptions => ({ snapshotEvery, cacheBytes: 1 }),
} as const;
type Variant = keyof typeof VARIANTS;

const openCast = async (options: HarnessOptions): Promise<TimelineHarness> => {
  const harness = await openHarness(options);
  for (const id of ACTORS) await harness.run('registerActor', { id, name: id.toUpperCase(), kind: 'PERSON' });
  await harness.run('openTopic', { id: 'trade', title: 'Trade', openedAt: '2000-01-01T00:00:00.000Z' });
  await harness.run('openTopic', {
    id: 'border',
    title: 'Border',
    parentId: 'trade',
    openedAt: '2000-01-01T00:00:00.000Z',
  });
  return harness;
};

interface History {
  readonly recorded: { id: string; input: Record<string, unknown> }[];
  readonly checkpoints: Date[];
  refusals: number;
}

const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const inputFor = async (
  harness: TimelineHarness,
  history: History,
  cmd: Command,
): Promise<[string, unknown] | null> => {
  if (cmd.kind === 'record') {
    const { kind: _kind, ...content } = cmd;
    const id = `dev-${history.recorded.length + 1}`;
    const input = clean({ id, kind: 'STATEMENT', title: `Development ${id}`, sources: [], ...content });
    history.recorded.push({ id, input });
    return ['recordDevelopment', input];
  }
  const target = history.recorded[cmd.target % Math.max(history.recorded.length, 1)];
  if (target === undefined) return null;
  const revision = (await latestState<DevelopmentState>(harness.reads, 'development', target.id))?.revision;
  switch (cmd.kind) {
    case 'repeat':
      return ['recordDevelopment', target.input];
    case 'correct':
      return [
        'correctDevelopment',
        { id: target.id, expectedRevision: revision ?? 0, reason: 'a better source', patch: clean(cmd.patch) },
      ];
    case 'verify':
      return [
        'verifyDevelopment',
        clean({
          id: target.id,
          status: cmd.status,
          byActorId: cmd.byActorId,
          summary: 'checked',
          expectedRevision: cmd.withRevision ? revision : undefined,
        }),
      ];
    case 'retract':
      return ['retractDevelopment', { id: target.id, expectedRevision: revision ?? 0, reason: 'withdrawn' }];
  }
};

const runHistory = async (harness: TimelineHarness, commands: readonly Command[]): Promise<History> => {
  await pause(2);
  // the first mark: the cast is known, no development yet
  const history: History = { recorded: [], checkpoints: [new Date()], refusals: 0 };
  for (const cmd of commands) {
    const call = await inputFor(harness, history, cmd);
    if (call === null) continue;
    try {
      await harness.run(call[0] as Parameters<TimelineHarness['run']>[0], call[1]);
    } catch (error) {
      // Refusals (a patch that changes nothing, a retracted development) are part of the game; nothing else is.
      if (!(error instanceof TimelineError)) throw error;
      history.refusals++;
    }
    await pause(2);
    history.checkpoints.push(new Date());
    // Questions "as of now" between the commands fill the projector's cache (and read its snapshots), which the
    // commands after them must make it forget.
    const now = { asOf: new Date(), knownAt: new Date() };
    for (const id of ACTORS) await (await actorActivityAt(harness.reads, id, now)).developments();
  }
  return history;
};

// ------------------------------------------------------------------------------------------ the engine's answers

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

const enginePositions = (positions: readonly PositionState[]) =>
  positions
    .map((p) => ({
      actorId: p.actorId,
      topicId: p.topicId,
      stance: p.stance,
      summary: p.summary ?? null,
      since: p.since,
      developmentId: p.developmentId,
    }))
    .sort(byKey((p) => `${p.actorId} ${p.topicId}`));

const engineMeeting = (meeting: MeetingState | null) =>
  meeting && {
    id: meeting.id,
    title: meeting.title,
    status: meeting.status,
    location: meeting.location ?? null,
    scheduledFor: meeting.scheduledFor ?? null,
    participantIds: [...meeting.participantIds].sort(),
    topicIds: [...meeting.topicIds].sort(),
    developmentIds: [...meeting.developmentIds],
  };

const entriesOf = async <K extends string, V>(keys: readonly K[], value: (key: K) => Promise<V>) =>
  Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await value(key)] as const))) as Record<K, V>;

const engineView = async (reads: ReadModelReader, developmentIds: readonly string[], point: TimePoint) => {
  const actors = await entriesOf(ACTORS, async (id) => {
    const activity = await actorActivityAt(reads, id, point);
    const developments = await activity.developments();
    return {
      registered: (await actorAt(reads, id, point)) !== null,
      positions: enginePositions(activity.positions),
      developmentIds: developments.map((d) => d.id),
      developmentCount: developments.length,
      // The summary's own count (from snapshots and folds) must agree with the developments it lists.
      summaryCount: activity.developmentCount,
      lastActiveAt: activity.lastActiveAt,
      relations: activity.relations
        .map((r) => ({
          otherId: r.otherId,
          developmentCount: r.developmentCount,
          tone: meanTone(r),
          lastTone: r.lastTone ?? null,
          lastDevelopmentId: r.lastDevelopmentId,
        }))
        .sort(byKey((r) => r.otherId)),
      meetingIds: (await activity.meetings()).map((m) => m.id).sort(),
    };
  });
  const topics = await entriesOf(TOPICS, async (id) => {
    const activity = await topicActivityAt(reads, id, point);
    return {
      positions: enginePositions(activity.positions),
      actorIds: [...activity.actorIds].sort(),
      developmentIds: activity.developments.map((d) => d.id),
      developmentCount: activity.developments.length,
      firstDevelopmentAt: activity.firstDevelopmentAt,
      lastDevelopmentAt: activity.lastDevelopmentAt,
      meetingIds: activity.meetings.map((m) => m.id).sort(),
    };
  });
  const meetings = await entriesOf(MEETINGS, async (id) => engineMeeting(await meetingAt(reads, id, point)));
  const developments = await entriesOf(developmentIds, async (id) => {
    const d = await knownDevelopment(reads, id, point.knownAt);
    return (
      d && {
        occurredAt: d.occurredAt,
        revision: d.revision,
        status: d.status,
        retracted: d.retracted,
        verifications: d.verifications.map((v) => v.status),
        corrections: d.corrections.map((c) => [...c.changedFields]),
        tone: d.tone ?? null,
        meetingId: d.meeting?.id ?? null,
      }
    );
  });
  const ids = (list: readonly { id: string }[]) => list.map((d) => d.id);
  return {
    actors,
    topics,
    meetings,
    meetingList: (await meetingsAt(reads, {}, point)).map((m) => m.id),
    developments,
    timeline: ids(await timelineAt(reads, {}, point.knownAt)),
    timelineWithRetracted: ids(await timelineAt(reads, { includeRetracted: true }, point.knownAt)),
    timelineToAsOf: ids(await timelineAt(reads, { to: point.asOf }, point.knownAt)),
  };
};

const referenceView = (log: readonly TimelineEvent[], developmentIds: readonly string[], point: TimePoint) => ({
  actors: Object.fromEntries(
    ACTORS.map((id) => {
      const actor = referenceActor(log, id, point);
      return [id, { ...actor, summaryCount: actor.developmentCount }];
    }),
  ),
  topics: Object.fromEntries(TOPICS.map((id) => [id, referenceTopicActivity(log, id, point)])),
  meetings: Object.fromEntries(MEETINGS.map((id) => [id, referenceMeeting(log, id, point)])),
  meetingList: referenceMeetingList(log, point),
  developments: Object.fromEntries(developmentIds.map((id) => [id, referenceDevelopment(log, id, point.knownAt)])),
  timeline: referenceTimeline(log, point.knownAt),
  timelineWithRetracted: referenceTimeline(log, point.knownAt, { includeRetracted: true }),
  timelineToAsOf: referenceTimeline(log, point.knownAt, { to: point.asOf }),
});

// ------------------------------------------------------------------------------------------ the property

describe('time travel against the reference fold', () => {
  it.each(Object.keys(VARIANTS) as Variant[])(
    'gives what the brute-force fold of the whole log gives, at any (asOf, knownAt): %s',
    { timeout: 240_000 },
    async (variant) => {
      let runs = 0;
      let comparisons = 0;
      let refusals = 0;
      let snapshots = 0;
      let changedBehind = 0;
      let deltas = 0;
      const appended = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(command, { minLength: 5, maxLength: 25 }),
          pointPicks,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 4 }),
          async (commands, picks, snapshotEvery, pageSize) => {
            const options = VARIANTS[variant](snapshotEvery);
            const harness = await openCast(options);
            const memory = createMemoryReadStore();
            try {
              const history = await runHistory(harness, commands);
              const log = await readWholeLog(harness.store);
              for (const event of log) appended.set(event.type, (appended.get(event.type) ?? 0) + 1);
              // The same log folded afresh into the in-memory adapter, a few events a batch: its first half with the
              // live projection's snapshot interval, the rest by a new projection with another (a server restarted
              // with TIMELINE_SNAPSHOT_EVERY changed goes on with the snapshots it finds).
              const middle = log[Math.floor(log.length / 2)]!.position;
              await rebuildReadModels(harness.store, memory, { ...options, pageSize, until: middle });
              await projectLog(harness.store, memory, { ...options, pageSize, snapshotEvery: 4 - snapshotEvery });
              // knownAt candidates: the marks between commands, and each recordedAt on the log and 1 ms before it
              const knownAts = [
                ...history.checkpoints,
                ...log.flatMap((event) => [event.recordedAt, new Date(event.recordedAt.getTime() - 1)]),
              ];
              const points: TimePoint[] = [
                { asOf: AS_OF.at(-1)!, knownAt: history.checkpoints.at(-1)! },
                ...picks.map(([k, a]) => ({ knownAt: knownAts[k % knownAts.length]!, asOf: AS_OF[a % AS_OF.length]! })),
              ];
              const developmentIds = history.recorded.map((r) => r.id);
              for (const point of points) {
                const label = `asOf ${point.asOf.toISOString()}, knownAt ${point.knownAt.toISOString()}`;
                const reference = referenceView(log, developmentIds, point);
                expect(await engineView(harness.reads, developmentIds, point), `live, ${label}`).toEqual(reference);
                expect(await engineView(memory, developmentIds, point), `memory rebuild, ${label}`).toEqual(reference);
                comparisons++;
              }
              for (const id of ACTORS) {
                // What every scan at a past knownAt stops by: in the changes index too, whose entries land anywhere.
                for (const reads of [harness.readStore, memory]) {
                  await expectEarliestAddedFrom(reads, { kind: 'actor', id });
                  await expectEarliestAddedFrom(reads, { kind: 'changes', id });
                }
                const metas = await harness.readStore.snapshotMetas(id);
                snapshots += metas.length;
                for (const meta of metas) {
                  if (isStoredDelta(await harness.readStore.snapshotState(meta))) deltas++;
                  const changes = await harness.readStore.entries(
                    { kind: 'changes', id },
                    { addedAfter: meta.builtPosition, occurredByMs: meta.boundary.occurredAtMs, knownAtMs: Infinity },
                  );
                  if (changes.length > 0) changedBehind++;
                }
              }
              runs++;
              refusals += history.refusals;
            } finally {
              await memory.close();
              await harness.dispose();
            }
          },
        ),
        { numRuns: 80 },
      );
      expect(runs).toBeGreaterThanOrEqual(80);
      expect(comparisons).toBeGreaterThan(900);
      // The snapshot paths were walked: snapshots were built, and something changed behind some of them since.
      expect(snapshots).toBeGreaterThan(0);
      expect(changedBehind).toBeGreaterThan(0);
      // Some were stored as what differs from another (time-travel/summary-delta.ts).
      expect(deltas).toBeGreaterThan(0);
      const tally = [...appended].map(([type, count]) => `${type} ${count}`).join(', ');
      console.info(
        `reference fold (${variant}): ${runs} histories, ${comparisons} time points compared, ${refusals} refusals, ` +
          `${snapshots} snapshots (${changedBehind} with changes behind them, ${deltas} stored as deltas)`,
      );
      console.info(`events appended: ${tally}`);
    },
  );
});
