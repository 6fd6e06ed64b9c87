import { isDeepStrictEqual } from 'node:util';
import { streamId, type ActorEvent } from '../../../events/index.js';
import {
  appendAtReadRevision,
  decideAgainOnRace,
  lastPosition,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { conflict } from '../errors.js';
import { RegisterActorInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** Registers an actor once; the same registration again is a no-op, another one under the same id a CONFLICT. */
export const registerActor = async (deps: CommandDeps, input: unknown, meta: CommandMeta): Promise<CommandResult> => {
  const command = validateInput(RegisterActorInput, input);
  const data = withoutUndefined({ ...command, aliases: command.aliases ?? [] });
  const stream = streamId('actor', data.id);
  return decideAgainOnRace(async () => {
    const existing = (await deps.store.readStream(stream)) as ActorEvent[];
    const registered = existing[0];
    if (registered !== undefined) {
      if (registered.type === 'ActorRegistered' && isDeepStrictEqual(withoutUndefined(registered.data), data)) {
        return { id: data.id, position: lastPosition(existing), appended: 0 };
      }
      throw conflict(`actor "${data.id}" is already registered with other details`, ['input', 'id']);
    }
    const { position } = await appendAtReadRevision(
      deps.store,
      stream,
      [startCommand(meta).event('ActorRegistered', data)],
      'no_stream',
    );
    return { id: data.id, position, appended: 1 };
  });
};
