import { isDeepStrictEqual } from 'node:util';
import type { ActorRoleAssignedData } from '../../../events/actor-role-assigned.js';
import type { ActorEvent } from '../../../events/index.js';
import type { Decider } from '../decider.js';
import { commandHandler } from '../handle-command.js';
import { AssignRoleInput } from '../input-schemas.js';
import { actorRef, referencedStreams, requireReferences } from '../references.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** A role as parsed is the data of the event it appends. */
export type AssignRole = ActorRoleAssignedData;

export const parseAssignRole = (input: unknown): AssignRole => withoutUndefined(validateInput(AssignRoleInput, input));

const references = (command: AssignRole) => [
  ...actorRef(command.actorId, 'input', 'actorId'),
  ...actorRef(command.organizationId, 'input', 'organizationId'),
];

/** Gives an actor a role; assigning the very same role again is a no-op. */
export const assignRoleDecider: Decider<AssignRole, readonly ActorRoleAssignedData[], ActorEvent> = {
  target: (command) => ({ category: 'actor', id: command.actorId }),
  initialState: [],
  evolve: (roles, event) => (event.type === 'ActorRoleAssigned' ? [...roles, withoutUndefined(event.data)] : roles),
  looksAt: (command) => referencedStreams(references(command)),
  decide: (command, roles, others) => {
    requireReferences(others, references(command));
    if (roles.some((role) => isDeepStrictEqual(role, command))) return [];
    return [{ type: 'ActorRoleAssigned', data: command }];
  },
};

export const assignRole = commandHandler(parseAssignRole, assignRoleDecider);
