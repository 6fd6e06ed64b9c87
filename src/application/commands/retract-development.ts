import type { DevelopmentEvent } from '../../../events/index.js';
import { evolveDevelopment, type DevelopmentState } from '../../domain/development.js';
import type { Decider } from '../decider.js';
import { commandHandler } from '../handle-command.js';
import { RetractDevelopmentInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { requireChangeable } from './development-rules.js';

export type RetractDevelopment = ReturnType<typeof parseRetractDevelopment>;

export const parseRetractDevelopment = (input: unknown) => validateInput(RetractDevelopmentInput, input);

/** Withdraws a development: from the retraction's recordedAt on it leaves every fold. */
export const retractDevelopmentDecider: Decider<RetractDevelopment, DevelopmentState | null, DevelopmentEvent> = {
  target: (command) => ({ category: 'development', id: command.id }),
  initialState: null,
  evolve: evolveDevelopment,
  expectedRevision: (command) => command.expectedRevision,
  decide: ({ id, expectedRevision, reason }, state) => {
    requireChangeable(state, id, expectedRevision);
    return [{ type: 'DevelopmentRetracted', data: { id, reason } }];
  },
};

export const retractDevelopment = commandHandler(parseRetractDevelopment, retractDevelopmentDecider);
