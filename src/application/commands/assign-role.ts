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
import { AssignRoleInput } from '../input-schemas.js';
import { actorRef, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** Gives an actor a role; assigning the very same role again is a no-op. */
export const assignRole = async (deps: CommandDeps, input: unknown, meta: CommandMeta): Promise<CommandResult> => {
  const data = withoutUndefined(validateInput(AssignRoleInput, input));
  await requireReferences(deps, [
    ...actorRef(data.actorId, 'input', 'actorId'),
    ...actorRef(data.organizationId, 'input', 'organizationId'),
  ]);
  const stream = streamId('actor', data.actorId);
  return decideAgainOnRace(async () => {
    const existing = (await deps.store.readStream(stream)) as ActorEvent[];
    const alreadyHeld = existing.some(
      (event) => event.type === 'ActorRoleAssigned' && isDeepStrictEqual(withoutUndefined(event.data), data),
    );
    if (alreadyHeld) return { id: data.actorId, position: lastPosition(existing), appended: 0 };
    const { position } = await appendAtReadRevision(
      deps.store,
      stream,
      [startCommand(meta).event('ActorRoleAssigned', data)],
      existing.length - 1,
    );
    return { id: data.actorId, position, appended: 1 };
  });
};
