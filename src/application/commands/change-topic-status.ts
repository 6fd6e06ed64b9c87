import type { TopicEvent } from '../../../events/index.js';
import type { TopicStatusChangedData } from '../../../events/topic-status-changed.js';
import { keepFirst, type Decider } from '../decider.js';
import { badInput, notFound } from '../errors.js';
import { commandHandler } from '../handle-command.js';
import { ChangeTopicStatusInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** A status change as parsed is the data of the event it appends. */
export type ChangeTopicStatus = TopicStatusChangedData;

export const parseChangeTopicStatus = (input: unknown): ChangeTopicStatus =>
  withoutUndefined(validateInput(ChangeTopicStatusInput, input));

/** Moves a topic to a status at a point in world time, which cannot precede the topic's opening. */
export const changeTopicStatusDecider: Decider<ChangeTopicStatus, TopicEvent | null, TopicEvent> = {
  target: (command) => ({ category: 'topic', id: command.topicId }),
  initialState: null,
  evolve: keepFirst,
  decide: (command, opened) => {
    if (opened?.type !== 'TopicOpened') {
      throw notFound(`topic "${command.topicId}" does not exist`, ['input', 'topicId']);
    }
    if (Date.parse(command.at) < Date.parse(opened.data.openedAt)) {
      throw badInput(`the topic opened at ${opened.data.openedAt}, a status change cannot come before`, [
        'input',
        'at',
      ]);
    }
    return [{ type: 'TopicStatusChanged', data: command }];
  },
};

export const changeTopicStatus = commandHandler(parseChangeTopicStatus, changeTopicStatusDecider);
