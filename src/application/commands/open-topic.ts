import { isDeepStrictEqual } from 'node:util';
import { streamId, type TopicEvent } from '../../../events/index.js';
import {
  appendAtReadRevision,
  decideAgainOnRace,
  lastPosition,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { badInput, conflict } from '../errors.js';
import { OpenTopicInput } from '../input-schemas.js';
import { requireReferences, topicRef } from '../references.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** Opens a topic once; the same opening again is a no-op, another one under the same id a CONFLICT. */
export const openTopic = async (deps: CommandDeps, input: unknown, meta: CommandMeta): Promise<CommandResult> => {
  const data = withoutUndefined(validateInput(OpenTopicInput, input));
  if (data.parentId === data.id) throw badInput('a topic cannot be its own parent', ['input', 'parentId']);
  const stream = streamId('topic', data.id);
  return decideAgainOnRace(async () => {
    const existing = (await deps.store.readStream(stream)) as TopicEvent[];
    const opened = existing[0];
    if (opened !== undefined) {
      if (opened.type === 'TopicOpened' && isDeepStrictEqual(withoutUndefined(opened.data), data)) {
        return { id: data.id, position: lastPosition(existing), appended: 0 };
      }
      throw conflict(`topic "${data.id}" is already open with other details`, ['input', 'id']);
    }
    await requireReferences(deps, topicRef(data.parentId, 'input', 'parentId'));
    const { position } = await appendAtReadRevision(
      deps.store,
      stream,
      [startCommand(meta).event('TopicOpened', data)],
      'no_stream',
    );
    return { id: data.id, position, appended: 1 };
  });
};
