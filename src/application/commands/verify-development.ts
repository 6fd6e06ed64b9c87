import type { DevelopmentEvent } from '../../../events/index.js';
import type { Verdict } from '../../../events/vocabulary.js';
import { evolveDevelopment, type DevelopmentState } from '../../domain/development.js';
import type { Decider } from '../decider.js';
import { commandHandler } from '../handle-command.js';
import { VerifyDevelopmentInput } from '../input-schemas.js';
import { actorRef, referencedStreams, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { requireChangeable } from './development-rules.js';
import { withoutUndefined } from './without-undefined.js';

export type VerifyDevelopment = ReturnType<typeof parseVerifyDevelopment>;

export const parseVerifyDevelopment = (input: unknown) =>
  withoutUndefined(validateInput(VerifyDevelopmentInput, input));

const verifierRef = (command: VerifyDevelopment) => actorRef(command.byActorId, 'input', 'byActorId');

/**
 * Records that someone confirmed, disputed or denied a development. Without an expectedRevision the client accepts
 * whatever revision it lands on, as long as the development is not retracted.
 */
export const verifyDevelopmentDecider: Decider<VerifyDevelopment, DevelopmentState | null, DevelopmentEvent> = {
  target: (command) => ({ category: 'development', id: command.id }),
  initialState: null,
  evolve: evolveDevelopment,
  expectedRevision: (command) => command.expectedRevision,
  looksAt: (command) => referencedStreams(verifierRef(command)),
  decide: (command, state, others) => {
    requireReferences(others, verifierRef(command));
    const { expectedRevision, ...verification } = command;
    requireChangeable(state, command.id, expectedRevision);
    return [{ type: 'DevelopmentVerified', data: { ...verification, status: verification.status as Verdict } }];
  },
};

export const verifyDevelopment = commandHandler(parseVerifyDevelopment, verifyDevelopmentDecider);
