import { isDeepStrictEqual } from 'node:util';
import type { DevelopmentPatch } from '../../../events/development-corrected.js';
import { streamId } from '../../../events/index.js';
import { applyPatch, developmentContent } from '../../domain/development.js';
import {
  appendAtClientRevision,
  startCommand,
  type CommandDeps,
  type CommandMeta,
  type CommandResult,
} from '../command-context.js';
import { badInput } from '../errors.js';
import { CorrectDevelopmentInput } from '../input-schemas.js';
import { requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import {
  checkDevelopmentRules,
  developmentReferences,
  findTopicOpenedAfter,
  loadDevelopmentForChange,
} from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

/** Corrects fields of a development at the revision the client saw; only fields that really change are kept. */
export const correctDevelopment = async (
  deps: CommandDeps,
  input: unknown,
  meta: CommandMeta,
): Promise<CommandResult> => {
  const command = validateInput(CorrectDevelopmentInput, input);
  const state = await loadDevelopmentForChange(deps.store, command.id, command.expectedRevision);
  const before = withoutUndefined(developmentContent(state));
  const after = withoutUndefined(applyPatch(before, withoutUndefined(command.patch) as DevelopmentPatch));
  const changedFields = Object.keys(command.patch).filter(
    (field) => !isDeepStrictEqual(before[field as keyof typeof before], after[field as keyof typeof after]),
  );
  if (changedFields.length === 0) {
    throw badInput('the patch changes nothing', ['input', 'patch']);
  }
  const patch = Object.fromEntries(
    changedFields.map((field) => [field, after[field as keyof typeof after] ?? null]),
  ) as DevelopmentPatch;

  checkDevelopmentRules(patch as Parameters<typeof checkDevelopmentRules>[0], ['input', 'patch']);
  const known = await requireReferences(
    deps,
    developmentReferences(patch as Parameters<typeof developmentReferences>[0], ['input', 'patch']),
  );
  const early = await findTopicOpenedAfter(deps, after, known);
  if (early) {
    // Blame the patch's own field if it named the topic, else the occurredAt it moved.
    const [field] = early.path;
    throw badInput(early.message, [
      'input',
      'patch',
      ...(field !== undefined && field in patch ? early.path : ['occurredAt']),
    ]);
  }
  const { position } = await appendAtClientRevision(
    deps.store,
    streamId('development', command.id),
    [
      startCommand(meta).event('DevelopmentCorrected', {
        id: command.id,
        reason: command.reason,
        patch,
        changedFields,
      }),
    ],
    state.revision,
  );
  return { id: command.id, position, appended: 1 };
};
