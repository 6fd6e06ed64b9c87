import { rolesAt, type ActorState, type RoleRecord } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { foldPositions, type PositionState } from '../domain/positions.js';
import { foldRelations, type RelationState } from '../domain/relations.js';
import type { TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownActor } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { takesPart, visibleDevelopments } from './visible-developments.js';

export interface ActorAt extends ActorState {
  readonly at: TimePoint;
  readonly currentRoles: readonly RoleRecord[];
}

/** An actor exists once registered (as of knownAt), whatever asOf says; its roles are those held at asOf. */
export const actorAt = (history: EntityHistory, id: string, at: TimePoint): ActorAt | null => {
  const actor = knownActor(history, id, at.knownAt);
  return actor && { ...actor, at, currentRoles: rolesAt(actor, at.asOf) };
};

/** What an actor did up to asOf, as known at knownAt: the fold of the developments that name it. */
export interface ActorActivity {
  readonly positions: readonly PositionState[];
  readonly relations: readonly RelationState[];
  readonly meetings: readonly MeetingState[];
  /** The developments it takes part in, newest first. */
  readonly developments: readonly DevelopmentState[];
  readonly lastActiveAt: string | null;
}

export const actorActivityAt = (history: EntityHistory, id: string, at: TimePoint): ActorActivity => {
  const named = visibleDevelopments(history, history.developmentsNamingActor(id), at);
  const meetingIds = new Set<string>();
  const takingPart: DevelopmentState[] = [];
  for (const development of named) {
    if (development.meeting) meetingIds.add(development.meeting.id);
    if (takesPart(development, id)) takingPart.push(development);
  }
  const meetings = [...meetingIds]
    .map((meetingId) => meetingAt(history, meetingId, at))
    .filter((meeting): meeting is MeetingState => meeting !== null && meeting.participantIds.includes(id));
  return {
    positions: foldPositions(named, (position) => position.actorId === id),
    relations: foldRelations(takingPart, id),
    meetings,
    developments: [...takingPart].reverse(),
    lastActiveAt: takingPart.at(-1)?.occurredAt ?? null,
  };
};
