import { comparePositions } from '../../events/envelope.js';
import {
  isActorEvent,
  isTopicEvent,
  type DevelopmentEvent,
  type LogPosition,
  type TimelineEvent,
} from '../../events/index.js';
import { evolveActor, type ActorState } from '../domain/actor.js';
import { evolveDevelopment, namedActors, namedTopics, type DevelopmentState } from '../domain/development.js';
import { instantMs } from '../domain/time-point.js';
import { encodeShare, shareOf } from '../time-travel/actor-share.js';
import { evolveTopic, type TopicState } from '../domain/topic.js';
import type { ChangedRecords } from '../read-store/cached-reader.js';
import type {
  IndexEntry,
  IndexKind,
  IndexRef,
  Place,
  ReadModelBatch,
  ReadModelCheckpoint,
  ReadModelReader,
  StoredVersion,
  VersionKind,
} from '../read-store/read-model-store.js';
import { placeEntries, type IndexTails, type PlacedEntry } from './place-entries.js';

/** A development event with the development just before and just after it: what live feeds judge it by. */
export interface DevelopmentChange {
  readonly before: DevelopmentState | null;
  readonly after: DevelopmentState;
}

export interface ProjectedBatch {
  readonly batch: ReadModelBatch;
  readonly changed: ChangedRecords;
  readonly changes: ReadonlyMap<TimelineEvent, DevelopmentChange>;
  /** Index entries each actor's index gained, in the batch's order: what the snapshot policy counts. */
  readonly actorGains: ReadonlyMap<string, number>;
}

const none: never[] = [];
const meetingsOf = (state: DevelopmentState | null) => (state?.meeting ? [state.meeting.id] : none);

type Unplaced = { readonly index: IndexRef; readonly entry: Omit<IndexEntry, 'earliestAddedFromMs'> };

/** An entry of an actor's changes index: placed at the earliest occurredAt it affects, named by its event. */
const changeEntry = (occurredAtMs: number, developmentId: string, addedAtMs: number, position: LogPosition) => ({
  occurredAtMs,
  recordPosition: position,
  developmentId,
  addedAtMs,
  addedPosition: position,
});

/**
 * One change per actor, development and event, at the earliest of its places. A development recorded behind a
 * snapshot and corrected to another date in the same batch was listed by the correction (at the earlier of its two
 * dates) and again for its new entry (at the later): the same event's stamp at two places, which said nothing the
 * first did not (a reader judges the development by its versions from the earlier place on), and which the Redis
 * store, whose members do not hold the place's date, kept as one member at the later place, losing the earlier
 * (docs/architecture.md, "A batch becomes visible at once").
 */
const earliestChanges = (changed: readonly Unplaced[]): Unplaced[] => {
  const kept = new Map<string, Unplaced>();
  for (const item of changed) {
    const { index, entry } = item;
    const key = `${index.id}|${entry.developmentId}|${entry.addedPosition.commit}|${entry.addedPosition.prepare}|${entry.share === undefined ? 0 : 1}`;
    const known = kept.get(key);
    if (known === undefined || entry.occurredAtMs < known.entry.occurredAtMs) kept.set(key, item);
  }
  return [...kept.values()];
};

/**
 * `entry` with a share, written out rather than spread: a spread that adds a property took 1.5 us an entry against
 * 0.06, and a rebuild of 100,000 developments adds a share to 210,000 actor entries. A share absent stays absent.
 */
const withShare = <E extends Omit<IndexEntry, 'earliestAddedFromMs' | 'share'>>(
  { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition }: E,
  share: string | undefined,
): Omit<IndexEntry, 'earliestAddedFromMs'> =>
  share === undefined
    ? { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition }
    : { occurredAtMs, recordPosition, developmentId, addedAtMs, addedPosition, share };

/** The last version of each id, read once for the batch and then carried along it. */
const latestOf = async <S>(reads: ReadModelReader, kind: VersionKind, ids: Set<string>) => {
  const latest = new Map<string, S | null>();
  if (ids.size === 0) return latest;
  const found = await reads.versions(kind, [...ids]);
  for (const id of ids) latest.set(id, (found.get(id)?.at(-1)?.state as S | undefined) ?? null);
  return latest;
};

const idOf = (event: TimelineEvent): string => {
  if (isActorEvent(event)) return event.type === 'ActorRegistered' ? event.data.id : event.data.actorId;
  if (isTopicEvent(event)) return event.type === 'TopicOpened' ? event.data.id : event.data.topicId;
  return event.data.id;
};

/**
 * What a batch of events (in log order, after the store's checkpoint) changes in the read models: each entity's
 * version after each event, the index entries of every place a development newly takes, the snapshots that a
 * correction or retraction closes, the subtopics, and the clock. The reducers are the domain's pure ones; the reads
 * are the versions before the batch and, for entries that land inside an index, their neighbours there.
 */
export const projectBatch = async (
  reads: ReadModelReader,
  events: readonly TimelineEvent[],
  tails: IndexTails,
  /** The furthest boundary of an actor's snapshots, stored or due: what lies after it no snapshot holds. */
  snapshotEnd: (actorId: string) => Promise<Place | null>,
  /** Where the neighbours of entries are looked up: the store itself, as no two batches ask the same. */
  lookups: ReadModelReader = reads,
): Promise<ProjectedBatch> => {
  const ids = { actor: new Set<string>(), topic: new Set<string>(), development: new Set<string>() };
  for (const event of events) {
    ids[isActorEvent(event) ? 'actor' : isTopicEvent(event) ? 'topic' : 'development'].add(idOf(event));
  }
  const [actors, topics, developments] = await Promise.all([
    latestOf<ActorState>(reads, 'actor', ids.actor),
    latestOf<TopicState>(reads, 'topic', ids.topic),
    latestOf<DevelopmentState>(reads, 'development', ids.development),
  ]);
  const unknown = (latest: Map<string, unknown>) =>
    new Set([...latest].filter(([, state]) => state === null).map(([id]) => id));
  const fresh = { actor: unknown(actors), topic: unknown(topics), development: unknown(developments) };

  const versions: { kind: VersionKind; id: string; version: StoredVersion }[] = [];
  const unplaced: Unplaced[] = [];
  const changed: Unplaced[] = [];
  /** Developments whose first version the batch holds: behind a snapshot, their entries are changes too. */
  const firsts = new Set<string>();
  const subtopics: { parentId: string; id: string }[] = [];
  const clock: ReadModelCheckpoint[] = [];
  const changes = new Map<TimelineEvent, DevelopmentChange>();

  for (const event of events) {
    const id = idOf(event);
    const recordedAtMs = event.recordedAt.getTime();
    const stamp = { position: event.position, recordedAtMs };
    if (clock.at(-1)?.recordedAtMs === recordedAtMs) clock[clock.length - 1] = stamp;
    else clock.push(stamp);
    if (isActorEvent(event)) {
      const state = evolveActor(actors.get(id) ?? null, event);
      actors.set(id, state);
      versions.push({ kind: 'actor', id, version: { position: event.position, recordedAtMs, state } });
      continue;
    }
    if (isTopicEvent(event)) {
      const state = evolveTopic(topics.get(id) ?? null, event);
      topics.set(id, state);
      versions.push({ kind: 'topic', id, version: { position: event.position, recordedAtMs, state } });
      if (event.type === 'TopicOpened' && event.data.parentId !== undefined) {
        subtopics.push({ parentId: event.data.parentId, id });
      }
      continue;
    }
    const before = developments.get(id) ?? null;
    const after = evolveDevelopment(before, event as DevelopmentEvent);
    developments.set(id, after);
    versions.push({ kind: 'development', id, version: { position: event.position, recordedAtMs, state: after } });
    changes.set(event, { before, after });

    const occurredAtMs = instantMs(after.occurredAt);
    const beforeMs = before ? instantMs(before.occurredAt) : null;
    // A correction or retraction changes what the development gives its actors from the earlier of its two
    // occurredAts on: each actor's changes index lists it there, for the snapshots after that place (a
    // verification changes nothing they hold). A new development is listed where it lands behind a snapshot.
    if (!before) firsts.add(id);
    else if (event.type === 'DevelopmentCorrected' || event.type === 'DevelopmentRetracted') {
      const change = changeEntry(Math.min(occurredAtMs, beforeMs!), id, stamp.recordedAtMs, event.position);
      for (const actorId of new Set([...namedActors(after), ...namedActors(before)])) {
        changed.push({ index: { kind: 'changes', id: actorId }, entry: change });
      }
    }
    // An entry is new where the development moved in time, or now names someone it did not before.
    const moved = occurredAtMs !== beforeMs;
    const newly = (now: readonly string[], then: readonly string[]) =>
      new Set(moved ? now : now.filter((named) => !then.includes(named)));
    const entry = {
      occurredAtMs,
      recordPosition: after.recordPosition,
      developmentId: id,
      addedAtMs: recordedAtMs,
      addedPosition: event.position,
    };
    if (moved) unplaced.push({ index: { kind: 'world', id: '' }, entry });
    const named = (kind: 'topic' | 'meeting', now: readonly string[], then: readonly string[]) => {
      for (const namedId of newly(now, then)) unplaced.push({ index: { kind, id: namedId }, entry });
    };
    const actorsBefore = before ? namedActors(before) : none;
    for (const actorId of newly(namedActors(after), actorsBefore)) {
      unplaced.push({
        index: { kind: 'actor', id: actorId },
        entry: withShare(entry, encodeShare(shareOf(after, actorId))),
      });
    }
    if (before && event.type !== 'DevelopmentVerified') {
      // The entries at the place the development leaves (or keeps) stop holding what it gives from now on, unless
      // it gives an actor just what it gave: a question reads the versions of those, and trusts the share of others.
      const place = { occurredAtMs: beforeMs!, recordPosition: before.recordPosition };
      for (const actorId of new Set(actorsBefore)) {
        const same =
          !moved && !after.retracted && encodeShare(shareOf(after, actorId)) === encodeShare(shareOf(before, actorId));
        if (same) continue;
        const superseded = { ...place, developmentId: id, addedAtMs: recordedAtMs, addedPosition: event.position };
        unplaced.push({ index: { kind: 'superseded', id: actorId }, entry: superseded });
      }
    }
    named('topic', namedTopics(after), before ? namedTopics(before) : none);
    named('meeting', meetingsOf(after), meetingsOf(before));
  }

  const placed: PlacedEntry[] = await placeEntries(lookups, unplaced, tails);
  const actorGains = new Map<string, number>();
  for (const { index } of placed) {
    if (index.kind === 'actor') actorGains.set(index.id, (actorGains.get(index.id) ?? 0) + 1);
  }
  // Only what lies behind a snapshot: most developments arrive after every boundary of their actors' indexes. Asked
  // before any change of a new development is made: a rebuild made one for each of 210,000 actor entries, and kept
  // 8,800 of them.
  const ends = new Map(
    await Promise.all(
      [...new Set([...changed.map(({ index }) => index.id), ...actorGains.keys()])].map(
        async (id) => [id, await snapshotEnd(id)] as const,
      ),
    ),
  );
  const isBehind = (actorId: string, occurredAtMs: number) => {
    const end = ends.get(actorId);
    return end != null && occurredAtMs <= end.occurredAtMs;
  };
  for (const { index, entry } of placed) {
    if (index.kind !== 'actor' || !firsts.has(entry.developmentId) || !isBehind(index.id, entry.occurredAtMs)) continue;
    const change = changeEntry(entry.occurredAtMs, entry.developmentId, entry.addedAtMs, entry.addedPosition);
    // Added by its recording, a late arrival's change carries that entry's share: a correction or retraction of it
    // later lists itself among the changes too, and a reader then judges it by its versions.
    const recorded = comparePositions(entry.addedPosition, entry.recordPosition) === 0;
    changed.push({
      index: { kind: 'changes', id: index.id },
      entry: recorded ? withShare(change, entry.share) : change,
    });
  }
  // In log order, as every index takes its entries: corrections were listed as they came, new developments after.
  const behind = earliestChanges(changed)
    .filter(({ index, entry }) => isBehind(index.id, entry.occurredAtMs))
    .sort((a, b) => comparePositions(a.entry.addedPosition, b.entry.addedPosition));
  const entries = [...placed, ...(await placeEntries(lookups, behind, tails))];
  const checkpoint = clock.at(-1)!;
  // By kind, then id: a key written out for each entry (475,000 in a 100k rebuild) took 0.18 s of it.
  const indexIds = new Map<IndexKind, Set<string>>();
  for (const { index } of entries) {
    let ids = indexIds.get(index.kind);
    if (!ids) indexIds.set(index.kind, (ids = new Set()));
    ids.add(index.id);
  }
  // Entities the batch created: their versions are all here.
  const created = new Map<string, { kind: VersionKind; id: string; versions: StoredVersion[] }>();
  for (const { kind, id, version } of versions) {
    const latest = kind === 'actor' ? fresh.actor : kind === 'topic' ? fresh.topic : fresh.development;
    if (!latest.has(id)) continue;
    const key = `${kind}:${id}`;
    const whole = created.get(key) ?? { kind, id, versions: [] };
    whole.versions.push(version);
    created.set(key, whole);
  }
  return {
    batch: { versions, entries, snapshots: [], subtopics, clock, checkpoint },
    changed: {
      versions: versions.map(({ kind, id }) => ({ kind, id })),
      wholeVersions: [...created.values()],
      indexes: [...indexIds].flatMap(([kind, ids]) => [...ids].map((id) => ({ kind, id }))),
      snapshotActors: [],
      subtopicParents: subtopics.map((subtopic) => subtopic.parentId),
      checkpoint,
    },
    changes,
    actorGains,
  };
};
