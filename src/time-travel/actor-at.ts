import { rolesAt, type ActorState, type RoleRecord } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { assertedPosition, positionKey, type PositionState } from '../domain/positions.js';
import { counterparts, mergeRelation, type RelationState } from '../domain/relations.js';
import type { TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { knownActor } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { bestSnapshot, entriesThrough, type Snapshot } from './snapshots.js';
import { takesPart, visibleAt, visibleDevelopments } from './visible-developments.js';
import { compareEntries, visibleEnd, type WorldIndexEntry } from './world-index.js';

export interface ActorAt extends ActorState {
  readonly at: TimePoint;
  readonly currentRoles: readonly RoleRecord[];
}

/** An actor exists once registered (as of knownAt), whatever asOf says; its roles are those held at asOf. */
export const actorAt = (history: EntityHistory, id: string, at: TimePoint): ActorAt | null => {
  const actor = knownActor(history, id, at.knownAt);
  return actor && { ...actor, at, currentRoles: rolesAt(actor, at.asOf) };
};

/**
 * The foldable part of what an actor did: what a snapshot keeps. Every part merges in any order (the latest
 * stance, tone and development by world order win, counts add up), so that late arrivals fold in on top of a
 * snapshot and give what a fold in world order gives.
 */
export interface ActorSummary {
  readonly positions: Map<string, PositionState>;
  readonly relations: Map<string, RelationState>;
  readonly meetingIds: Set<string>;
  developmentCount: number;
  lastActiveAt: string | null;
  /** The world-order place of what decided each latest value above. */
  readonly places: SummaryPlaces;
}

interface SummaryPlaces {
  readonly positions: Map<string, WorldIndexEntry>;
  readonly relations: Map<string, WorldIndexEntry>;
  readonly relationTones: Map<string, WorldIndexEntry>;
  lastActive: WorldIndexEntry | null;
}

const emptySummary = (): ActorSummary => ({
  positions: new Map(),
  relations: new Map(),
  meetingIds: new Set(),
  developmentCount: 0,
  lastActiveAt: null,
  places: { positions: new Map(), relations: new Map(), relationTones: new Map(), lastActive: null },
});

const copySummary = (summary: ActorSummary): ActorSummary => ({
  positions: new Map(summary.positions),
  relations: new Map(summary.relations),
  meetingIds: new Set(summary.meetingIds),
  developmentCount: summary.developmentCount,
  lastActiveAt: summary.lastActiveAt,
  places: {
    positions: new Map(summary.places.positions),
    relations: new Map(summary.places.relations),
    relationTones: new Map(summary.places.relationTones),
    lastActive: summary.places.lastActive,
  },
});

const isLater = (place: WorldIndexEntry, than: WorldIndexEntry | null | undefined): boolean =>
  than == null || compareEntries(place, than) > 0;

/** One more development, at its place in world order, into a summary the fold owns. */
const addDevelopment = (
  summary: ActorSummary,
  development: DevelopmentState,
  actorId: string,
  place: WorldIndexEntry,
): void => {
  const { places } = summary;
  for (const stance of development.positions) {
    if (stance.actorId !== actorId) continue;
    const key = positionKey(actorId, stance.topicId);
    if (!isLater(place, places.positions.get(key))) continue;
    summary.positions.set(key, assertedPosition(development, stance));
    places.positions.set(key, place);
  }
  if (development.meeting) summary.meetingIds.add(development.meeting.id);
  if (!takesPart(development, actorId)) return;
  summary.developmentCount += 1;
  if (isLater(place, places.lastActive)) {
    summary.lastActiveAt = development.occurredAt;
    places.lastActive = place;
  }
  for (const otherId of counterparts(development, actorId)) {
    const latest = isLater(place, places.relations.get(otherId));
    const latestTone = development.tone !== undefined && isLater(place, places.relationTones.get(otherId));
    const previous = summary.relations.get(otherId);
    summary.relations.set(
      otherId,
      mergeRelation(previous, development, otherId, { isLatest: latest, isLatestTone: latestTone }),
    );
    if (latest) places.relations.set(otherId, place);
    if (latestTone) places.relationTones.set(otherId, place);
  }
};

/**
 * The summary at a time point: start from the furthest snapshot of the actor's index that stands at knownAt inside
 * asOf, add what was recorded after it was built with a place inside its boundary (late arrivals), and fold the
 * entries after its boundary.
 */
export const actorSummaryAt = (history: EntityHistory, id: string, at: TimePoint): ActorSummary => {
  const index = history.developmentsNamingActor(id);
  const { entries } = index;
  const knownAtMs = at.knownAt.getTime();
  const end = visibleEnd(index, at.asOf.getTime(), knownAtMs);
  const start = bestSnapshot(history.actorSnapshots(id), at.asOf.getTime(), knownAtMs);
  if (!start) {
    const summary = emptySummary();
    for (let next = 0; next < end; next++) addVisible(history, summary, entries[next]!, at, id);
    return summary;
  }
  const summary = copySummary(start.state);
  const { inAddedOrder } = index;
  for (let next = start.addedBefore; next < inAddedOrder.length; next++) {
    const entry = inAddedOrder[next]!;
    if (entry.addedAtMs > knownAtMs) break;
    if (compareEntries(entry, start.boundary) <= 0) addVisible(history, summary, entry, at, id);
  }
  for (let next = entriesThrough(entries, start.boundary); next < end; next++) {
    addVisible(history, summary, entries[next]!, at, id);
  }
  return summary;
};

const addVisible = (
  history: EntityHistory,
  summary: ActorSummary,
  entry: WorldIndexEntry,
  at: TimePoint,
  actorId: string,
): void => {
  const development = visibleAt(history, entry, at);
  if (development) addDevelopment(summary, development, actorId, entry);
};

/** How many entries building a snapshot of the actor now would walk (see actorSummaryAt). */
export const snapshotFoldLength = (history: EntityHistory, id: string): number => {
  const index = history.developmentsNamingActor(id);
  const stamp = history.checkpointStamp;
  const boundary = index.entries.at(-1);
  if (boundary === undefined || stamp === null) return 0;
  const start = bestSnapshot(history.actorSnapshots(id), boundary.occurredAtMs, stamp.recordedAtMs);
  if (!start) return index.entries.length;
  // What the index took in since the snapshot: the entries after its boundary and the late arrivals inside it.
  return Math.max(
    index.inAddedOrder.length - start.addedBefore,
    index.entries.length - entriesThrough(index.entries, start.boundary),
  );
};

/** A snapshot of the actor's whole index as the log stands now: what the projection leaves behind as it goes. */
export const snapshotActorNow = (history: EntityHistory, id: string): Snapshot<ActorSummary> | null => {
  const index = history.developmentsNamingActor(id);
  const boundary = index.entries.at(-1);
  const stamp = history.checkpointStamp;
  if (boundary === undefined || stamp === null) return null;
  const at = { asOf: new Date(boundary.occurredAtMs), knownAt: new Date(stamp.recordedAtMs) };
  return {
    boundary,
    builtAtMs: stamp.recordedAtMs,
    addedBefore: index.inAddedOrder.length,
    invalidAtMs: Infinity,
    state: actorSummaryAt(history, id, at),
  };
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

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const actorActivityAt = (history: EntityHistory, id: string, at: TimePoint): ActorActivity => {
  const summary = actorSummaryAt(history, id, at);
  let developments: readonly DevelopmentState[] | undefined;
  // In a fixed order: a summary's maps fill in the order its fold met them, which differs between a fold from
  // scratch and one from a snapshot, and an answer must not depend on which one ran.
  return {
    positions: [...summary.positions.values()].sort((a, b) => byText(a.topicId, b.topicId)),
    relations: [...summary.relations.values()].sort((a, b) => byText(a.otherId, b.otherId)),
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
