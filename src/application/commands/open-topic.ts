import { isDeepStrictEqual } from 'node:util';
import type { TopicEvent } from '../../../events/index.js';
import type { TopicOpenedData } from '../../../events/topic-opened.js';
import { keepFirst, type Decider } from '../decider.js';
import { badInput, conflict } from '../errors.js';
import { commandHandler } from '../handle-command.js';
import { OpenTopicInput } from '../input-schemas.js';
import { referencedStreams, requireReferences, topicRef } from '../references.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** An opening as parsed is the data of the event it appends. */
export type OpenTopic = TopicOpenedData;

export const parseOpenTopic = (input: unknown): OpenTopic => withoutUndefined(validateInput(OpenTopicInput, input));

const parentRef = (command: OpenTopic) => topicRef(command.parentId, 'input', 'parentId');

/** Opens a topic once; the same opening again is a no-op, another one under the same id a CONFLICT. */
export const openTopicDecider: Decider<OpenTopic, TopicEvent | null, TopicEvent> = {
  target: (command) => ({ category: 'topic', id: command.id }),
  initialState: null,
  evolve: keepFirst,
  // The parent matters only to a topic not yet open: a repeat reads nothing more.
  looksAt: (command, opened) => (opened === null ? referencedStreams(parentRef(command)) : []),
  decide: (command, opened, others) => {
    if (command.parentId === command.id) throw badInput('a topic cannot be its own parent', ['input', 'parentId']);
    if (opened !== null) {
      if (opened.type === 'TopicOpened' && isDeepStrictEqual(withoutUndefined(opened.data), command)) return [];
      throw conflict(`topic "${command.id}" is already open with other details`, ['input', 'id']);
    }
    requireReferences(others, parentRef(command));
    return [{ type: 'TopicOpened', data: command }];
  },
};

export const openTopic = commandHandler(parseOpenTopic, openTopicDecider);
