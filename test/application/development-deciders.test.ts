import { describe, expect, it } from 'vitest';
import {
  correctDevelopmentDecider,
  parseCorrectDevelopment,
} from '../../src/application/commands/correct-development.js';
import { parseRecordDevelopment, recordDevelopmentDecider } from '../../src/application/commands/record-development.js';
import {
  parseRetractDevelopment,
  retractDevelopmentDecider,
} from '../../src/application/commands/retract-development.js';
import { parseVerifyDevelopment, verifyDevelopmentDecider } from '../../src/application/commands/verify-development.js';
import type { DecidedEvent } from '../../src/application/decider.js';
import {
  BASICS,
  decideIn,
  errorOf,
  explainedRefusalOf,
  refusalOf,
  stateAfter,
  topic,
} from '../support/decider-fixtures.js';
import { development } from '../support/development-input.js';

/**
 * The rules of a development's life as pure decisions, no store and no cache: recorded once, then corrected,
 * verified or retracted at the revision the client saw, never after a retraction.
 */

const record = (overrides: Record<string, unknown> = {}) => parseRecordDevelopment(development(overrides));

/** The history of dev-1 after it was recorded, and after each further decision. */
const recordedAs = (overrides: Record<string, unknown> = {}): DecidedEvent[] => [
  ...decideIn(recordDevelopmentDecider, record(overrides)),
];

describe('recordDevelopment decides', () => {
  it('records a development, with the defaults of precision, quotes and positions', () => {
    expect(decideIn(recordDevelopmentDecider, parseRecordDevelopment(development({ precision: undefined })))).toEqual([
      {
        type: 'DevelopmentRecorded',
        data: {
          id: 'dev-1',
          kind: 'STATEMENT',
          title: 'Alice speaks',
          occurredAt: '2025-10-16T00:00:00.000Z',
          precision: 'INSTANT',
          participants: [
            { actorId: 'alice', role: 'SOURCE' },
            { actorId: 'boris', role: 'TARGET' },
          ],
          topicIds: ['war'],
          quotes: [],
          sources: [{ publisher: 'Test Wire' }],
          positions: [],
        },
      },
    ]);
  });

  const missing = [
    {
      what: 'participant actor',
      input: {
        participants: [
          { actorId: 'alice', role: 'SOURCE' },
          { actorId: 'ghost', role: 'TARGET' },
        ],
      },
      path: ['input', 'participants', 1, 'actorId'],
    },
    { what: 'topic', input: { topicIds: ['war', 'nope'] }, path: ['input', 'topicIds', 1] },
    {
      what: 'quote speaker',
      input: {
        quotes: [
          { speakerId: 'alice', text: 'Hello' },
          { speakerId: 'ghost', text: 'Boo' },
        ],
      },
      path: ['input', 'quotes', 1, 'speakerId'],
    },
    {
      what: 'position actor',
      input: { positions: [{ actorId: 'ghost', topicId: 'war', stance: 'SUPPORTS' }] },
      path: ['input', 'positions', 0, 'actorId'],
    },
    {
      what: 'position topic',
      input: { positions: [{ actorId: 'alice', topicId: 'nope', stance: 'SUPPORTS' }] },
      path: ['input', 'positions', 0, 'topicId'],
    },
    {
      what: 'meeting participant',
      input: { meeting: { id: 'summit', status: 'PROPOSED', participantIds: ['alice', 'ghost'] } },
      path: ['input', 'meeting', 'participantIds', 1],
    },
    {
      what: 'meeting topic',
      input: { meeting: { id: 'summit', status: 'PROPOSED', topicIds: ['nope'] } },
      path: ['input', 'meeting', 'topicIds', 0],
    },
  ];

  for (const { what, input, path } of missing) {
    it(`refuses a missing ${what} (NOT_FOUND at ${path.join('.')})`, () => {
      expect(refusalOf(() => decideIn(recordDevelopmentDecider, record(input)))).toEqual({ code: 'NOT_FOUND', path });
    });
  }

  it('reports the first missing reference in the order the input names them', () => {
    const error = errorOf(() =>
      decideIn(
        recordDevelopmentDecider,
        record({ topicIds: ['nope'], participants: [{ actorId: 'ghost', role: 'SOURCE' }] }),
      ),
    );
    expect({ path: error.path, message: error.message }).toEqual({
      path: ['input', 'participants', 0, 'actorId'],
      message: 'actor "ghost" does not exist',
    });
  });

  it('refuses the same participant twice in the same role, accepts one actor in two roles', () => {
    const twice = record({
      participants: [
        { actorId: 'alice', role: 'SOURCE' },
        { actorId: 'alice', role: 'SOURCE' },
      ],
    });
    expect(explainedRefusalOf(() => decideIn(recordDevelopmentDecider, twice))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'participants', 1],
      message: 'alice is listed twice as SOURCE',
    });
    const twoRoles = record({
      participants: [
        { actorId: 'alice', role: 'SOURCE' },
        { actorId: 'alice', role: 'HOST' },
      ],
    });
    expect(decideIn(recordDevelopmentDecider, twoRoles)).toHaveLength(1);
  });

  it('refuses two stances of one actor on one topic, accepts stances on two topics', () => {
    const stances = (topicIds: string[]) =>
      record({
        topicIds: ['war', 'talks'],
        positions: topicIds.map((topicId, i) => ({
          actorId: 'alice',
          topicId,
          stance: i === 0 ? 'SUPPORTS' : 'OPPOSES',
        })),
      });
    expect(explainedRefusalOf(() => decideIn(recordDevelopmentDecider, stances(['war', 'war'])))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'positions', 1],
      message: 'two stances of alice on war',
    });
    expect(decideIn(recordDevelopmentDecider, stances(['war', 'talks']))).toHaveLength(1);
  });

  it('refuses a topic that opens after the development occurred, blaming the mention that names it', () => {
    const world = [...BASICS, topic('later', '2026-01-01T00:00:00.000Z')];
    expect(
      explainedRefusalOf(() => decideIn(recordDevelopmentDecider, record({ topicIds: ['war', 'later'] }), { world })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'topicIds', 1],
      message:
        'topic "later" opens at 2026-01-01T00:00:00.000Z, after the development occurred (2025-10-16T00:00:00.000Z)',
    });
    const stance = record({ positions: [{ actorId: 'alice', topicId: 'later', stance: 'SUPPORTS' }] });
    expect(refusalOf(() => decideIn(recordDevelopmentDecider, stance, { world }))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'positions', 0, 'topicId'],
    });
    const meeting = record({ meeting: { id: 'summit', status: 'PROPOSED', topicIds: ['later'] } });
    expect(refusalOf(() => decideIn(recordDevelopmentDecider, meeting, { world }))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'meeting', 'topicIds', 0],
    });
    // A topic that opens the very instant the development occurs is open.
    const sameInstant = [...BASICS, topic('later', '2025-10-16T00:00:00.000Z')];
    expect(decideIn(recordDevelopmentDecider, record({ topicIds: ['later'] }), { world: sameInstant })).toHaveLength(1);
  });

  it('appends nothing for the same id with the same content, even spelled otherwise', () => {
    const history = recordedAs();
    const respelled = record({ occurredAt: '2025-10-16T02:00:00+02:00', quotes: [], positions: [] });
    expect(decideIn(recordDevelopmentDecider, respelled, { history })).toEqual([]);
  });

  it('compares a repeat with the first recording, not with the development as corrected since', () => {
    const history = [
      ...recordedAs(),
      ...decideIn(
        correctDevelopmentDecider,
        parseCorrectDevelopment({ id: 'dev-1', expectedRevision: 0, reason: 'r', patch: { title: 'Later title' } }),
        { history: recordedAs() },
      ),
    ];
    expect(decideIn(recordDevelopmentDecider, record(), { history })).toEqual([]);
    expect(refusalOf(() => decideIn(recordDevelopmentDecider, record({ title: 'Later title' }), { history }))).toEqual({
      code: 'CONFLICT',
      path: ['input', 'id'],
    });
  });

  it('is a CONFLICT to record the same id with other content', () => {
    expect(
      explainedRefusalOf(() =>
        decideIn(recordDevelopmentDecider, record({ title: 'Boris speaks' }), { history: recordedAs() }),
      ),
    ).toEqual({
      code: 'CONFLICT',
      path: ['input', 'id'],
      message: 'development "dev-1" was recorded with other content',
    });
  });

  it('answers a repeat without looking at references: they were checked at the first recording', () => {
    const history = recordedAs();
    expect(
      recordDevelopmentDecider.looksAt?.(record(), stateAfter(recordDevelopmentDecider, record(), history)),
    ).toEqual([]);
    expect(decideIn(recordDevelopmentDecider, record(), { history, world: [] })).toEqual([]);
  });

  it('gives a development without an id a new one', () => {
    const { id: _id, ...withoutId } = development();
    const [first, second] = [parseRecordDevelopment(withoutId), parseRecordDevelopment(withoutId)];
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).not.toBe(first.id);
    expect(decideIn(recordDevelopmentDecider, first)).toEqual([
      { type: 'DevelopmentRecorded', data: expect.objectContaining({ id: first.id }) },
    ]);
  });
});

describe('correctDevelopment decides', () => {
  const recorded = recordedAs({ topicIds: ['war', 'talks'] });
  const correction = (overrides: Record<string, unknown> = {}) =>
    parseCorrectDevelopment({
      id: 'dev-1',
      expectedRevision: 0,
      reason: 'a better source',
      patch: { title: 'Alice speaks up' },
      ...overrides,
    });
  const correct = (overrides: Record<string, unknown> = {}, history: readonly DecidedEvent[] = recorded) =>
    decideIn(correctDevelopmentDecider, correction(overrides), { history });

  it('appends at the revision the client saw', () => {
    expect(correctDevelopmentDecider.expectedRevision?.(correction({ expectedRevision: 4 }))).toBe(4);
  });

  it('is a CONFLICT at the wrong expectedRevision, telling the actual one', () => {
    const error = errorOf(() => correct({ expectedRevision: 3 }));
    expect({ code: error.code, path: error.path, message: error.message, details: error.details }).toEqual({
      code: 'CONFLICT',
      path: ['input', 'expectedRevision'],
      message: 'development "dev-1" is at revision 0, not 3',
      details: { expectedRevision: 3, actualRevision: 0 },
    });
  });

  it('refuses a missing development', () => {
    expect(refusalOf(() => correct({ id: 'nope' }, []))).toEqual({ code: 'NOT_FOUND', path: ['input', 'id'] });
  });

  it('refuses a patch that changes nothing', () => {
    const unchanged = { title: 'Alice speaks', tone: null, occurredAt: '2025-10-16T00:00:00Z' };
    expect(explainedRefusalOf(() => correct({ patch: unchanged }))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'patch'],
      message: 'the patch changes nothing',
    });
    expect(refusalOf(() => correct({ patch: {} }))).toEqual({ code: 'BAD_USER_INPUT', path: ['input', 'patch'] });
  });

  it('is a CONFLICT to correct a retracted development', () => {
    const history = [...recorded, { type: 'DevelopmentRetracted', data: { id: 'dev-1', reason: 'never' } } as const];
    expect(explainedRefusalOf(() => correct({ expectedRevision: 1 }, history))).toEqual({
      code: 'CONFLICT',
      path: ['input', 'id'],
      message: 'development "dev-1" is retracted',
    });
  });

  it("refuses to move occurredAt before a topic's opening, blaming patch.occurredAt", () => {
    expect(refusalOf(() => correct({ patch: { occurredAt: '2020-06-01T00:00:00Z' } }))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'patch', 'occurredAt'],
    });
  });

  it('blames the patched topic, not occurredAt, when the patch names a topic that opens later', () => {
    expect(
      refusalOf(() => correct({ patch: { occurredAt: '2020-06-01T00:00:00Z', topicIds: ['war', 'talks'] } })),
    ).toEqual({ code: 'BAD_USER_INPUT', path: ['input', 'patch', 'occurredAt'] });
    expect(
      refusalOf(() => correct({ patch: { occurredAt: '2020-06-01T00:00:00Z', topicIds: ['talks', 'war'] } })),
    ).toEqual({ code: 'BAD_USER_INPUT', path: ['input', 'patch', 'topicIds', 0] });
  });

  it('refuses missing references in the patch, with the path under patch', () => {
    expect(refusalOf(() => correct({ patch: { topicIds: ['war', 'nope'] } }))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'patch', 'topicIds', 1],
    });
    expect(refusalOf(() => correct({ patch: { participants: [{ actorId: 'ghost', role: 'SOURCE' }] } }))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'patch', 'participants', 0, 'actorId'],
    });
  });

  it('holds the patch to the rules of a development, with the path under patch', () => {
    const participants = [
      { actorId: 'alice', role: 'SOURCE' },
      { actorId: 'alice', role: 'SOURCE' },
    ];
    expect(refusalOf(() => correct({ patch: { participants } }))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'patch', 'participants', 1],
    });
  });

  it('keeps in changedFields and in the patch only the fields that really change', () => {
    const patch = {
      title: 'Alice speaks',
      occurredAt: '2025-10-16T00:00:00Z',
      tone: null,
      summary: 'She said more than we thought',
      topicIds: ['war', 'talks'],
    };
    expect(correct({ patch })).toEqual([
      {
        type: 'DevelopmentCorrected',
        data: {
          id: 'dev-1',
          reason: 'a better source',
          patch: { summary: 'She said more than we thought' },
          changedFields: ['summary'],
        },
      },
    ]);
  });

  it('removes an optional field with null and lists it as changed', () => {
    const history = [...recorded, ...correct({ patch: { tone: 3 } })];
    expect(correct({ expectedRevision: 1, patch: { tone: null } }, history)).toEqual([
      {
        type: 'DevelopmentCorrected',
        data: { id: 'dev-1', reason: 'a better source', patch: { tone: null }, changedFields: ['tone'] },
      },
    ]);
  });
});

describe('verifyDevelopment decides', () => {
  const recorded = recordedAs();
  const verification = (overrides: Record<string, unknown> = {}) =>
    parseVerifyDevelopment({
      id: 'dev-1',
      status: 'DISPUTED',
      byActorId: 'boris',
      summary: 'Boris says it never happened',
      ...overrides,
    });
  const verify = (overrides: Record<string, unknown> = {}, history: readonly DecidedEvent[] = recorded) =>
    decideIn(verifyDevelopmentDecider, verification(overrides), { history });

  it('records a verdict without the expectedRevision it was given', () => {
    expect(verify({ expectedRevision: 0 })).toEqual([
      {
        type: 'DevelopmentVerified',
        data: { id: 'dev-1', status: 'DISPUTED', byActorId: 'boris', summary: 'Boris says it never happened' },
      },
    ]);
  });

  it("appends at the client's revision when it gives one, else at the revision read", () => {
    expect(verifyDevelopmentDecider.expectedRevision?.(verification({ expectedRevision: 2 }))).toBe(2);
    expect(verifyDevelopmentDecider.expectedRevision?.(verification())).toBeUndefined();
  });

  it('refuses a missing byActorId actor, before anything else', () => {
    expect(explainedRefusalOf(() => verify({ byActorId: 'ghost', id: 'nope' }, []))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'byActorId'],
      message: 'actor "ghost" does not exist',
    });
  });

  it('refuses a missing development', () => {
    expect(refusalOf(() => verify({ id: 'nope' }, []))).toEqual({ code: 'NOT_FOUND', path: ['input', 'id'] });
  });

  it('is a CONFLICT at a stale expectedRevision', () => {
    const history = [...recorded, ...verify({ expectedRevision: 0 })];
    const error = errorOf(() => verify({ expectedRevision: 0, status: 'CONFIRMED' }, history));
    expect({ code: error.code, path: error.path, details: error.details }).toEqual({
      code: 'CONFLICT',
      path: ['input', 'expectedRevision'],
      details: { expectedRevision: 0, actualRevision: 1 },
    });
  });

  it('verifies at whatever revision the development is, without expectedRevision', () => {
    const history = [...recorded, ...verify()];
    expect(verify({ status: 'CONFIRMED', byActorId: 'acme' }, history)).toHaveLength(1);
  });

  it('is a CONFLICT to verify a retracted development', () => {
    const history = [...recorded, { type: 'DevelopmentRetracted', data: { id: 'dev-1', reason: 'never' } } as const];
    expect(refusalOf(() => verify({}, history))).toEqual({ code: 'CONFLICT', path: ['input', 'id'] });
  });
});

describe('retractDevelopment decides', () => {
  const recorded = recordedAs();
  const retract = (expectedRevision: number, history: readonly DecidedEvent[] = recorded, id = 'dev-1') =>
    decideIn(retractDevelopmentDecider, parseRetractDevelopment({ id, expectedRevision, reason: 'fake' }), {
      history,
    });

  it('retracts once; a second retraction is a CONFLICT, at any revision', () => {
    const retraction = retract(0);
    expect(retraction).toEqual([{ type: 'DevelopmentRetracted', data: { id: 'dev-1', reason: 'fake' } }]);
    const history = [...recorded, ...retraction];
    expect(refusalOf(() => retract(1, history))).toEqual({ code: 'CONFLICT', path: ['input', 'id'] });
    expect(refusalOf(() => retract(0, history))).toEqual({ code: 'CONFLICT', path: ['input', 'id'] });
  });

  it('is a CONFLICT at the wrong expectedRevision, NOT_FOUND for a missing development', () => {
    expect(refusalOf(() => retract(1))).toEqual({ code: 'CONFLICT', path: ['input', 'expectedRevision'] });
    expect(refusalOf(() => retract(0, [], 'nope'))).toEqual({ code: 'NOT_FOUND', path: ['input', 'id'] });
  });

  it('appends at the revision the client saw', () => {
    expect(
      retractDevelopmentDecider.expectedRevision?.(
        parseRetractDevelopment({ id: 'dev-1', expectedRevision: 5, reason: 'fake' }),
      ),
    ).toBe(5);
  });
});
