import type { ActorEvent, ActorKind } from '../../events/index.js';

export interface RoleRecord {
  readonly title: string;
  readonly organizationId?: string;
  readonly since: string;
  readonly until?: string;
}

export interface ActorState {
  readonly id: string;
  readonly name: string;
  readonly kind: ActorKind;
  readonly aliases: readonly string[];
  readonly cameoCode?: string;
  readonly country?: string;
  readonly registeredAt: Date;
  readonly roles: readonly RoleRecord[];
}

/** The pure reducer of an actor stream, in revision order. */
export const evolveActor = (state: ActorState | null, event: ActorEvent): ActorState => {
  if (event.type === 'ActorRegistered') {
    return { ...event.data, registeredAt: event.recordedAt, roles: [] };
  }
  if (state === null) throw new Error(`${event.type} at ${event.streamId} precedes ActorRegistered`);
  const { title, organizationId, since, until } = event.data;
  return { ...state, roles: [...state.roles, { title, organizationId, since, until }] };
};

/** Roles held at asOf: since <= asOf and (no until, or until > asOf). */
export const rolesAt = (actor: ActorState, asOf: Date): RoleRecord[] =>
  actor.roles.filter(
    (role) =>
      Date.parse(role.since) <= asOf.getTime() && (role.until === undefined || Date.parse(role.until) > asOf.getTime()),
  );
