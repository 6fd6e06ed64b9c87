import { beforeEach, describe, expect, it } from 'vitest';
import type { DevelopmentCorrectedData } from '../../events/development-corrected.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { TimelineError } from '../../src/application/errors.js';
import { expectRefusal, refusal } from '../support/refusals.js';
import {
  development,
  EDITOR,
  freshHarnessWithBasics,
  latestDevelopment,
  type TimelineHarness,
} from '../support/timeline-harness.js';

/**
 * The rules of the write side, through the real command bus on a real SQLite log: every refusal has its code and the
 * path of the offending field, and appends nothing.
 */

let harness: TimelineHarness;
freshHarnessWithBasics((opened) => (harness = opened));

const readLog = async (): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await harness.store.readAll({ after: events.at(-1)?.position ?? null, maxCount: 100 });
    if (page.length === 0) return events;
    events.push(...page);
  }
};

const eventsOf = async (stream: string): Promise<RecordedEvent[]> => harness.store.readStream(stream);

const revisionOf = async (id: string): Promise<number | undefined> => (await latestDevelopment(harness, id))?.revision;

describe('registerActor', () => {
  it('refuses an id that is not a slug', async () => {
    await expectRefusal(harness, 'registerActor', { id: 'not a slug!', name: 'X', kind: 'PERSON' }, 'BAD_USER_INPUT', [
      'input',
      'id',
    ]);
  });

  it('refuses an unknown kind', async () => {
    await expectRefusal(harness, 'registerActor', { id: 'xavier', name: 'Xavier', kind: 'ALIEN' }, 'BAD_USER_INPUT', [
      'input',
      'kind',
    ]);
  });

  it('refuses a country that is not ISO 3166-1 alpha-3', async () => {
    await expectRefusal(
      harness,
      'registerActor',
      { id: 'xavier', name: 'Xavier', kind: 'PERSON', country: 'us' },
      'BAD_USER_INPUT',
      ['input', 'country'],
    );
    await expectRefusal(
      harness,
      'registerActor',
      { id: 'xavier', name: 'Xavier', kind: 'PERSON', country: 'USAA' },
      'BAD_USER_INPUT',
      ['input', 'country'],
    );
  });

  it('appends nothing when the same actor is registered again with the same content', async () => {
    const before = await harness.logLength();
    const result = await harness.run('registerActor', { id: 'alice', name: 'Alice', kind: 'PERSON', country: 'USA' });
    expect(result).toMatchObject({ id: 'alice', appended: 0 });
    // aliases [] is what an absent aliases means
    const again = await harness.run('registerActor', {
      id: 'alice',
      name: 'Alice',
      kind: 'PERSON',
      country: 'USA',
      aliases: [],
    });
    expect(again.appended).toBe(0);
    expect(await harness.logLength()).toBe(before);
  });

  it('is a CONFLICT to register the same id with other content', async () => {
    await expectRefusal(
      harness,
      'registerActor',
      { id: 'alice', name: 'Alicia', kind: 'PERSON', country: 'USA' },
      'CONFLICT',
      ['input', 'id'],
    );
    await expectRefusal(
      harness,
      'registerActor',
      { id: 'alice', name: 'Alice', kind: 'STATE', country: 'USA' },
      'CONFLICT',
      ['input', 'id'],
    );
  });
});

describe('assignRole', () => {
  const role = { actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z' };

  it('refuses a missing actor', async () => {
    await expectRefusal(harness, 'assignRole', { ...role, actorId: 'nobody' }, 'NOT_FOUND', ['input', 'actorId']);
  });

  it('refuses a missing organization', async () => {
    await expectRefusal(harness, 'assignRole', { ...role, organizationId: 'nowhere' }, 'NOT_FOUND', [
      'input',
      'organizationId',
    ]);
  });

  it('refuses until <= since', async () => {
    await expectRefusal(harness, 'assignRole', { ...role, until: role.since }, 'BAD_USER_INPUT', ['input', 'until']);
    await expectRefusal(harness, 'assignRole', { ...role, until: '2025-01-19T00:00:00Z' }, 'BAD_USER_INPUT', [
      'input',
      'until',
    ]);
  });

  it('assigns a role once; the very same role again appends nothing', async () => {
    const first = await harness.run('assignRole', { ...role, organizationId: 'acme', until: '2029-01-20T00:00:00Z' });
    expect(first.appended).toBe(1);
    const before = await harness.logLength();
    const again = await harness.run('assignRole', {
      ...role,
      since: '2025-01-20T00:00:00.000Z',
      organizationId: 'acme',
      until: '2029-01-20T00:00:00Z',
    });
    expect(again.appended).toBe(0);
    expect(await harness.logLength()).toBe(before);
  });
});

describe('openTopic', () => {
  it('refuses a missing parent', async () => {
    await expectRefusal(
      harness,
      'openTopic',
      { id: 'gaza', title: 'Gaza', parentId: 'nope', openedAt: '2025-01-01T00:00:00Z' },
      'NOT_FOUND',
      ['input', 'parentId'],
    );
  });

  it('refuses a topic that is its own parent', async () => {
    await expectRefusal(
      harness,
      'openTopic',
      { id: 'gaza', title: 'Gaza', parentId: 'gaza', openedAt: '2025-01-01T00:00:00Z' },
      'BAD_USER_INPUT',
      ['input', 'parentId'],
    );
  });

  it('appends nothing when the same topic is opened again (whatever the spelling of the instant)', async () => {
    const before = await harness.logLength();
    const again = await harness.run('openTopic', {
      id: 'talks',
      title: 'Talks',
      parentId: 'war',
      openedAt: '2021-01-01T00:00:00Z',
    });
    expect(again).toMatchObject({ id: 'talks', appended: 0 });
    expect(await harness.logLength()).toBe(before);
  });

  it('is a CONFLICT to open the same id with other content', async () => {
    await expectRefusal(
      harness,
      'openTopic',
      { id: 'war', title: 'Another war', openedAt: '2020-01-01T00:00:00Z' },
      'CONFLICT',
      ['input', 'id'],
    );
    await expectRefusal(
      harness,
      'openTopic',
      { id: 'talks', title: 'Talks', openedAt: '2021-01-01T00:00:00Z' },
      'CONFLICT',
      ['input', 'id'],
    );
  });
});

describe('changeTopicStatus', () => {
  it('refuses a missing topic', async () => {
    await expectRefusal(
      harness,
      'changeTopicStatus',
      { topicId: 'nope', status: 'ACTIVE', at: '2025-01-01T00:00:00Z' },
      'NOT_FOUND',
      ['input', 'topicId'],
    );
  });

  it('refuses a change before the topic opened, accepts one at the opening', async () => {
    await expectRefusal(
      harness,
      'changeTopicStatus',
      { topicId: 'talks', status: 'ACTIVE', at: '2020-12-31T23:59:59.999Z' },
      'BAD_USER_INPUT',
      ['input', 'at'],
    );
    const result = await harness.run('changeTopicStatus', {
      topicId: 'talks',
      status: 'ACTIVE',
      at: '2021-01-01T00:00:00Z',
    });
    expect(result.appended).toBe(1);
  });
});

describe('recordDevelopment', () => {
  const missing = [
    {
      what: 'participant actor',
      input: development({
        participants: [
          { actorId: 'alice', role: 'SOURCE' },
          { actorId: 'ghost', role: 'TARGET' },
        ],
      }),
      path: ['input', 'participants', 1, 'actorId'],
    },
    { what: 'topic', input: development({ topicIds: ['war', 'nope'] }), path: ['input', 'topicIds', 1] },
    {
      what: 'quote speaker',
      input: development({
        quotes: [
          { speakerId: 'alice', text: 'Hello' },
          { speakerId: 'ghost', text: 'Boo' },
        ],
      }),
      path: ['input', 'quotes', 1, 'speakerId'],
    },
    {
      what: 'position actor',
      input: development({ positions: [{ actorId: 'ghost', topicId: 'war', stance: 'SUPPORTS' }] }),
      path: ['input', 'positions', 0, 'actorId'],
    },
    {
      what: 'position topic',
      input: development({ positions: [{ actorId: 'alice', topicId: 'nope', stance: 'SUPPORTS' }] }),
      path: ['input', 'positions', 0, 'topicId'],
    },
    {
      what: 'meeting participant',
      input: development({ meeting: { id: 'summit', status: 'PROPOSED', participantIds: ['alice', 'ghost'] } }),
      path: ['input', 'meeting', 'participantIds', 1],
    },
    {
      what: 'meeting topic',
      input: development({ meeting: { id: 'summit', status: 'PROPOSED', topicIds: ['nope'] } }),
      path: ['input', 'meeting', 'topicIds', 0],
    },
  ];

  for (const { what, input, path } of missing) {
    it(`refuses a missing ${what} (NOT_FOUND at ${path.join('.')})`, async () => {
      await expectRefusal(harness, 'recordDevelopment', input, 'NOT_FOUND', path);
    });
  }

  it('refuses a tone outside -10..10', async () => {
    await expectRefusal(harness, 'recordDevelopment', development({ tone: 11 }), 'BAD_USER_INPUT', ['input', 'tone']);
    await expectRefusal(harness, 'recordDevelopment', development({ tone: -10.5 }), 'BAD_USER_INPUT', [
      'input',
      'tone',
    ]);
  });

  it('accepts the tones at the bounds, 10 and -10', async () => {
    expect((await harness.run('recordDevelopment', development({ id: 'warm', tone: 10 }))).appended).toBe(1);
    expect((await harness.run('recordDevelopment', development({ id: 'cold', tone: -10 }))).appended).toBe(1);
    expect((await latestDevelopment(harness, 'warm'))?.tone).toBe(10);
    expect((await latestDevelopment(harness, 'cold'))?.tone).toBe(-10);
  });

  it('refuses an occurredAt that is not a date, or a day that does not exist', async () => {
    await expectRefusal(harness, 'recordDevelopment', development({ occurredAt: 'not a date' }), 'BAD_USER_INPUT', [
      'input',
      'occurredAt',
    ]);
    // 30 February must not roll over to 2 March as JavaScript's Date would
    await expectRefusal(
      harness,
      'recordDevelopment',
      development({ occurredAt: '2025-02-30T00:00:00Z' }),
      'BAD_USER_INPUT',
      ['input', 'occurredAt'],
    );
  });

  it('refuses an unknown field (inputs are strict)', async () => {
    const error = await refusal(harness, 'recordDevelopment', development({ colour: 'red' }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.path).toEqual(['input', 'colour']);
    expect(error.message).toContain('colour');
    const nested = await refusal(
      harness,
      'recordDevelopment',
      development({ participants: [{ actorId: 'alice', role: 'SOURCE', weight: 2 }] }),
    );
    expect(nested.code).toBe('BAD_USER_INPUT');
    expect(nested.path?.slice(0, 3)).toEqual(['input', 'participants', 0]);
  });

  it('refuses the same participant twice in the same role, accepts one actor in two roles', async () => {
    await expectRefusal(
      harness,
      'recordDevelopment',
      development({
        participants: [
          { actorId: 'alice', role: 'SOURCE' },
          { actorId: 'boris', role: 'TARGET' },
          { actorId: 'alice', role: 'SOURCE' },
        ],
      }),
      'BAD_USER_INPUT',
      ['input', 'participants', 2],
    );
    const result = await harness.run(
      'recordDevelopment',
      development({
        participants: [
          { actorId: 'alice', role: 'SOURCE' },
          { actorId: 'alice', role: 'MENTIONED' },
        ],
      }),
    );
    expect(result.appended).toBe(1);
  });

  it('refuses two stances of one actor on one topic', async () => {
    await expectRefusal(
      harness,
      'recordDevelopment',
      development({
        positions: [
          { actorId: 'alice', topicId: 'war', stance: 'SUPPORTS' },
          { actorId: 'alice', topicId: 'war', stance: 'OPPOSES' },
        ],
      }),
      'BAD_USER_INPUT',
      ['input', 'positions', 1],
    );
  });

  it('refuses a topic that opens after the development occurred, blaming that topicIds entry', async () => {
    // talks opens 2021-01-01
    await expectRefusal(
      harness,
      'recordDevelopment',
      development({ occurredAt: '2020-06-01T00:00:00Z', topicIds: ['war', 'talks'] }),
      'BAD_USER_INPUT',
      ['input', 'topicIds', 1],
    );
    await expectRefusal(
      harness,
      'recordDevelopment',
      development({
        occurredAt: '2020-06-01T00:00:00Z',
        positions: [{ actorId: 'alice', topicId: 'talks', stance: 'SUPPORTS' }],
      }),
      'BAD_USER_INPUT',
      ['input', 'positions', 0, 'topicId'],
    );
  });

  it('appends nothing for the same id with the same content', async () => {
    const first = await harness.run('recordDevelopment', development());
    expect(first).toMatchObject({ id: 'dev-1', appended: 1 });
    const before = await harness.logLength();
    const again = await harness.run('recordDevelopment', development());
    expect(again).toMatchObject({ id: 'dev-1', appended: 0, position: first.position });
    // the same instant spelled otherwise, and optional lists spelled out empty, are the same content
    const respelled = await harness.run(
      'recordDevelopment',
      development({ occurredAt: '2025-10-16T02:00:00+02:00', quotes: [], positions: [] }),
    );
    expect(respelled.appended).toBe(0);
    expect(await harness.logLength()).toBe(before);
  });

  it('is a CONFLICT to record the same id with other content', async () => {
    await harness.run('recordDevelopment', development());
    await expectRefusal(harness, 'recordDevelopment', development({ title: 'Alice whispers' }), 'CONFLICT', [
      'input',
      'id',
    ]);
    await expectRefusal(harness, 'recordDevelopment', development({ tone: 1 }), 'CONFLICT', ['input', 'id']);
  });

  it('generates an id when none is given', async () => {
    const { id: _id, ...input } = development();
    const first = await harness.run('recordDevelopment', input);
    const second = await harness.run('recordDevelopment', input);
    expect(first.appended).toBe(1);
    expect(second.appended).toBe(1);
    expect(first.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
    expect(second.id).not.toBe(first.id);
    expect(await latestDevelopment(harness, first.id)).toMatchObject({ id: first.id, title: 'Alice speaks' });
    const [recorded] = await eventsOf(`development-${first.id}`);
    expect(recorded).toMatchObject({ type: 'DevelopmentRecorded', data: { id: first.id } });
  });
});

describe('correctDevelopment', () => {
  beforeEach(async () => {
    await harness.run('recordDevelopment', development({ topicIds: ['war', 'talks'] }));
  });

  const correction = (overrides: Record<string, unknown> = {}) => ({
    id: 'dev-1',
    expectedRevision: 0,
    reason: 'a better source',
    patch: { title: 'Alice speaks up' },
    ...overrides,
  });

  it('is a CONFLICT at the wrong expectedRevision, telling the actual one', async () => {
    const error = await expectRefusal(harness, 'correctDevelopment', correction({ expectedRevision: 3 }), 'CONFLICT', [
      'input',
      'expectedRevision',
    ]);
    expect(error.details).toMatchObject({ actualRevision: 0, expectedRevision: 3 });
  });

  it('refuses a missing development', async () => {
    await expectRefusal(harness, 'correctDevelopment', correction({ id: 'nope' }), 'NOT_FOUND', ['input', 'id']);
  });

  it('refuses a patch that changes nothing', async () => {
    await expectRefusal(
      harness,
      'correctDevelopment',
      correction({ patch: { title: 'Alice speaks', tone: null, occurredAt: '2025-10-16T00:00:00Z' } }),
      'BAD_USER_INPUT',
      ['input', 'patch'],
    );
    await expectRefusal(harness, 'correctDevelopment', correction({ patch: {} }), 'BAD_USER_INPUT', ['input', 'patch']);
  });

  it('refuses null on a required field', async () => {
    await expectRefusal(harness, 'correctDevelopment', correction({ patch: { title: null } }), 'BAD_USER_INPUT', [
      'input',
      'patch',
      'title',
    ]);
    await expectRefusal(harness, 'correctDevelopment', correction({ patch: { occurredAt: null } }), 'BAD_USER_INPUT', [
      'input',
      'patch',
      'occurredAt',
    ]);
    // Lists every development has: null is a clear refusal, not an event the catalog rejects later.
    for (const field of ['positions', 'quotes']) {
      await expectRefusal(harness, 'correctDevelopment', correction({ patch: { [field]: null } }), 'BAD_USER_INPUT', [
        'input',
        'patch',
        field,
      ]);
    }
  });

  it('is a CONFLICT to correct a retracted development', async () => {
    await harness.run('retractDevelopment', { id: 'dev-1', expectedRevision: 0, reason: 'never happened' });
    await expectRefusal(harness, 'correctDevelopment', correction({ expectedRevision: 1 }), 'CONFLICT', [
      'input',
      'id',
    ]);
  });

  it("refuses to move occurredAt before a topic's opening, blaming patch.occurredAt", async () => {
    await expectRefusal(
      harness,
      'correctDevelopment',
      correction({ patch: { occurredAt: '2020-06-01T00:00:00Z' } }),
      'BAD_USER_INPUT',
      ['input', 'patch', 'occurredAt'],
    );
  });

  it('refuses missing references in the patch, with the path under patch', async () => {
    await expectRefusal(
      harness,
      'correctDevelopment',
      correction({ patch: { topicIds: ['war', 'nope'] } }),
      'NOT_FOUND',
      ['input', 'patch', 'topicIds', 1],
    );
  });

  it('keeps in changedFields and in the patch only the fields that really change', async () => {
    const result = await harness.run(
      'correctDevelopment',
      correction({
        patch: {
          title: 'Alice speaks', // as it is
          occurredAt: '2025-10-16T00:00:00Z', // as it is, spelled otherwise
          tone: null, // removes what is absent
          summary: 'She said more than we thought',
          topicIds: ['war', 'talks'], // as it is
        },
      }),
    );
    expect(result.appended).toBe(1);
    const events = await eventsOf('development-dev-1');
    const corrected = events.at(-1) as RecordedEvent<'DevelopmentCorrected', DevelopmentCorrectedData>;
    expect(corrected.type).toBe('DevelopmentCorrected');
    expect(corrected.data.changedFields).toEqual(['summary']);
    expect(corrected.data.patch).toEqual({ summary: 'She said more than we thought' });
    expect(await latestDevelopment(harness, 'dev-1')).toMatchObject({
      revision: 1,
      summary: 'She said more than we thought',
      title: 'Alice speaks',
    });
  });

  it('removes an optional field with null and lists it as changed', async () => {
    await harness.run('correctDevelopment', correction({ patch: { tone: 3 } }));
    await harness.run('correctDevelopment', correction({ expectedRevision: 1, patch: { tone: null } }));
    const events = await eventsOf('development-dev-1');
    const last = events.at(-1) as RecordedEvent<'DevelopmentCorrected', DevelopmentCorrectedData>;
    expect(last.data.changedFields).toEqual(['tone']);
    expect(last.data.patch).toEqual({ tone: null });
    expect((await latestDevelopment(harness, 'dev-1'))?.tone).toBeUndefined();
  });
});

describe('verifyDevelopment', () => {
  beforeEach(async () => {
    await harness.run('recordDevelopment', development());
  });

  const verification = (overrides: Record<string, unknown> = {}) => ({
    id: 'dev-1',
    status: 'DISPUTED',
    byActorId: 'boris',
    summary: 'Boris says it never happened',
    ...overrides,
  });

  it('refuses REPORTED and RETRACTED as a verdict', async () => {
    await expectRefusal(harness, 'verifyDevelopment', verification({ status: 'REPORTED' }), 'BAD_USER_INPUT', [
      'input',
      'status',
    ]);
    await expectRefusal(harness, 'verifyDevelopment', verification({ status: 'RETRACTED' }), 'BAD_USER_INPUT', [
      'input',
      'status',
    ]);
  });

  it('refuses a missing byActorId actor', async () => {
    await expectRefusal(harness, 'verifyDevelopment', verification({ byActorId: 'ghost' }), 'NOT_FOUND', [
      'input',
      'byActorId',
    ]);
  });

  it('refuses a missing development', async () => {
    await expectRefusal(harness, 'verifyDevelopment', verification({ id: 'nope' }), 'NOT_FOUND', ['input', 'id']);
  });

  it('is a CONFLICT at a stale expectedRevision', async () => {
    await harness.run('verifyDevelopment', verification({ expectedRevision: 0 }));
    const error = await expectRefusal(
      harness,
      'verifyDevelopment',
      verification({ expectedRevision: 0, status: 'CONFIRMED' }),
      'CONFLICT',
      ['input', 'expectedRevision'],
    );
    expect(error.details).toMatchObject({ actualRevision: 1 });
  });

  it('works without expectedRevision', async () => {
    const first = await harness.run('verifyDevelopment', verification());
    const second = await harness.run('verifyDevelopment', verification({ status: 'CONFIRMED', byActorId: 'acme' }));
    expect([first.appended, second.appended]).toEqual([1, 1]);
    expect(await latestDevelopment(harness, 'dev-1')).toMatchObject({ revision: 2, status: 'CONFIRMED' });
    expect((await latestDevelopment(harness, 'dev-1'))?.verifications.map((v) => v.status)).toEqual([
      'DISPUTED',
      'CONFIRMED',
    ]);
  });

  it('is a CONFLICT to verify a retracted development', async () => {
    await harness.run('retractDevelopment', { id: 'dev-1', expectedRevision: 0, reason: 'never happened' });
    await expectRefusal(harness, 'verifyDevelopment', verification(), 'CONFLICT', ['input', 'id']);
  });
});

describe('retractDevelopment', () => {
  beforeEach(async () => {
    await harness.run('recordDevelopment', development());
  });

  it('retracts once; a second retraction is a CONFLICT', async () => {
    const first = await harness.run('retractDevelopment', { id: 'dev-1', expectedRevision: 0, reason: 'fake' });
    expect(first.appended).toBe(1);
    expect(await revisionOf('dev-1')).toBe(1);
    await expectRefusal(
      harness,
      'retractDevelopment',
      { id: 'dev-1', expectedRevision: 1, reason: 'still fake' },
      'CONFLICT',
      ['input', 'id'],
    );
    await expectRefusal(
      harness,
      'retractDevelopment',
      { id: 'dev-1', expectedRevision: 0, reason: 'still fake' },
      'CONFLICT',
      ['input', 'id'],
    );
  });

  it('is a CONFLICT at the wrong expectedRevision, NOT_FOUND for a missing development', async () => {
    await expectRefusal(
      harness,
      'retractDevelopment',
      { id: 'dev-1', expectedRevision: 1, reason: 'fake' },
      'CONFLICT',
      ['input', 'expectedRevision'],
    );
    await expectRefusal(
      harness,
      'retractDevelopment',
      { id: 'nope', expectedRevision: 0, reason: 'fake' },
      'NOT_FOUND',
      ['input', 'id'],
    );
  });
});

describe('concurrency', () => {
  it('lets exactly one of two corrections at the same expectedRevision through', async () => {
    await harness.run('recordDevelopment', development());
    const before = await harness.logLength();
    const outcomes = await Promise.allSettled(
      ['Alice speaks first', 'Alice speaks second'].map((title) =>
        harness.commands(
          'correctDevelopment',
          { id: 'dev-1', expectedRevision: 0, reason: 'race', patch: { title } },
          EDITOR,
        ),
      ),
    );
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const reason: unknown = rejected[0]!.reason;
    expect(reason).toBeInstanceOf(TimelineError);
    expect((reason as TimelineError).code).toBe('CONFLICT');
    expect(await harness.logLength()).toBe(before + 1);
    const events = await eventsOf('development-dev-1');
    expect(events.map((event) => event.type)).toEqual(['DevelopmentRecorded', 'DevelopmentCorrected']);
  });

  it('turns two identical records of the same id in a race into one append and one repeat', async () => {
    const before = await harness.logLength();
    const results = await Promise.all([
      harness.commands('recordDevelopment', development(), EDITOR),
      harness.commands('recordDevelopment', development(), EDITOR),
    ]);
    expect(results.map((result) => result.appended).sort()).toEqual([0, 1]);
    expect(await harness.logLength()).toBe(before + 1);
  });
});

/**
 * Two honest writers racing on one stream without an expected revision: CONFLICT is only for an expected revision
 * the client gave, or an id reused with other content, so the loser decides again on the new state.
 */
describe('concurrent writers without an expected revision', () => {
  const settleBoth = async (calls: [string, unknown][]) => {
    const before = await harness.logLength();
    const outcomes = await Promise.allSettled(
      calls.map(([name, input]) => harness.commands(name as Parameters<typeof harness.commands>[0], input, EDITOR)),
    );
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as TimelineError).code ?? String(outcome.reason)] : [],
    );
    const appended = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.appended] : []));
    return { refused, appended: appended.sort(), grew: (await harness.logLength()) - before };
  };

  it('registerActor: the same registration twice at once is one append and one no-op', async () => {
    const actor = { id: 'zed', name: 'Zed', kind: 'PERSON' };
    expect(
      await settleBoth([
        ['registerActor', actor],
        ['registerActor', actor],
      ]),
    ).toEqual({ refused: [], appended: [0, 1], grew: 1 });
  });

  it('openTopic: the same opening twice at once is one append and one no-op', async () => {
    const topic = { id: 'gaza', title: 'Gaza', openedAt: '2025-01-01T00:00:00Z' };
    expect(
      await settleBoth([
        ['openTopic', topic],
        ['openTopic', topic],
      ]),
    ).toEqual({ refused: [], appended: [0, 1], grew: 1 });
  });

  it('assignRole: the same role twice at once is one append and one no-op', async () => {
    const role = { actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z' };
    expect(
      await settleBoth([
        ['assignRole', role],
        ['assignRole', role],
      ]),
    ).toEqual({ refused: [], appended: [0, 1], grew: 1 });
  });

  it('assignRole: two different roles of one actor at once are both assigned', async () => {
    expect(
      await settleBoth([
        ['assignRole', { actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z' }],
        ['assignRole', { actorId: 'alice', title: 'Chair', since: '2025-01-20T00:00:00Z' }],
      ]),
    ).toEqual({ refused: [], appended: [1, 1], grew: 2 });
  });

  it('changeTopicStatus: two status changes of one topic at once are both recorded', async () => {
    expect(
      await settleBoth([
        ['changeTopicStatus', { topicId: 'war', status: 'ACTIVE', at: '2025-01-01T00:00:00Z' }],
        ['changeTopicStatus', { topicId: 'war', status: 'STALLED', at: '2025-06-01T00:00:00Z' }],
      ]),
    ).toEqual({ refused: [], appended: [1, 1], grew: 2 });
  });

  it('verifyDevelopment without expectedRevision: two verifications at once are both recorded', async () => {
    await harness.run('recordDevelopment', development());
    expect(
      await settleBoth([
        ['verifyDevelopment', { id: 'dev-1', status: 'CONFIRMED', summary: 'seen on video' }],
        ['verifyDevelopment', { id: 'dev-1', status: 'DISPUTED', byActorId: 'boris', summary: 'denies it' }],
      ]),
    ).toEqual({ refused: [], appended: [1, 1], grew: 2 });
  });
});

describe('metadata of appended events', () => {
  it('carries the key name, correlation and causation ids and the schema version', async () => {
    await harness.run('recordDevelopment', development());
    await harness.run('verifyDevelopment', { id: 'dev-1', status: 'CONFIRMED', summary: 'seen on video' });
    const log = await readLog();
    expect(log.length).toBe(await harness.logLength());
    expect(log.length).toBe(7);
    for (const event of log) {
      expect(event.metadata).toMatchObject({ keyName: 'test-editor', schemaVersion: 1 });
      expect(event.metadata.correlationId).toEqual(expect.any(String));
      expect(event.metadata.correlationId.length).toBeGreaterThan(0);
      expect(event.metadata.causationId).toEqual(expect.any(String));
      expect(event.metadata.causationId.length).toBeGreaterThan(0);
    }
    // one command, one causation: every command caused its own events
    expect(new Set(log.map((event) => event.metadata.causationId)).size).toBe(log.length);
    // positions increase along the log, and recordedAt never goes back
    for (let i = 1; i < log.length; i++) {
      expect(log[i]!.position.commit > log[i - 1]!.position.commit).toBe(true);
      expect(log[i]!.recordedAt.getTime()).toBeGreaterThanOrEqual(log[i - 1]!.recordedAt.getTime());
    }
  });

  it("uses the request's correlation id when one is given", async () => {
    await harness.commands('recordDevelopment', development(), { keyName: 'importer', correlationId: 'request-42' });
    const [recorded] = await eventsOf('development-dev-1');
    expect(recorded?.metadata).toMatchObject({ keyName: 'importer', correlationId: 'request-42', schemaVersion: 1 });
    expect(recorded?.metadata.causationId).not.toBe('request-42');
  });
});
