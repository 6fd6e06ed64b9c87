import { streamId } from '../../../events/index.js';
import type { Verdict } from '../../../events/vocabulary.js';
import {
  appendToStream,
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
  const state = await loadDevelopmentForChange(deps.store, command.id, expectedRevision);
  await requireReferences(deps.store, actorRef(command.byActorId, 'input', 'byActorId'));
  const { position } = await appendToStream(
    deps.store,
    streamId('development', command.id),
    [startCommand(meta).event('DevelopmentVerified', { ...command, status: command.status as Verdict })],
    expectedRevision ?? state.revision,
  );
  return { id: command.id, position, appended: 1 };
};
