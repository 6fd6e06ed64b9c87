import { streamId } from '../../../events/index.js';
import {
  appendAtClientRevision,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { RetractDevelopmentInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { loadDevelopmentForChange } from './development-rules.js';

/** Withdraws a development: from the retraction's recordedAt on it leaves every fold. */
export const retractDevelopment = async (
  deps: CommandDeps,
  input: unknown,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const { id, expectedRevision, reason } = validateInput(RetractDevelopmentInput, input);
  const state = await loadDevelopmentForChange(deps.store, id, expectedRevision);
  const { position } = await appendAtClientRevision(
    deps.store,
    streamId('development', id),
    [startCommand(meta).event('DevelopmentRetracted', { id, reason })],
    state.revision,
  );
  return { id, position, appended: 1 };
};
