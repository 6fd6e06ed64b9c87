import { isDeepStrictEqual } from 'node:util';
import type { ActorRegisteredData } from '../../../events/actor-registered.js';
import type { ActorEvent } from '../../../events/index.js';
import { keepFirst, type Decider } from '../decider.js';
import { conflict } from '../errors.js';
import { commandHandler } from '../handle-command.js';
import { RegisterActorInput } from '../input-schemas.js';
import { validateInput } from '../validate-input.js';
import { withoutUndefined } from './without-undefined.js';

/** A registration as parsed is the data of the event it appends. */
export type RegisterActor = ActorRegisteredData;

export const parseRegisterActor = (input: unknown): RegisterActor => {
  const command = validateInput(RegisterActorInput, input);
  return withoutUndefined({ ...command, aliases: command.aliases ?? [] });
};

/** Registers an actor once; the same registration again is a no-op, another one under the same id a CONFLICT. */
export const registerActorDecider: Decider<RegisterActor, ActorEvent | null, ActorEvent> = {
  target: (command) => ({ category: 'actor', id: command.id }),
  initialState: null,
  evolve: keepFirst,
  decide: (command, registered) => {
    if (registered === null) return [{ type: 'ActorRegistered', data: command }];
    if (registered.type === 'ActorRegistered' && isDeepStrictEqual(withoutUndefined(registered.data), command)) {
      return [];
    }
    throw conflict(`actor "${command.id}" is already registered with other details`, ['input', 'id']);
  },
};

export const registerActor = commandHandler(parseRegisterActor, registerActorDecider);
