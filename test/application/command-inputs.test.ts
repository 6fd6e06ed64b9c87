import { describe, expect, it } from 'vitest';
import { parseAssignRole } from '../../src/application/commands/assign-role.js';
import { parseCorrectDevelopment } from '../../src/application/commands/correct-development.js';
import { parseOpenTopic } from '../../src/application/commands/open-topic.js';
import { parseRecordDevelopment } from '../../src/application/commands/record-development.js';
import { parseRegisterActor } from '../../src/application/commands/register-actor.js';
import { parseVerifyDevelopment } from '../../src/application/commands/verify-development.js';
import { errorOf, explainedRefusalOf, refusalOf } from '../support/decider-fixtures.js';
import { development } from '../support/development-input.js';

const badAt = (...path: (string | number)[]) => ({ code: 'BAD_USER_INPUT', path: ['input', ...path] });

describe('registerActor input', () => {
  const actor = (overrides: Record<string, unknown>) => () =>
    parseRegisterActor({ id: 'xavier', name: 'Xavier', kind: 'PERSON', ...overrides });

  it('refuses an id that is not a slug, and an unknown kind', () => {
    expect(refusalOf(actor({ id: 'not a slug!' }))).toEqual(badAt('id'));
    expect(refusalOf(actor({ kind: 'ALIEN' }))).toEqual(badAt('kind'));
  });

  it('refuses a country that is not ISO 3166-1 alpha-3', () => {
    expect(refusalOf(actor({ country: 'us' }))).toEqual(badAt('country'));
    expect(refusalOf(actor({ country: 'USAA' }))).toEqual(badAt('country'));
    expect(actor({ country: 'USA' })()).toMatchObject({ country: 'USA' });
  });

  it('reads a null optional field as absent', () => {
    expect(actor({ country: null, cameoCode: null })()).toEqual({
      id: 'xavier',
      name: 'Xavier',
      kind: 'PERSON',
      aliases: [],
    });
  });
});

describe('assignRole input', () => {
  const role = (until: string) => () =>
    parseAssignRole({ actorId: 'alice', title: 'President', since: '2025-01-20T00:00:00Z', until });

  it('refuses until <= since, accepts until after since', () => {
    expect(explainedRefusalOf(role('2025-01-20T00:00:00Z'))).toEqual({
      ...badAt('until'),
      message: 'input.until: until must be after since',
    });
    expect(refusalOf(role('2025-01-19T00:00:00Z'))).toEqual(badAt('until'));
    expect(role('2025-01-20T00:00:01Z')()).toMatchObject({ until: '2025-01-20T00:00:01.000Z' });
  });
});

describe('openTopic input', () => {
  it('holds instants as canonical UTC strings, whatever the spelling or a Date', () => {
    const opened = (openedAt: unknown) => parseOpenTopic({ id: 'gaza', title: 'Gaza', openedAt }).openedAt;
    expect(opened('2025-01-01T02:00:00+02:00')).toBe('2025-01-01T00:00:00.000Z');
    expect(opened(new Date(Date.UTC(2025, 0, 1)))).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('recordDevelopment input', () => {
  const recording = (overrides: Record<string, unknown>) => () => parseRecordDevelopment(development(overrides));

  it('refuses a tone outside -10..10, accepts the bounds', () => {
    expect(refusalOf(recording({ tone: 11 }))).toEqual(badAt('tone'));
    expect(refusalOf(recording({ tone: -10.5 }))).toEqual(badAt('tone'));
    expect(recording({ tone: 10 })().content.tone).toBe(10);
    expect(recording({ tone: -10 })().content.tone).toBe(-10);
  });

  it('refuses an occurredAt that is not a date, or a day that does not exist', () => {
    expect(refusalOf(recording({ occurredAt: 'not a date' }))).toEqual(badAt('occurredAt'));
    // 30 February must not roll over to 2 March as JavaScript's Date would
    expect(refusalOf(recording({ occurredAt: '2025-02-30T00:00:00Z' }))).toEqual(badAt('occurredAt'));
  });

  it('refuses an unknown field (inputs are strict), naming the field itself', () => {
    const error = errorOf(recording({ colour: 'red' }));
    expect({ code: error.code, path: error.path }).toEqual(badAt('colour'));
    expect(error.message).toContain('colour');
    expect(refusalOf(recording({ participants: [{ actorId: 'alice', role: 'SOURCE', weight: 2 }] }))).toEqual(
      badAt('participants', 0, 'weight'),
    );
  });
});

describe('correctDevelopment input', () => {
  const correction = (patch: Record<string, unknown>) => () =>
    parseCorrectDevelopment({ id: 'dev-1', expectedRevision: 0, reason: 'a better source', patch });

  it('refuses null on a required field or on a list every development has', () => {
    for (const field of ['title', 'occurredAt', 'positions', 'quotes']) {
      expect(refusalOf(correction({ [field]: null }))).toEqual(badAt('patch', field));
    }
  });

  it('takes null on an optional field as its removal', () => {
    expect(correction({ tone: null })().patch).toEqual({ tone: null });
  });
});

describe('verifyDevelopment input', () => {
  const verification = (status: string) => () =>
    parseVerifyDevelopment({ id: 'dev-1', status, summary: 'seen on video' });

  it('refuses REPORTED and RETRACTED as a verdict', () => {
    expect(refusalOf(verification('REPORTED'))).toEqual(badAt('status'));
    expect(refusalOf(verification('RETRACTED'))).toEqual(badAt('status'));
    expect(verification('DENIED')()).toMatchObject({ status: 'DENIED' });
  });
});
