import type { ActorState } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import type { PositionState } from '../domain/positions.js';
import type { RelationState } from '../domain/relations.js';
import { instantMs, type TimePoint } from '../domain/time-point.js';
import { comparePlaces, placeKey } from '../read-store/places.js';
import type {
  IndexEntry,
  IndexRef,
  Place,
  ReadModelCheckpoint,
  ReadModelReader,
  SnapshotMeta,
  StoredSnapshot,
  StoredVersion,
} from '../read-store/read-model-store.js';
import { decodeShare } from './actor-share.js';
import {
  applyDevelopment,
  applyShare,
  emptySummary,
  isComplete,
  summaryAnswer,
  type ActorSummary,
} from './actor-summary.js';
import { developmentVersions, knownVersion, versionsAround } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { bestSnapshot } from './snapshots.js';
import { restoreSummary, storeSummary, type StoredSummary } from './stored-summary.js';
import { baseFor, deltaOrWhole, wholeStoredSummary, type StoredDelta } from './summary-delta.js';
import { takesPart, visibleAt, visibleDevelopments } from './visible-developments.js';

/** `at` is the point the question gave, kept as given: the API's says which axes it named (graphql/common/). */
export interface ActorAt<P extends TimePoint = TimePoint> extends ActorState {
  readonly at: P;
}

/** An actor exists once registered (as of knownAt), whatever asOf says; `rolesAt` gives the roles held at asOf. */
export const actorAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<ActorAt | null> =>
  (await actorsByIdAt(reads, [id], at)).get(id) ?? null;

// One literal shape rather than a spread: states decoded from the store vary in their keys, and a spread of such
// objects, once per counterpart of a busy actor, cost more than the read.
export const actorNode = <P extends TimePoint>(actor: ActorState, at: P): ActorAt<P> => ({
  id: actor.id,
  name: actor.name,
  kind: actor.kind,
  aliases: actor.aliases,
  cameoCode: actor.cameoCode,
  country: actor.country,
  registeredAt: actor.registeredAt,
  roles: actor.roles,
  at,
});

/** Many actors at one time point in one read: the counterparts of a busy actor's relations are thousands. */
export const actorsByIdAt = async <P extends TimePoint>(
  reads: ReadModelReader,
  ids: readonly string[],
  at: P,
): Promise<Map<string, ActorAt<P>>> => {
  const versions = await reads.versions('actor', ids);
  const knownAtMs = at.knownAt.getTime();
  const found = new Map<string, ActorAt<P>>();
  for (const [id, list] of versions) {
    const actor = knownVersion(list as readonly StoredVersion<ActorState>[], knownAtMs)?.state;
    if (actor) found.set(id, actorNode(actor, at));
  }
  return found;
};

/** The most entries a fold reads (and holds, with their versions) at once: a long walk stays bounded in memory. */
const WALK_PAGE = 1_024;

const placeOf = (development: DevelopmentState): Place => ({
  occurredAtMs: instantMs(development.occurredAt),
  recordPosition: development.recordPosition,
});

/** A development's part in a fold up to `boundary`: counted there, in that version, or not at all. */
const countsInside = (development: DevelopmentState | null, boundary: Place) =>
  development !== null && !development.retracted && comparePlaces(placeOf(development), boundary) <= 0
    ? development
    : null;

/**
 * Brings a snapshot's summary from when it was built to knownAt: every development the actor's changes index lists
 * since then (a late arrival behind the boundary, a correction, a retraction) gives back what it gave the snapshot
 * and gives what it gives now. The list is short (a boundary is built again once it grows), whatever the history.
 * A late arrival gave the snapshot nothing, and gives what its change's share says; any other change is judged by
 * the versions, then and now.
 */
const applyChangesSince = async (
  reads: ReadModelReader,
  summary: ActorSummary,
  id: string,
  start: SnapshotMeta,
  knownAtMs: number,
): Promise<void> => {
  const changes = await reads.entries(
    { kind: 'changes', id },
    { addedAfter: start.builtPosition, occurredByMs: start.boundary.occurredAtMs, knownAtMs },
  );
  if (changes.length === 0) return;
  // A correction or retraction since lists itself here too: only a late arrival listed by its own change alone is
  // still what its share says.
  const byVersions = new Set(
    changes.filter((change) => change.share === undefined).map((change) => change.developmentId),
  );
  for (const change of changes) {
    if (change.share === undefined || byVersions.has(change.developmentId)) continue;
    if (comparePlaces(change, start.boundary) > 0) continue;
    applyShare(summary, decodeShare(change.share, change.occurredAtMs), id, change.developmentId, change, 1);
  }
  if (byVersions.size === 0) return;
  const versions = await developmentVersions(reads, byVersions);
  for (const list of versions.values()) {
    // The version the snapshot folded is the last one the log held when it was built.
    const then = countsInside(versionsAround(list, start.builtPosition)[1], start.boundary);
    const now = countsInside(knownVersion(list, knownAtMs)?.state ?? null, start.boundary);
    if (then === now) continue;
    if (then) applyDevelopment(summary, then, id, placeOf(then), -1);
    if (now) applyDevelopment(summary, now, id, placeOf(now), 1);
  }
};

/**
 * Folds the entries after `after` up to the question's end, a page at a time. An entry's share is what its
 * development gives the actor until a correction or retraction supersedes it: those few, listed in the same range
 * of the actor's superseded index, are judged by the version known at knownAt; the others by their share, without
 * reading any version.
 */
const foldWalk = async (
  reads: ReadModelReader,
  summary: ActorSummary,
  id: string,
  after: Place | null,
  end: { readonly occurredByMs?: number; readonly through?: Place },
  knownAtMs: number,
): Promise<void> => {
  const index: IndexRef = { kind: 'actor', id };
  for (let from = after; ;) {
    const page = await reads.entries(index, { ...end, after: from, knownAtMs, limit: WALK_PAGE });
    if (page.length === 0) return;
    const last = page.at(-1)!;
    const superseded = await reads.entries({ kind: 'superseded', id }, { after: from, through: last, knownAtMs });
    const stale = new Set(superseded.map(placeKey));
    const judged = (entry: IndexEntry) => entry.share === undefined || stale.has(placeKey(entry));
    const versions = await developmentVersions(
      reads,
      page.filter(judged).map((entry) => entry.developmentId),
    );
    for (const entry of page) {
      if (!judged(entry)) {
        applyShare(summary, decodeShare(entry.share!, entry.occurredAtMs), id, entry.developmentId, entry, 1);
        continue;
      }
      const development = visibleAt(versions, entry, knownAtMs);
      if (development) applyDevelopment(summary, development, id, entry, 1);
    }
    if (page.length < WALK_PAGE) return;
    from = last;
  }
};

/** Where a question ends in world order: everything occurred by asOf, or exactly up to a snapshot's boundary. */
type QuestionEnd = { readonly occurredByMs: number } | { readonly through: Place };

/**
 * The summary at a time point: the furthest snapshot inside it built by knownAt, brought to knownAt, then the
 * entries after its boundary. A few range reads, however long the actor's history; from the start of the index
 * only when no snapshot stands there, when what changed since one took every kept latest value of a key, or when
 * the snapshot is of a stored form this code does not read.
 */
const actorSummaryAt = async (
  reads: ReadModelReader,
  id: string,
  end: QuestionEnd,
  knownAtMs: number,
): Promise<ActorSummary> => {
  const inside = 'through' in end ? end.through : end.occurredByMs;
  const start = bestSnapshot(await reads.snapshotMetas(id), inside, knownAtMs);
  if (start) {
    const state = await reads.snapshotState(start);
    if (state === undefined) throw new Error(`snapshot of ${id} at ${start.builtPosition.commit} is missing`);
    const stored = await wholeStoredSummary(reads, id, state);
    const summary = stored && restoreSummary(stored, id);
    if (summary) await applyChangesSince(reads, summary, id, start, knownAtMs);
    if (summary && isComplete(summary)) {
      await foldWalk(reads, summary, id, start.boundary, end, knownAtMs);
      return summary;
    }
  }
  const summary = emptySummary();
  await foldWalk(reads, summary, id, null, end, knownAtMs);
  return summary;
};

/** A snapshot names its boundary by place and entry; the share is the index's to keep. */
const withoutShare = ({ share: _share, ...entry }: IndexEntry): IndexEntry => entry;

/**
 * Snapshots of the actor's index at `boundaries` (world order; by default its last entry) as the store stands at the
 * checkpoint: what the projector leaves behind as it goes. One fold runs along them, each snapshot a copy of it at
 * its boundary, so that a batch in which a busy actor gained thousands of entries (a rebuild's) leaves one every
 * interval at the cost of one fold. The store must be at exactly that checkpoint.
 */
export const snapshotsActorAt = async (
  reads: ReadModelReader,
  id: string,
  checkpoint: ReadModelCheckpoint,
  boundaries?: readonly IndexEntry[],
): Promise<StoredSnapshot<StoredSummary | StoredDelta>[]> => {
  const along =
    boundaries ?? (await reads.entries({ kind: 'actor', id }, { knownAtMs: Infinity, descending: true, limit: 1 }));
  const built: StoredSnapshot<StoredSummary | StoredDelta>[] = [];
  // Along the boundaries, the base moves to each whole one built: the next lies nearest to it.
  let base = along.length > 0 ? await baseFor(reads, id, along[0]!) : undefined;
  // The summary as folded through the boundary before; none before the first.
  let folded: { summary: ActorSummary; through: IndexEntry } | undefined;
  for (const boundary of along) {
    if (folded === undefined) {
      folded = {
        summary: await actorSummaryAt(reads, id, { through: boundary }, checkpoint.recordedAtMs),
        through: boundary,
      };
    } else {
      await foldWalk(reads, folded.summary, id, folded.through, { through: boundary }, checkpoint.recordedAtMs);
      folded.through = boundary;
    }
    const { summary } = folded;
    const whole = storeSummary(summary);
    const snapshot = {
      actorId: id,
      boundary: withoutShare(boundary),
      builtAtMs: checkpoint.recordedAtMs,
      builtPosition: checkpoint.position,
      state: deltaOrWhole(whole, base),
    };
    // A whole one is what the deltas after it are taken against: they are committed with it, in one batch.
    if (snapshot.state === whole) base = { meta: snapshot, state: whole };
    built.push(snapshot);
  }
  return built;
};

/** One snapshot, at `boundary` (by default the index's last entry). */
export const snapshotActorAt = async (
  reads: ReadModelReader,
  id: string,
  checkpoint: ReadModelCheckpoint,
  boundary?: IndexEntry,
): Promise<StoredSnapshot<StoredSummary | StoredDelta> | null> =>
  (await snapshotsActorAt(reads, id, checkpoint, boundary ? [boundary] : undefined))[0] ?? null;

/** What an actor did up to asOf, as known at knownAt. */
export interface ActorActivity {
  readonly positions: readonly PositionState[];
  readonly relations: readonly RelationState[];
  /** The meetings it takes part in: read when asked for (a busy actor has thousands). */
  meetings(): Promise<readonly MeetingState[]>;
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
  /** The developments it takes part in, newest first: read when asked for. */
  developments(): Promise<readonly DevelopmentState[]>;
}

export const actorActivityAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<ActorActivity> => {
  const summary = await actorSummaryAt(reads, id, { occurredByMs: at.asOf.getTime() }, at.knownAt.getTime());
  const answer = summaryAnswer(summary);
  let meetings: Promise<MeetingState[]> | undefined;
  let developments: Promise<DevelopmentState[]> | undefined;
  return {
    positions: answer.positions,
    relations: answer.relations,
    developmentCount: answer.developmentCount,
    lastActiveAt: answer.lastActiveAt,
    meetings: () =>
      (meetings ??= Promise.all(answer.meetingIds.map((meetingId) => meetingAt(reads, meetingId, at))).then((found) =>
        found.filter((meeting): meeting is MeetingState => meeting !== null && meeting.participantIds.includes(id)),
      )),
    developments: () =>
      (developments ??= visibleDevelopments(reads, { kind: 'actor', id }, at, (development) =>
        takesPart(development, id),
      ).then((found) => found.reverse())),
  };
};
