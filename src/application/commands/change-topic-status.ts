import { streamId, type TopicEvent } from '../../../events/index.js';
import {
  appendAtReadRevision,
  decideAgainOnRace,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { badInput, notFound } from '../errors.js';
import { ChangeTopicStatusInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** Moves a topic to a status at a point in world time, which cannot precede the topic's opening. */
export const changeTopicStatus = async (
  deps: CommandDeps,
  input: unknown,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const data = withoutUndefined(validateInput(ChangeTopicStatusInput, input));
  return decideAgainOnRace(async () => {
    const existing = (await deps.store.readStream(streamId('topic', data.topicId))) as TopicEvent[];
    const opened = existing[0];
    if (opened?.type !== 'TopicOpened') throw notFound(`topic "${data.topicId}" does not exist`, ['input', 'topicId']);
    if (Date.parse(data.at) < Date.parse(opened.data.openedAt)) {
      throw badInput(`the topic opened at ${opened.data.openedAt}, a status change cannot come before`, [
        'input',
        'at',
      ]);
    }
    const { position } = await appendAtReadRevision(
      deps.store,
      streamId('topic', data.topicId),
      [startCommand(meta).event('TopicStatusChanged', data)],
      existing.length - 1,
    );
    return { id: data.topicId, position, appended: 1 };
  });
};
