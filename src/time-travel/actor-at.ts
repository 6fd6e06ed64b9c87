import { rolesAt, type ActorState, type RoleRecord } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { assertedPositions, positionKey, type PositionState } from '../domain/positions.js';
import { counterparts, evolveRelation, type RelationState } from '../domain/relations.js';
import type { TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownActor } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { bestSnapshot, entriesThrough, type Snapshot } from './snapshots.js';
import { takesPart, visibleAt, visibleDevelopments } from './visible-developments.js';
import { visibleEnd } from './world-index.js';

export interface ActorAt extends ActorState {
  readonly at: TimePoint;
  readonly currentRoles: readonly RoleRecord[];
}

/** An actor exists once registered (as of knownAt), whatever asOf says; its roles are those held at asOf. */
export const actorAt = (history: EntityHistory, id: string, at: TimePoint): ActorAt | null => {
  const actor = knownActor(history, id, at.knownAt);
  return actor && { ...actor, at, currentRoles: rolesAt(actor, at.asOf) };
};

/** The foldable part of what an actor did: what a snapshot keeps. */
export interface ActorSummary {
  readonly positions: Map<string, PositionState>;
  readonly relations: Map<string, RelationState>;
  readonly meetingIds: Set<string>;
  developmentCount: number;
  lastActiveAt: string | null;
}

const emptySummary = (): ActorSummary => ({
  positions: new Map(),
  relations: new Map(),
  meetingIds: new Set(),
  developmentCount: 0,
  lastActiveAt: null,
});

const copySummary = (summary: ActorSummary): ActorSummary => ({
  positions: new Map(summary.positions),
  relations: new Map(summary.relations),
  meetingIds: new Set(summary.meetingIds),
  developmentCount: summary.developmentCount,
  lastActiveAt: summary.lastActiveAt,
});

/** One more development, in world order, into a summary the fold owns. */
const addDevelopment = (summary: ActorSummary, development: DevelopmentState, actorId: string): void => {
  for (const position of assertedPositions(development)) {
    if (position.actorId === actorId) summary.positions.set(positionKey(position.actorId, position.topicId), position);
  }
  if (development.meeting) summary.meetingIds.add(development.meeting.id);
  if (!takesPart(development, actorId)) return;
  summary.developmentCount += 1;
  summary.lastActiveAt = development.occurredAt;
  for (const otherId of counterparts(development, actorId)) {
    summary.relations.set(otherId, evolveRelation(summary.relations.get(otherId), development, otherId));
  }
};

/**
 * The summary at a time point: start from the furthest snapshot of the actor's index that stands at knownAt inside
 * asOf, and fold the entries after it.
 */
export const actorSummaryAt = (history: EntityHistory, id: string, at: TimePoint): ActorSummary => {
  const index = history.developmentsNamingActor(id);
  const { entries } = index;
  const end = visibleEnd(index, at.asOf.getTime(), at.knownAt.getTime());
  const start = bestSnapshot(history.actorSnapshots(id), at.asOf.getTime(), at.knownAt.getTime());
  const summary = start ? copySummary(start.state) : emptySummary();
  for (let next = start ? entriesThrough(entries, start.boundary) : 0; next < end; next++) {
    const development = visibleAt(history, entries[next]!, at);
    if (development) addDevelopment(summary, development, id);
  }
  return summary;
};

/** A snapshot of the actor's whole index as the log stands now: what the projection leaves behind as it goes. */
export const snapshotActorNow = (history: EntityHistory, id: string): Snapshot<ActorSummary> | null => {
  const boundary = history.developmentsNamingActor(id).entries.at(-1);
  const stamp = history.checkpointStamp;
  if (boundary === undefined || stamp === null) return null;
  const at = { asOf: new Date(boundary.occurredAtMs), knownAt: new Date(stamp.recordedAtMs) };
  return { boundary, builtAtMs: stamp.recordedAtMs, invalidAtMs: Infinity, state: actorSummaryAt(history, id, at) };
};

/** What an actor did up to asOf, as known at knownAt. */
export interface ActorActivity {
  readonly positions: readonly PositionState[];
  readonly relations: readonly RelationState[];
  readonly meetings: readonly MeetingState[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
  /** The developments it takes part in, newest first (walked from the index when asked for). */
  readonly developments: readonly DevelopmentState[];
}

export const actorActivityAt = (history: EntityHistory, id: string, at: TimePoint): ActorActivity => {
  const summary = actorSummaryAt(history, id, at);
  let developments: readonly DevelopmentState[] | undefined;
  return {
    positions: [...summary.positions.values()],
    relations: [...summary.relations.values()],
    meetings: [...summary.meetingIds]
      .map((meetingId) => meetingAt(history, meetingId, at))
      .filter((meeting): meeting is MeetingState => meeting !== null && meeting.participantIds.includes(id)),
    developmentCount: summary.developmentCount,
    lastActiveAt: summary.lastActiveAt,
    get developments() {
      developments ??= visibleDevelopments(history, history.developmentsNamingActor(id), at, (development) =>
        takesPart(development, id),
      ).reverse();
      return developments;
    },
  };
};
