import type { RoleRecord } from '../domain/actor.js';
import type { DevelopmentState, VerificationRecord } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import type { PositionState } from '../domain/positions.js';
import type { RelationState } from '../domain/relations.js';
import type { ActorAt } from '../time-travel/actor-at.js';
import type { TopicAt } from '../time-travel/topic-at.js';
import type { Participant, Quote } from '../../events/fields.js';
import type { AtTimePoint, ViewPoint } from './common/time-point.js';

/** The values resolvers hand down: a state and the time point it was computed at, which nested fields inherit. */
export type ActorNode = ActorAt<ViewPoint>;
/** An entity that a query asks nothing of but its id (common/references.ts). */
export type EntityReference = { readonly id: string } & AtTimePoint;
export type TopicNode = TopicAt<ViewPoint>;
export type MeetingNode = MeetingState & AtTimePoint;
export type DevelopmentNode = DevelopmentState & AtTimePoint;
export type PositionNode = PositionState & AtTimePoint;
/** A relation with its counterpart at the same time point, read with all the others of its actor. */
/** A relation with its answers worked out: `tone` and `lastTone` are what the API says, not what the fold keeps. */
export type RelationNode = Omit<RelationState, 'lastTone'> &
  AtTimePoint & {
    readonly other: ActorNode | EntityReference | null;
    readonly tone: number | null;
    readonly lastTone: number | null;
  };
export type RoleNode = RoleRecord & AtTimePoint;
export type ParticipantNode = Participant & AtTimePoint;
export type QuoteNode = Quote & AtTimePoint;
export type VerificationNode = VerificationRecord & AtTimePoint;
