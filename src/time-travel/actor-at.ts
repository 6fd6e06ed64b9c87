import { rolesAt, type ActorState, type RoleRecord } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { assertedPosition, positionKey, type PositionState } from '../domain/positions.js';
import { counterparts, mergeRelation, type RelationState } from '../domain/relations.js';
import type { TimePoint } from '../domain/time-point.js';
import { comparePlaces } from '../read-store/places.js';
import type {
  EntriesQuery,
  IndexEntry,
  IndexRef,
  Place,
  ReadModelCheckpoint,
  ReadModelReader,
  StoredSnapshot,
} from '../read-store/read-model-store.js';
import { developmentVersions, knownActor } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { bestSnapshot } from './snapshots.js';
import { takesPart, visibleAt, visibleDevelopments, type Versions } from './visible-developments.js';

export interface ActorAt extends ActorState {
  readonly at: TimePoint;
  readonly currentRoles: readonly RoleRecord[];
}

/** An actor exists once registered (as of knownAt), whatever asOf says; its roles are those held at asOf. */
export const actorAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<ActorAt | null> => {
  const actor = await knownActor(reads, id, at.knownAt);
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
  readonly positions: Map<string, Place>;
  readonly relations: Map<string, Place>;
  readonly relationTones: Map<string, Place>;
  lastActive: Place | null;
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

const isLater = (place: Place, than: Place | null | undefined): boolean =>
  than == null || comparePlaces(place, than) > 0;

/** Only the place of an entry: a summary keeps places, not whole entries. */
const placeOf = ({ occurredAtMs, recordPosition }: Place): Place => ({ occurredAtMs, recordPosition });

/** One more development, at its place in world order, into a summary the fold owns. */
const addDevelopment = (summary: ActorSummary, development: DevelopmentState, actorId: string, at: Place): void => {
  const { places } = summary;
  const place = placeOf(at);
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

const foldEntries = (
  summary: ActorSummary,
  entries: readonly IndexEntry[],
  versions: Versions,
  knownAtMs: number,
  actorId: string,
): void => {
  for (const entry of entries) {
    const development = visibleAt(versions, entry, knownAtMs);
    if (development) addDevelopment(summary, development, actorId, entry);
  }
};

/** The most entries a fold reads (and holds, with their versions) at once: a long walk stays bounded in memory. */
const WALK_PAGE = 1_024;

/**
 * Folds every entry a query gives, a page at a time (entries, then their versions, then the fold), or all at once
 * for the late arrivals since a snapshot: found by when they were added, they come unsorted from the store, and a
 * page of them would read them all again.
 */
const foldQuery = async (
  reads: ReadModelReader,
  summary: ActorSummary,
  id: string,
  query: EntriesQuery,
  paged = true,
): Promise<void> => {
  const index: IndexRef = { kind: 'actor', id };
  for (let after = query.after ?? null; ;) {
    const page = await reads.entries(index, paged ? { ...query, after, limit: WALK_PAGE } : query);
    const versions = await developmentVersions(
      reads,
      page.map((entry) => entry.developmentId),
    );
    foldEntries(summary, page, versions, query.knownAtMs, id);
    if (!paged || page.length < WALK_PAGE) return;
    after = page.at(-1)!;
  }
};

/**
 * The summary at a time point: start from the furthest snapshot of the actor's index that stands at knownAt inside
 * asOf, add what was recorded after it was built with a place inside its boundary (late arrivals), and fold the
 * entries after its boundary: a few range reads and reads of versions, however long the actor's history is.
 */
const actorSummaryAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<ActorSummary> => {
  const asOfMs = at.asOf.getTime();
  const knownAtMs = at.knownAt.getTime();
  const start = bestSnapshot(await reads.snapshotMetas(id), asOfMs, knownAtMs);
  const state = start ? await reads.snapshotState(start) : undefined;
  if (start && state === undefined) throw new Error(`snapshot of ${id} at ${start.builtPosition.commit} is missing`);
  const summary = state ? copySummary(state as ActorSummary) : emptySummary();
  if (start)
    await foldQuery(reads, summary, id, { through: start.boundary, addedAfter: start.builtPosition, knownAtMs });
  await foldQuery(reads, summary, id, { after: start?.boundary ?? null, occurredByMs: asOfMs, knownAtMs });
  return summary;
};

/** How many entries a question at the checkpoint, over the actor's whole index, walks beyond its snapshot. */
export const snapshotFoldLength = async (
  reads: ReadModelReader,
  id: string,
  checkpoint: ReadModelCheckpoint,
): Promise<number> => {
  const index: IndexRef = { kind: 'actor', id };
  const [boundary] = await reads.entries(index, { knownAtMs: Infinity, descending: true, limit: 1 });
  if (boundary === undefined) return 0;
  const start = bestSnapshot(await reads.snapshotMetas(id), boundary.occurredAtMs, checkpoint.recordedAtMs);
  if (!start) return reads.countEntries(index);
  const [added, after] = await Promise.all([
    reads.countEntries(index, { addedAfter: start.builtPosition }),
    reads.countEntries(index, { after: start.boundary }),
  ]);
  return Math.max(added, after);
};

/**
 * A snapshot of the actor's whole index as the store stands at the checkpoint: what the projector leaves behind as
 * it goes. The store must be at exactly that checkpoint.
 */
export const snapshotActorAt = async (
  reads: ReadModelReader,
  id: string,
  checkpoint: ReadModelCheckpoint,
): Promise<StoredSnapshot<ActorSummary> | null> => {
  const [boundary] = await reads.entries({ kind: 'actor', id }, { knownAtMs: Infinity, descending: true, limit: 1 });
  if (boundary === undefined) return null;
  const at = { asOf: new Date(boundary.occurredAtMs), knownAt: new Date(checkpoint.recordedAtMs) };
  return {
    actorId: id,
    boundary,
    builtAtMs: checkpoint.recordedAtMs,
    builtPosition: checkpoint.position,
    invalidAtMs: Infinity,
    state: await actorSummaryAt(reads, id, at),
  };
};

/** What an actor did up to asOf, as known at knownAt. */
export interface ActorActivity {
  readonly positions: readonly PositionState[];
  readonly relations: readonly RelationState[];
  readonly meetings: readonly MeetingState[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
  /** The developments it takes part in, newest first: read when asked for. */
  developments(): Promise<readonly DevelopmentState[]>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const actorActivityAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<ActorActivity> => {
  const summary = await actorSummaryAt(reads, id, at);
  // In a fixed order: a summary's maps and its set of meetings fill in the order its fold met them, which differs
  // between a fold from scratch and one from a snapshot, and an answer must not depend on which one ran.
  const meetingIds = [...summary.meetingIds].sort(byText);
  const meetings = await Promise.all(meetingIds.map((meetingId) => meetingAt(reads, meetingId, at)));
  let developments: Promise<DevelopmentState[]> | undefined;
  return {
    positions: [...summary.positions.values()].sort((a, b) => byText(a.topicId, b.topicId)),
    relations: [...summary.relations.values()].sort((a, b) => byText(a.otherId, b.otherId)),
    meetings: meetings.filter(
      (meeting): meeting is MeetingState => meeting !== null && meeting.participantIds.includes(id),
    ),
    developmentCount: summary.developmentCount,
    lastActiveAt: summary.lastActiveAt,
    developments: () =>
      (developments ??= visibleDevelopments(reads, { kind: 'actor', id }, at, (development) =>
        takesPart(development, id),
      ).then((found) => found.reverse())),
  };
};
