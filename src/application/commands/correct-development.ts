import { isDeepStrictEqual } from 'node:util';
import type { DevelopmentPatch } from '../../../events/development-corrected.js';
import type { DevelopmentEvent } from '../../../events/index.js';
import { applyPatch, developmentContent, evolveDevelopment, type DevelopmentState } from '../../domain/development.js';
import type { Decider } from '../decider.js';
import { badInput } from '../errors.js';
import { commandHandler } from '../handle-command.js';
import { CorrectDevelopmentInput } from '../input-schemas.js';
import { referencedStreams, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import {
  checkDevelopmentRules,
  developmentReferences,
  findTopicOpenedAfter,
  mentionedTopicStreams,
  requireChangeable,
} from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

export type CorrectDevelopment = ReturnType<typeof parseCorrectDevelopment>;

export const parseCorrectDevelopment = (input: unknown) => validateInput(CorrectDevelopmentInput, input);

type Content = Parameters<typeof developmentReferences>[0];

/** Corrects fields of a development at the revision the client saw; only fields that really change are kept. */
export const correctDevelopmentDecider: Decider<CorrectDevelopment, DevelopmentState | null, DevelopmentEvent> = {
  target: (command) => ({ category: 'development', id: command.id }),
  initialState: null,
  evolve: evolveDevelopment,
  expectedRevision: (command) => command.expectedRevision,
  // What the patch names, and the topics the development stays on (they must not open after a new occurredAt).
  looksAt: (command, state) =>
    state === null || state.retracted
      ? []
      : [
          ...referencedStreams(developmentReferences(command.patch as Content, ['input', 'patch'])),
          ...mentionedTopicStreams(state),
        ],
  decide: (command, current, others) => {
    const state = requireChangeable(current, command.id, command.expectedRevision);
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

    checkDevelopmentRules(patch as Content, ['input', 'patch']);
    requireReferences(others, developmentReferences(patch as Content, ['input', 'patch']));
    const early = findTopicOpenedAfter(after, others);
    if (early) {
      // Blame the patch's own field if it named the topic, else the occurredAt it moved.
      const [field] = early.path;
      throw badInput(early.message, [
        'input',
        'patch',
        ...(field !== undefined && field in patch ? early.path : ['occurredAt']),
      ]);
    }
    return [{ type: 'DevelopmentCorrected', data: { id: command.id, reason: command.reason, patch, changedFields } }];
  },
};

export const correctDevelopment = commandHandler(parseCorrectDevelopment, correctDevelopmentDecider);
