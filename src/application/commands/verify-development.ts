import { streamId } from '../../../events/index.js';
import type { Verdict } from '../../../events/vocabulary.js';
import {
  appendAtClientRevision,
  appendAtReadRevision,
  decideAgainOnRace,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { VerifyDevelopmentInput } from '../input-schemas.js';
import { actorRef, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { loadDevelopmentForChange } from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

/** Records that someone confirmed, disputed or denied a development. */
export const verifyDevelopment = async (
  deps: CommandDeps,
  input: unknown,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const { expectedRevision, ...command } = withoutUndefined(validateInput(VerifyDevelopmentInput, input));
  await requireReferences(deps, actorRef(command.byActorId, 'input', 'byActorId'));
  const stream = streamId('development', command.id);
  const event = startCommand(meta).event('DevelopmentVerified', { ...command, status: command.status as Verdict });
  // Without an expectedRevision the client accepts whatever revision it lands on, as long as it is not retracted.
  return decideAgainOnRace(async () => {
    const state = await loadDevelopmentForChange(deps.store, command.id, expectedRevision);
    const { position } =
      expectedRevision === undefined
        ? await appendAtReadRevision(deps.store, stream, [event], state.revision)
        : await appendAtClientRevision(deps.store, stream, [event], expectedRevision);
    return { id: command.id, position, appended: 1 };
  });
};
