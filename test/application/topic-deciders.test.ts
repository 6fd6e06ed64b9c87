import { describe, expect, it } from 'vitest';
import {
  changeTopicStatusDecider,
  parseChangeTopicStatus,
} from '../../src/application/commands/change-topic-status.js';
import { openTopicDecider, parseOpenTopic } from '../../src/application/commands/open-topic.js';
import { decideIn, explainedRefusalOf, refusalOf, stateAfter, topic } from '../support/decider-fixtures.js';

/** The rules of openTopic and changeTopicStatus as pure decisions: no store, no cache. */

describe('openTopic decides', () => {
  const opening = (overrides: Record<string, unknown> = {}) =>
    parseOpenTopic({ id: 'gaza', title: 'Gaza', openedAt: '2025-01-01T00:00:00Z', ...overrides });

  it('opens a topic under a parent that exists', () => {
    expect(decideIn(openTopicDecider, opening({ parentId: 'war' }))).toEqual([
      {
        type: 'TopicOpened',
        data: { id: 'gaza', title: 'Gaza', parentId: 'war', openedAt: '2025-01-01T00:00:00.000Z' },
      },
    ]);
  });

  it('refuses a missing parent', () => {
    expect(explainedRefusalOf(() => decideIn(openTopicDecider, opening({ parentId: 'nope' })))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'parentId'],
      message: 'topic "nope" does not exist',
    });
  });

  it('refuses a topic that is its own parent', () => {
    expect(explainedRefusalOf(() => decideIn(openTopicDecider, opening({ parentId: 'gaza' })))).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'parentId'],
      message: 'a topic cannot be its own parent',
    });
  });

  it('appends nothing for the same opening again, whatever the spelling of the instant', () => {
    const history = decideIn(openTopicDecider, opening());
    expect(decideIn(openTopicDecider, opening({ openedAt: '2025-01-01T02:00:00+02:00' }), { history })).toEqual([]);
  });

  it('looks at no parent for a repeat: the parent was checked when the topic opened', () => {
    const history = decideIn(openTopicDecider, opening({ parentId: 'war' }));
    const state = stateAfter(openTopicDecider, opening(), history);
    expect(openTopicDecider.looksAt?.(opening({ parentId: 'war' }), state)).toEqual([]);
    expect(decideIn(openTopicDecider, opening({ parentId: 'war' }), { history, world: [] })).toEqual([]);
  });

  it('is a CONFLICT to open the same id with other content', () => {
    const history = decideIn(openTopicDecider, opening());
    expect(explainedRefusalOf(() => decideIn(openTopicDecider, opening({ title: 'Gaza strip' }), { history }))).toEqual(
      {
        code: 'CONFLICT',
        path: ['input', 'id'],
        message: 'topic "gaza" is already open with other details',
      },
    );
  });
});

describe('changeTopicStatus decides', () => {
  const change = (at: string, status = 'ACTIVE') => parseChangeTopicStatus({ topicId: 'war', status, at });
  const opened = [topic('war', '2020-01-01T00:00:00.000Z')];

  it('refuses a missing topic', () => {
    expect(refusalOf(() => decideIn(changeTopicStatusDecider, change('2025-01-01T00:00:00Z')))).toEqual({
      code: 'NOT_FOUND',
      path: ['input', 'topicId'],
    });
  });

  it('refuses a change before the topic opened, accepts one at the opening', () => {
    expect(
      explainedRefusalOf(() => decideIn(changeTopicStatusDecider, change('2019-12-31T23:59:59Z'), { history: opened })),
    ).toEqual({
      code: 'BAD_USER_INPUT',
      path: ['input', 'at'],
      message: 'the topic opened at 2020-01-01T00:00:00.000Z, a status change cannot come before',
    });
    expect(decideIn(changeTopicStatusDecider, change('2020-01-01T00:00:00Z'), { history: opened })).toEqual([
      { type: 'TopicStatusChanged', data: { topicId: 'war', status: 'ACTIVE', at: '2020-01-01T00:00:00.000Z' } },
    ]);
  });

  it('records every change, even one the topic went through before: a status change is no repeat', () => {
    const history = [
      ...opened,
      ...decideIn(changeTopicStatusDecider, change('2025-01-01T00:00:00Z'), { history: opened }),
    ];
    expect(decideIn(changeTopicStatusDecider, change('2025-01-01T00:00:00Z'), { history })).toHaveLength(1);
    expect(decideIn(changeTopicStatusDecider, change('2025-06-01T00:00:00Z', 'STALLED'), { history })).toHaveLength(1);
  });
});
