import { beforeEach, describe, expect, it } from 'vitest';
import { rolesAt } from '../../src/domain/actor.js';
import type { TimePoint } from '../../src/domain/time-point.js';
import { meanTone } from '../../src/domain/relations.js';
import { actorActivityAt, actorAt } from '../../src/time-travel/actor-at.js';
import { knownDevelopment } from '../../src/time-travel/known-state.js';
import { actorsAt, meetingsAt, topicsAt } from '../../src/time-travel/listings.js';
import { meetingAt } from '../../src/time-travel/meeting-at.js';
import { timelineAt, type TimelineFilter } from '../../src/time-travel/timeline.js';
import { subtopicsAt, topicActivityAt, topicAt } from '../../src/time-travel/topic-at.js';
import { mark } from '../support/clock.js';
import { development, freshHarnessWithBasics, type TimelineHarness } from '../support/timeline-harness.js';

/**
 * The two time axes of docs/architecture.md ("Time: two axes") and the contract's header: asOf selects valid time
 * (occurredAt), knownAt transaction time (recordedAt). Every test here breaks if its rule does.
 */

let harness: TimelineHarness;
freshHarnessWithBasics((opened) => (harness = opened));

const day = (date: string): Date => new Date(`${date}T00:00:00.000Z`);
const iso = (date: string): string => day(date).toISOString();
/** asOf that date (midnight UTC), knownAt now unless said. */
const at = (asOf: string | Date, knownAt: Date = new Date()): TimePoint => ({
  asOf: typeof asOf === 'string' ? day(asOf) : asOf,
  knownAt,
});
const FAR_FUTURE = '2100-01-01';

const record = (overrides: Record<string, unknown>) => harness.run('recordDevelopment', development(overrides));
const stance = (actorId: string, topicId: string, value: string) => ({ actorId, topicId, stance: value });

const positionsOf = async (actorId: string, point: TimePoint) =>
  (await actorActivityAt(harness.reads, actorId, point)).positions.map((p) => ({
    topicId: p.topicId,
    stance: p.stance,
    since: p.since,
    developmentId: p.developmentId,
  }));

const topicPositions = async (topicId: string, point: TimePoint) =>
  (await topicActivityAt(harness.reads, topicId, point)).positions.map(
    (p) => `${p.actorId}:${p.stance}:${p.developmentId}`,
  );

/** An actor's developments at the point, newest first (read when asked for). */
const actorDevelopments = async (actorId: string, point: TimePoint) =>
  (await actorActivityAt(harness.reads, actorId, point)).developments();

const ids = (developments: readonly { id: string }[]) => developments.map((d) => d.id);
const timelineIds = async (filter: TimelineFilter, knownAt = new Date(), order: 'ASC' | 'DESC' = 'ASC') =>
  ids(await timelineAt(harness.reads, filter, knownAt, order));

describe('world order', () => {
  it('a late-arriving development does not override a newer stance', async () => {
    await record({ id: 'newer', occurredAt: iso('2025-10-16'), positions: [stance('alice', 'war', 'SUPPORTS')] });
    // recorded later, happened earlier
    await record({ id: 'older', occurredAt: iso('2025-10-10'), positions: [stance('alice', 'war', 'OPPOSES')] });

    expect(await positionsOf('alice', at(FAR_FUTURE))).toEqual([
      { topicId: 'war', stance: 'SUPPORTS', since: iso('2025-10-16'), developmentId: 'newer' },
    ]);
    expect(await topicPositions('war', at(FAR_FUTURE))).toEqual(['alice:SUPPORTS:newer']);
    // before the newer one occurred, the late one is the latest
    expect(await positionsOf('alice', at('2025-10-12'))).toEqual([
      { topicId: 'war', stance: 'OPPOSES', since: iso('2025-10-10'), developmentId: 'older' },
    ]);
    // and the timeline is in world order, not in recording order
    expect(await timelineIds({})).toEqual(['older', 'newer']);
  });

  it('on the same instant the later-recorded stance wins, and a correction does not change the recording order', async () => {
    await record({ id: 'first', occurredAt: iso('2025-10-16'), positions: [stance('alice', 'war', 'SUPPORTS')] });
    await record({ id: 'second', occurredAt: iso('2025-10-16'), positions: [stance('alice', 'war', 'OPPOSES')] });
    expect((await positionsOf('alice', at(FAR_FUTURE))).map((p) => p.developmentId)).toEqual(['second']);

    // correcting the first one appends after the second, but its DevelopmentRecorded still comes first
    await harness.run('correctDevelopment', {
      id: 'first',
      expectedRevision: 0,
      reason: 'typo',
      patch: { title: 'Alice speaks, corrected' },
    });
    expect(await positionsOf('alice', at(FAR_FUTURE))).toEqual([
      { topicId: 'war', stance: 'OPPOSES', since: iso('2025-10-16'), developmentId: 'second' },
    ]);
    expect(await timelineIds({})).toEqual(['first', 'second']);
    expect(await timelineIds({}, new Date(), 'DESC')).toEqual(['second', 'first']);
  });

  it('a topic status follows world order too', async () => {
    await harness.run('changeTopicStatus', { topicId: 'war', status: 'ACTIVE', at: iso('2025-03-01') });
    // recorded later, earlier in the world
    await harness.run('changeTopicStatus', { topicId: 'war', status: 'STALLED', at: iso('2025-02-01') });
    expect((await topicAt(harness.reads, 'war', at('2025-01-15')))?.status).toBe('EMERGING');
    expect((await topicAt(harness.reads, 'war', at('2025-02-15')))?.status).toBe('STALLED');
    expect((await topicAt(harness.reads, 'war', at('2025-03-15')))?.status).toBe('ACTIVE');
    // same instant: the later-recorded change wins
    await harness.run('changeTopicStatus', { topicId: 'war', status: 'RESOLVED', at: iso('2025-04-01') });
    await harness.run('changeTopicStatus', { topicId: 'war', status: 'ABANDONED', at: iso('2025-04-01') });
    expect((await topicAt(harness.reads, 'war', at('2025-04-01')))?.status).toBe('ABANDONED');
  });
});

describe('asOf (valid time)', () => {
  beforeEach(async () => {
    await record({
      id: 'early',
      occurredAt: iso('2025-10-10'),
      positions: [stance('alice', 'war', 'SUPPORTS')],
      tone: 2,
    });
    await record({
      id: 'late',
      occurredAt: iso('2025-10-20'),
      positions: [stance('alice', 'war', 'OPPOSES')],
      tone: -6,
    });
  });

  it('does not count a development that occurs after asOf', async () => {
    const mid = at('2025-10-15');
    const activity = await actorActivityAt(harness.reads, 'alice', mid);
    expect(activity.positions.map((p) => [p.stance, p.developmentId])).toEqual([['SUPPORTS', 'early']]);
    expect((await activity.developments()).length).toBe(1);
    expect(activity.lastActiveAt).toBe(iso('2025-10-10'));
    expect(activity.relations).toHaveLength(1);
    expect(activity.relations[0]).toMatchObject({ otherId: 'boris', developmentCount: 1, lastTone: 2 });
    expect(meanTone(activity.relations[0]!)).toBe(2);
    expect((await topicActivityAt(harness.reads, 'war', mid)).developments.length).toBe(1);
    expect(await timelineIds({ to: day('2025-10-15') })).toEqual(['early']);

    const after = await actorActivityAt(harness.reads, 'alice', at('2025-10-25'));
    expect((await after.developments()).length).toBe(2);
    expect(after.positions.map((p) => p.developmentId)).toEqual(['late']);
    expect(after.relations[0]).toMatchObject({ developmentCount: 2, lastTone: -6 });
    expect(meanTone(after.relations[0]!)).toBe(-2);
  });

  it('is inclusive: a development that occurs exactly at asOf counts', async () => {
    expect(await actorDevelopments('alice', at('2025-10-20'))).toHaveLength(2);
    expect(await actorDevelopments('alice', at(new Date(day('2025-10-20').getTime() - 1)))).toHaveLength(1);
    expect(await timelineIds({ to: day('2025-10-20') })).toEqual(['early', 'late']);
  });

  it("lists an actor's developments newest first", async () => {
    await record({ id: 'middle', occurredAt: iso('2025-10-15') });
    const activity = await actorActivityAt(harness.reads, 'alice', at(FAR_FUTURE));
    expect(ids(await activity.developments())).toEqual(['late', 'middle', 'early']);
    expect(activity.lastActiveAt).toBe(iso('2025-10-20'));
    expect(ids((await topicActivityAt(harness.reads, 'war', at(FAR_FUTURE))).developments)).toEqual([
      'late',
      'middle',
      'early',
    ]);
  });
});

describe('knownAt (transaction time)', () => {
  it('leaves a development out before it was recorded and counts it after', async () => {
    const before = await mark();
    await record({
      id: 'dev-1',
      positions: [stance('alice', 'war', 'SUPPORTS')],
      meeting: { id: 'm', status: 'HELD' },
    });
    const after = await mark();

    expect(await knownDevelopment(harness.reads, 'dev-1', before)).toBeNull();
    expect(await knownDevelopment(harness.reads, 'dev-1', after)).toMatchObject({ id: 'dev-1', revision: 0 });
    const then = await actorActivityAt(harness.reads, 'alice', at(FAR_FUTURE, before));
    expect([(await then.developments()).length, then.positions.length, then.relations.length]).toEqual([0, 0, 0]);
    const now = await actorActivityAt(harness.reads, 'alice', at(FAR_FUTURE, after));
    expect([(await now.developments()).length, now.positions.length, now.relations.length]).toEqual([1, 1, 1]);
    expect(await timelineIds({}, before)).toEqual([]);
    expect(await timelineIds({}, after)).toEqual(['dev-1']);
    expect(await meetingAt(harness.reads, 'm', at(FAR_FUTURE, before))).toBeNull();
    expect((await meetingAt(harness.reads, 'm', at(FAR_FUTURE, after)))?.status).toBe('HELD');
    expect((await topicActivityAt(harness.reads, 'war', at(FAR_FUTURE, before))).developments).toHaveLength(0);
    expect((await topicActivityAt(harness.reads, 'war', at(FAR_FUTURE, after))).developments).toHaveLength(1);
  });

  it('a correction that moves occurredAt changes the answer only for knownAt after it', async () => {
    await record({ id: 'moved', occurredAt: iso('2025-10-20'), positions: [stance('alice', 'war', 'CONDITIONAL')] });
    const beforeCorrection = await mark();
    await harness.run('correctDevelopment', {
      id: 'moved',
      expectedRevision: 0,
      reason: 'it was the week before',
      patch: { occurredAt: iso('2025-10-10') },
    });
    const afterCorrection = await mark();

    const asOf = '2025-10-15';
    // known after the correction: it occurred on 10 October, so it counts as of the 15th
    const corrected = await actorActivityAt(harness.reads, 'alice', at(asOf, afterCorrection));
    expect(ids(await corrected.developments())).toEqual(['moved']);
    expect(corrected.positions.map((p) => p.since)).toEqual([iso('2025-10-10')]);
    expect(await timelineIds({ to: day(asOf) }, afterCorrection)).toEqual(['moved']);
    expect((await topicActivityAt(harness.reads, 'war', at(asOf, afterCorrection))).developments).toHaveLength(1);

    // known before it: the old occurredAt applies
    const uncorrected = await actorActivityAt(harness.reads, 'alice', at(asOf, beforeCorrection));
    expect(await uncorrected.developments()).toHaveLength(0);
    expect(uncorrected.positions).toHaveLength(0);
    expect(await timelineIds({ to: day(asOf) }, beforeCorrection)).toEqual([]);
    expect((await topicActivityAt(harness.reads, 'war', at(asOf, beforeCorrection))).developments).toHaveLength(0);
    const later = await actorActivityAt(harness.reads, 'alice', at('2025-10-25', beforeCorrection));
    expect(later.positions.map((p) => p.since)).toEqual([iso('2025-10-20')]);
    expect(await knownDevelopment(harness.reads, 'moved', beforeCorrection)).toMatchObject({
      occurredAt: iso('2025-10-20'),
      revision: 0,
      corrections: [],
    });
    expect(await knownDevelopment(harness.reads, 'moved', afterCorrection)).toMatchObject({
      occurredAt: iso('2025-10-10'),
      revision: 1,
      corrections: [{ changedFields: ['occurredAt'], reason: 'it was the week before' }],
    });
  });

  it('a verification shows only for knownAt after it', async () => {
    await record({ id: 'claim', kind: 'CLAIM' });
    const beforeVerification = await mark();
    await harness.run('verifyDevelopment', {
      id: 'claim',
      status: 'DISPUTED',
      byActorId: 'boris',
      summary: 'unaware of any such call',
    });
    const afterVerification = await mark();

    expect(await knownDevelopment(harness.reads, 'claim', beforeVerification)).toMatchObject({
      status: 'REPORTED',
      verifications: [],
      revision: 0,
    });
    const verified = await knownDevelopment(harness.reads, 'claim', afterVerification);
    expect(verified).toMatchObject({ status: 'DISPUTED', revision: 1 });
    expect(verified?.verifications).toHaveLength(1);
    expect(verified?.verifications[0]).toMatchObject({ status: 'DISPUTED', byActorId: 'boris' });
    expect(verified!.verifications[0]!.recordedAt.getTime()).toBeGreaterThan(beforeVerification.getTime());
    expect(verified!.verifications[0]!.recordedAt.getTime()).toBeLessThanOrEqual(afterVerification.getTime());
  });

  describe('retraction', () => {
    let beforeRetraction: Date;
    let afterRetraction: Date;

    beforeEach(async () => {
      await record({
        id: 'kept',
        occurredAt: iso('2025-10-10'),
        positions: [stance('alice', 'talks', 'SUPPORTS')],
        topicIds: ['talks'],
      });
      await record({
        id: 'fake',
        occurredAt: iso('2025-10-16'),
        positions: [stance('alice', 'war', 'OPPOSES'), stance('boris', 'war', 'SUPPORTS')],
        meeting: { id: 'fake-summit', status: 'AGREED' },
        tone: -8,
      });
      beforeRetraction = await mark();
      await harness.run('retractDevelopment', { id: 'fake', expectedRevision: 0, reason: 'a hoax' });
      afterRetraction = await mark();
    });

    it('leaves every fold known after it', async () => {
      const point = at(FAR_FUTURE, afterRetraction);
      const alice = await actorActivityAt(harness.reads, 'alice', point);
      expect(ids(await alice.developments())).toEqual(['kept']);
      expect(alice.positions.map((p) => p.developmentId)).toEqual(['kept']);
      // kept (alice SOURCE, boris TARGET, no tone) is the only dealing left
      expect(alice.relations.map((r) => [r.otherId, r.developmentCount, r.lastTone, r.lastDevelopmentId])).toEqual([
        ['boris', 1, undefined, 'kept'],
      ]);
      expect(await alice.meetings()).toEqual([]);
      expect(await topicActivityAt(harness.reads, 'war', point)).toMatchObject({
        positions: [],
        developments: [],
        actorIds: [],
        meetings: [],
      });
      expect(await meetingAt(harness.reads, 'fake-summit', point)).toBeNull();
      expect(await meetingsAt(harness.reads, {}, point)).toEqual([]);
      expect(await timelineIds({}, afterRetraction)).toEqual(['kept']);
      expect(await timelineIds({ includeRetracted: true }, afterRetraction)).toEqual(['kept', 'fake']);
      expect(await knownDevelopment(harness.reads, 'fake', afterRetraction)).toMatchObject({
        id: 'fake',
        status: 'RETRACTED',
        retracted: true,
        revision: 1,
      });
    });

    it('leaves everything counting for knownAt before it', async () => {
      const point = at(FAR_FUTURE, beforeRetraction);
      const alice = await actorActivityAt(harness.reads, 'alice', point);
      expect(ids(await alice.developments())).toEqual(['fake', 'kept']);
      expect(alice.positions.map((p) => `${p.topicId}:${p.stance}`).sort()).toEqual(['talks:SUPPORTS', 'war:OPPOSES']);
      expect(alice.relations.map((r) => [r.otherId, r.developmentCount, r.lastTone])).toEqual([['boris', 2, -8]]);
      expect((await alice.meetings()).map((m) => m.id)).toEqual(['fake-summit']);
      expect((await topicActivityAt(harness.reads, 'war', point)).developments).toHaveLength(1);
      expect((await topicPositions('war', point)).sort()).toEqual(['alice:OPPOSES:fake', 'boris:SUPPORTS:fake']);
      expect((await meetingAt(harness.reads, 'fake-summit', point))?.status).toBe('AGREED');
      expect(await timelineIds({}, beforeRetraction)).toEqual(['kept', 'fake']);
      expect(await knownDevelopment(harness.reads, 'fake', beforeRetraction)).toMatchObject({
        status: 'REPORTED',
        retracted: false,
      });
    });
  });
});

describe('actors', () => {
  it('is null only when not registered as of knownAt, whatever asOf', async () => {
    const beforeRegistration = await mark();
    await harness.run('registerActor', { id: 'carla', name: 'Carla', kind: 'PERSON' });
    const afterRegistration = await mark();
    expect(await actorAt(harness.reads, 'carla', at('1900-01-01', afterRegistration))).toMatchObject({
      id: 'carla',
      name: 'Carla',
      roles: [],
    });
    expect(await actorAt(harness.reads, 'carla', at(FAR_FUTURE, beforeRegistration))).toBeNull();
    expect(await actorAt(harness.reads, 'nobody', at(FAR_FUTURE))).toBeNull();
    expect((await actorsAt(harness.reads, {}, at(FAR_FUTURE, beforeRegistration))).map((a) => a.id)).not.toContain(
      'carla',
    );
    expect((await actorsAt(harness.reads, {}, at('1900-01-01', afterRegistration))).map((a) => a.id)).toContain(
      'carla',
    );
  });

  it('holds roles from since (inclusive) until until (exclusive)', async () => {
    await harness.run('assignRole', {
      actorId: 'alice',
      title: 'President',
      organizationId: 'acme',
      since: iso('2025-01-20'),
      until: iso('2029-01-20'),
    });
    await harness.run('assignRole', { actorId: 'alice', title: 'Chair', since: iso('2026-01-01') });
    const titles = async (asOf: Date | string) => {
      const actor = await actorAt(harness.reads, 'alice', at(asOf));
      return actor && rolesAt(actor, actor.at.asOf).map((r) => r.title);
    };
    expect(await titles('2025-01-19')).toEqual([]);
    expect(await titles('2025-01-20')).toEqual(['President']);
    expect(await titles('2026-06-01')).toEqual(['President', 'Chair']);
    expect(await titles(new Date(day('2029-01-20').getTime() - 1))).toEqual(['President', 'Chair']);
    expect(await titles('2029-01-20')).toEqual(['Chair']);
  });

  it('holds only the roles whose assignment is known at knownAt', async () => {
    const beforeAssignment = await mark();
    await harness.run('assignRole', { actorId: 'alice', title: 'President', since: iso('2025-01-20') });
    const afterAssignment = await mark();
    const titles = async (knownAt: Date) => {
      const actor = await actorAt(harness.reads, 'alice', at(FAR_FUTURE, knownAt));
      return actor && rolesAt(actor, actor.at.asOf).map((r) => r.title);
    };
    expect(await titles(beforeAssignment)).toEqual([]);
    expect(await titles(afterAssignment)).toEqual(['President']);
  });
});

describe('topics', () => {
  it('exists from openedAt (inclusive), once its opening is known', async () => {
    // talks opens 2021-01-01
    expect(await topicAt(harness.reads, 'talks', at('2020-06-01'))).toBeNull();
    expect(await topicAt(harness.reads, 'talks', at('2021-01-01'))).toMatchObject({ id: 'talks', status: 'EMERGING' });

    const beforeOpening = await mark();
    await harness.run('openTopic', { id: 'gaza', title: 'Gaza ceasefire', openedAt: iso('2025-10-01') });
    const afterOpening = await mark();
    expect(await topicAt(harness.reads, 'gaza', at(FAR_FUTURE, beforeOpening))).toBeNull();
    expect(await topicAt(harness.reads, 'gaza', at(FAR_FUTURE, afterOpening))).toMatchObject({ id: 'gaza' });
    expect((await topicsAt(harness.reads, {}, at(FAR_FUTURE, beforeOpening))).map((t) => t.id)).toEqual([
      'war',
      'talks',
    ]);
    expect((await topicsAt(harness.reads, {}, at('2020-06-01'))).map((t) => t.id)).toEqual(['war']);
  });

  it('is EMERGING until its first status change at or before asOf, and as known at knownAt', async () => {
    const beforeChange = await mark();
    await harness.run('changeTopicStatus', { topicId: 'war', status: 'ACTIVE', at: iso('2025-03-01') });
    expect((await topicAt(harness.reads, 'war', at('2025-02-28')))?.status).toBe('EMERGING');
    expect((await topicAt(harness.reads, 'war', at('2025-03-01')))?.status).toBe('ACTIVE');
    expect((await topicAt(harness.reads, 'war', at(FAR_FUTURE, beforeChange)))?.status).toBe('EMERGING');
  });

  it('lists its subtopics that exist at the time point', async () => {
    const beforeChild = await mark();
    await harness.run('openTopic', { id: 'oil', title: 'Oil', parentId: 'war', openedAt: iso('2025-06-01') });
    expect((await subtopicsAt(harness.reads, 'war', at(FAR_FUTURE))).map((t) => t.id)).toEqual(['oil', 'talks']);
    expect((await subtopicsAt(harness.reads, 'war', at('2022-01-01'))).map((t) => t.id)).toEqual(['talks']);
    expect(await subtopicsAt(harness.reads, 'war', at('2020-06-01'))).toEqual([]);
    expect((await subtopicsAt(harness.reads, 'war', at(FAR_FUTURE, beforeChild))).map((t) => t.id)).toEqual(['talks']);
    expect(await subtopicsAt(harness.reads, 'talks', at(FAR_FUTURE))).toEqual([]);
  });
});

describe('meetings', () => {
  it('is told by the developments that name it, in world order', async () => {
    await record({ id: 'proposed', occurredAt: iso('2025-10-16'), meeting: { id: 'summit', status: 'PROPOSED' } });
    await record({ id: 'agreed', occurredAt: iso('2025-10-16'), meeting: { id: 'summit', status: 'AGREED' } });

    expect(await meetingAt(harness.reads, 'summit', at('2025-10-15'))).toBeNull();
    // same day: the later-recorded step wins; participants and topics default from the first development
    expect(await meetingAt(harness.reads, 'summit', at('2025-10-16'))).toMatchObject({
      id: 'summit',
      status: 'AGREED',
      title: 'Alice speaks',
      participantIds: ['alice', 'boris'],
      topicIds: ['war'],
      developmentIds: ['proposed', 'agreed'],
    });

    await record({
      id: 'scheduled',
      occurredAt: iso('2025-10-20'),
      meeting: {
        id: 'summit',
        status: 'SCHEDULED',
        title: 'Budapest summit',
        participantIds: ['alice', 'acme'],
        scheduledFor: iso('2025-11-01'),
        location: 'Budapest',
      },
    });
    // a late report of an earlier step does not undo the later ones
    await record({ id: 'late-report', occurredAt: iso('2025-10-14'), meeting: { id: 'summit', status: 'PROPOSED' } });

    expect(await meetingAt(harness.reads, 'summit', at('2025-10-14'))).toMatchObject({
      status: 'PROPOSED',
      developmentIds: ['late-report'],
    });
    expect(await meetingAt(harness.reads, 'summit', at('2025-10-18'))).toMatchObject({
      status: 'AGREED',
      participantIds: ['alice', 'boris'],
      developmentIds: ['late-report', 'proposed', 'agreed'],
    });
    expect(await meetingAt(harness.reads, 'summit', at(FAR_FUTURE))).toMatchObject({
      status: 'SCHEDULED',
      title: 'Budapest summit',
      location: 'Budapest',
      scheduledFor: iso('2025-11-01'),
      participantIds: ['alice', 'acme'],
      topicIds: ['war'],
      developmentIds: ['late-report', 'proposed', 'agreed', 'scheduled'],
    });
    // the actors' meetings follow the participants
    expect(
      (await (await actorActivityAt(harness.reads, 'boris', at('2025-10-18'))).meetings()).map((m) => m.id),
    ).toEqual(['summit']);
    expect(await (await actorActivityAt(harness.reads, 'boris', at(FAR_FUTURE))).meetings()).toEqual([]);
    expect((await (await actorActivityAt(harness.reads, 'acme', at(FAR_FUTURE))).meetings()).map((m) => m.id)).toEqual([
      'summit',
    ]);
    expect((await topicActivityAt(harness.reads, 'war', at(FAR_FUTURE))).meetings.map((m) => m.id)).toEqual(['summit']);
  });

  it('is null again when its only naming development is retracted', async () => {
    await record({ id: 'only', meeting: { id: 'phantom', status: 'PROPOSED' } });
    await record({ id: 'other', occurredAt: iso('2025-10-17') });
    const beforeRetraction = await mark();
    await harness.run('retractDevelopment', { id: 'only', expectedRevision: 0, reason: 'never proposed' });
    const afterRetraction = await mark();
    expect((await meetingAt(harness.reads, 'phantom', at(FAR_FUTURE, beforeRetraction)))?.status).toBe('PROPOSED');
    expect(await meetingAt(harness.reads, 'phantom', at(FAR_FUTURE, afterRetraction))).toBeNull();
    expect(await meetingsAt(harness.reads, {}, at(FAR_FUTURE, afterRetraction))).toEqual([]);
    expect((await meetingsAt(harness.reads, {}, at(FAR_FUTURE, beforeRetraction))).map((m) => m.id)).toEqual([
      'phantom',
    ]);
  });

  it('leaves a meeting when a correction moves its development to another one', async () => {
    await record({ id: 'step', meeting: { id: 'first-meeting', status: 'PROPOSED' } });
    const beforeCorrection = await mark();
    await harness.run('correctDevelopment', {
      id: 'step',
      expectedRevision: 0,
      reason: 'wrong meeting',
      patch: { meeting: { id: 'second-meeting', status: 'AGREED' } },
    });
    expect(await meetingAt(harness.reads, 'first-meeting', at(FAR_FUTURE))).toBeNull();
    expect((await meetingAt(harness.reads, 'second-meeting', at(FAR_FUTURE)))?.status).toBe('AGREED');
    expect((await meetingAt(harness.reads, 'first-meeting', at(FAR_FUTURE, beforeCorrection)))?.status).toBe(
      'PROPOSED',
    );
    expect(await meetingAt(harness.reads, 'second-meeting', at(FAR_FUTURE, beforeCorrection))).toBeNull();
  });
});

describe('relations', () => {
  it('counts SOURCE against TARGET either way, with the mean and the last of the tones carried', async () => {
    const pair = (source: string, target: string) => [
      { actorId: source, role: 'SOURCE' },
      { actorId: target, role: 'TARGET' },
    ];
    await record({ id: 'a', occurredAt: iso('2025-01-01'), participants: pair('alice', 'boris'), tone: 4 });
    await record({ id: 'b', occurredAt: iso('2025-02-01'), participants: pair('boris', 'alice'), tone: -2 });
    await record({ id: 'c', occurredAt: iso('2025-03-01'), participants: pair('alice', 'boris') }); // no tone
    await record({
      id: 'side-by-side',
      occurredAt: iso('2025-04-01'),
      participants: [
        { actorId: 'alice', role: 'SOURCE' },
        { actorId: 'boris', role: 'SOURCE' },
        { actorId: 'acme', role: 'PARTICIPANT' },
      ],
      tone: 10,
    });
    await record({ id: 'to-acme', occurredAt: iso('2025-05-01'), participants: pair('alice', 'acme') }); // no tone

    const relations = (await actorActivityAt(harness.reads, 'alice', at(FAR_FUTURE))).relations;
    const boris = relations.find((r) => r.otherId === 'boris')!;
    expect(boris).toMatchObject({ developmentCount: 3, lastTone: -2, lastDevelopmentId: 'c' });
    expect(meanTone(boris)).toBe(1);
    const acme = relations.find((r) => r.otherId === 'acme')!;
    expect(acme).toMatchObject({ developmentCount: 1, lastDevelopmentId: 'to-acme' });
    expect(acme.lastTone).toBeUndefined();
    expect(meanTone(acme)).toBeNull();
    expect(relations).toHaveLength(2);

    // the other side sees the same dealings
    const fromBoris = (await actorActivityAt(harness.reads, 'boris', at(FAR_FUTURE))).relations;
    expect(fromBoris.map((r) => [r.otherId, r.developmentCount, r.lastTone])).toEqual([['alice', 3, -2]]);
    expect(meanTone(fromBoris[0]!)).toBe(1);

    // as of February the mean is over a and b only
    const february = (await actorActivityAt(harness.reads, 'alice', at('2025-02-15'))).relations;
    expect(february.map((r) => [r.otherId, r.developmentCount, meanTone(r), r.lastTone])).toEqual([
      ['boris', 2, 1, -2],
    ]);
  });
});

describe('timelineAt filters', () => {
  beforeEach(async () => {
    await record({
      id: 't1',
      kind: 'STATEMENT',
      occurredAt: iso('2025-01-10'),
      title: 'Alpha talk',
      topicIds: ['war'],
      quotes: [{ speakerId: 'alice', text: 'We want PEACE' }],
    });
    await record({
      id: 't2',
      kind: 'THREATEN',
      occurredAt: iso('2025-02-10'),
      title: 'Beta threat',
      summary: 'Missiles were mentioned',
      participants: [{ actorId: 'boris', role: 'SOURCE' }],
      topicIds: ['talks'],
    });
    await record({
      id: 't3',
      kind: 'CONSULT',
      occurredAt: iso('2025-03-10'),
      title: 'Gamma meeting',
      participants: [{ actorId: 'acme', role: 'HOST' }],
      topicIds: ['war', 'talks'],
    });
    await record({
      id: 't4',
      kind: 'STATEMENT',
      occurredAt: iso('2025-04-10'),
      title: 'Delta claim',
      participants: [{ actorId: 'alice', role: 'SOURCE' }],
      topicIds: ['talks'],
    });
    await harness.run('retractDevelopment', { id: 't4', expectedRevision: 0, reason: 'made up' });
  });

  it('filters by actors (any), topics (any) and kinds', async () => {
    expect(await timelineIds({ actorIds: ['boris', 'acme'] })).toEqual(['t1', 't2', 't3']);
    expect(await timelineIds({ actorIds: ['acme'] })).toEqual(['t3']);
    expect(await timelineIds({ topicIds: ['talks'] })).toEqual(['t2', 't3']);
    expect(await timelineIds({ topicIds: ['war', 'talks'] })).toEqual(['t1', 't2', 't3']);
    expect(await timelineIds({ kinds: ['STATEMENT'] })).toEqual(['t1']);
    expect(await timelineIds({ kinds: ['STATEMENT', 'CONSULT'] })).toEqual(['t1', 't3']);
    expect(await timelineIds({ actorIds: ['alice'], topicIds: ['talks'] })).toEqual([]);
    expect(await timelineIds({ actorIds: ['boris'], topicIds: ['talks'] })).toEqual(['t2']);
  });

  it('filters by from and to, both inclusive', async () => {
    expect(await timelineIds({ from: day('2025-02-10'), to: day('2025-03-10') })).toEqual(['t2', 't3']);
    expect(await timelineIds({ from: new Date(day('2025-02-10').getTime() + 1) })).toEqual(['t3']);
    expect(await timelineIds({ to: new Date(day('2025-03-10').getTime() - 1) })).toEqual(['t1', 't2']);
  });

  it('matches text case-insensitively on title, summary and quotes', async () => {
    expect(await timelineIds({ text: 'peace' })).toEqual(['t1']); // quote
    expect(await timelineIds({ text: 'MISSILES' })).toEqual(['t2']); // summary
    expect(await timelineIds({ text: 'gAmMa' })).toEqual(['t3']); // title
    expect(await timelineIds({ text: 'a' })).toEqual(['t1', 't2', 't3']);
    expect(await timelineIds({ text: 'delta' })).toEqual([]);
    expect(await timelineIds({ text: 'delta', includeRetracted: true })).toEqual(['t4']);
  });

  it('shows retracted developments only when asked, and sorts both ways', async () => {
    expect(await timelineIds({})).toEqual(['t1', 't2', 't3']);
    expect(await timelineIds({ includeRetracted: true })).toEqual(['t1', 't2', 't3', 't4']);
    expect(await timelineIds({ includeRetracted: true }, new Date(), 'DESC')).toEqual(['t4', 't3', 't2', 't1']);
    expect(await timelineIds({ actorIds: ['alice'], topicIds: ['talks'], includeRetracted: true })).toEqual(['t4']);
    expect((await timelineAt(harness.reads, { includeRetracted: true }, new Date())).at(-1)?.status).toBe('RETRACTED');
  });
});
