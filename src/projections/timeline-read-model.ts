import {
  isActorEvent,
  isAfter,
  isTopicEvent,
  type ActorEvent,
  type LogPosition,
  type TimelineEvent,
  type TopicEvent,
} from '../../events/index.js';
import { evolveActor, type ActorState } from '../domain/actor.js';
import { evolveDevelopment, namedActors, namedTopics, type DevelopmentState } from '../domain/development.js';
import { evolveTopic, type TopicState } from '../domain/topic.js';
import { instantMs } from '../domain/time-point.js';
import type { DevelopmentVersion, EntityHistory } from '../time-travel/entity-history.js';
import { snapshotActorNow, snapshotFoldLength, type ActorSummary } from '../time-travel/actor-at.js';
import { invalidateFrom, SNAPSHOT_EVERY, type Snapshot } from '../time-travel/snapshots.js';
import {
  compareEntries,
  createWorldIndex,
  NO_ENTRIES,
  type WorldIndex,
  type WorldIndexEntry,
} from '../time-travel/world-index.js';

interface Entity<E, S> {
  readonly events: E[];
  latest: S;
}

/**
 * Where the snapshots due while applying an event come from. A leading projector builds them and tells `onSnapshot`;
 * a follower takes the ones the leader built (they are the costly part of a fold), so that every process holds the
 * same snapshots and a follower promoted to leader goes on exactly as the leader would have.
 */
export interface ApplyHooks {
  readonly takeSnapshot?: (actorId: string) => Snapshot<ActorSummary>;
  readonly onSnapshot?: (actorId: string, snapshot: Snapshot<ActorSummary>) => void;
}

/** The in-memory read model: every entity's history and latest state, and who-names-whom indexes. */
export interface TimelineReadModel extends EntityHistory {
  /** Applies the next event of the log; events at or before the checkpoint are ignored. */
  apply(event: TimelineEvent, hooks?: ApplyHooks): void;
}

const addTo = (indexes: Map<string, WorldIndex>, key: string, entry: WorldIndexEntry): void => {
  let index = indexes.get(key);
  if (!index) indexes.set(key, (index = createWorldIndex()));
  index.add(entry);
};

export interface ReadModelOptions {
  /** Index entries between two snapshots; small values make tests walk the snapshot paths. */
  readonly snapshotEvery?: number;
  /** How many entries beyond the new ones building a snapshot may walk per new entry (Infinity: always build). */
  readonly extraFoldsPerEntry?: number;
}

const none: never[] = [];

export const createTimelineReadModel = ({
  snapshotEvery = SNAPSHOT_EVERY,
  extraFoldsPerEntry = 0.5,
}: ReadModelOptions = {}): TimelineReadModel => {
  const actors = new Map<string, Entity<ActorEvent, ActorState>>();
  const topics = new Map<string, Entity<TopicEvent, TopicState>>();
  const developments = new Map<string, DevelopmentVersion[]>();
  const byActor = new Map<string, WorldIndex>();
  const byTopic = new Map<string, WorldIndex>();
  const byMeeting = new Map<string, WorldIndex>();
  const worldOrder = createWorldIndex();
  const actorSnapshots = new Map<string, Snapshot<ActorSummary>[]>();
  const entriesSinceSnapshot = new Map<string, number>();
  const foldWaits = new Map<string, number>();
  const grown: string[] = [];
  let checkpointStamp: { position: LogPosition; recordedAtMs: number } | null = null;
  const children = new Map<string, Set<string>>();
  let checkpoint: LogPosition | null = null;
  const logPositions: LogPosition[] = [];
  const logRecordedAt: number[] = [];

  const track = <E, S>(map: Map<string, Entity<E, S>>, id: string, event: E, evolve: (s: S | null, e: E) => S) => {
    const entity = map.get(id);
    if (entity) {
      entity.events.push(event);
      entity.latest = evolve(entity.latest, event);
    } else {
      map.set(id, { events: [event], latest: evolve(null, event) });
    }
  };

  const apply = (event: TimelineEvent, hooks?: ApplyHooks): void => {
    if (!isAfter(event.position, checkpoint)) return;
    if (isActorEvent(event)) {
      const id = event.type === 'ActorRegistered' ? event.data.id : event.data.actorId;
      track(actors, id, event, evolveActor);
    } else if (isTopicEvent(event)) {
      const id = event.type === 'TopicOpened' ? event.data.id : event.data.topicId;
      track(topics, id, event, evolveTopic);
      if (event.type === 'TopicOpened' && event.data.parentId !== undefined) {
        const siblings = children.get(event.data.parentId);
        if (siblings) siblings.add(id);
        else children.set(event.data.parentId, new Set([id]));
      }
    } else {
      const id = event.data.id;
      const versions = developments.get(id);
      const previous = versions?.at(-1);
      const before = previous?.state;
      const beforeMs = previous?.occurredAtMs ?? Infinity;
      const latest = evolveDevelopment(before ?? null, event);
      const recordedAtMs = event.recordedAt.getTime();
      const occurredAtMs = instantMs(latest.occurredAt);
      const version = { position: event.position, recordedAtMs, state: latest, occurredAtMs };
      if (versions) versions.push(version);
      else developments.set(id, [version]);
      const actorsNow = namedActors(latest);
      const actorsBefore = before ? namedActors(before) : none;
      // A new development only adds to the snapshots it falls inside (the fold adds it on top), and a verification
      // changes nothing they hold. A correction or retraction changes a development from the earlier of its two
      // occurredAts on: the snapshots after that no longer stand.
      if (event.type === 'DevelopmentCorrected' || event.type === 'DevelopmentRetracted') {
        const fromMs = Math.min(occurredAtMs, beforeMs);
        for (const actorId of new Set([...actorsNow, ...actorsBefore])) {
          const snapshots = actorSnapshots.get(actorId);
          if (snapshots) invalidateFrom(snapshots, fromMs, recordedAtMs);
        }
      }
      const entry = { occurredAtMs, recordPosition: latest.recordPosition, developmentId: id, addedAtMs: recordedAtMs };
      // An entry is new where the development moved in time or now names someone it did not before.
      const moved = occurredAtMs !== beforeMs;
      const newly = (now: string[], then: readonly string[]) =>
        new Set(moved ? now : now.filter((id) => !then.includes(id)));
      if (moved) worldOrder.add(entry);
      for (const actorId of newly(actorsNow, actorsBefore)) {
        addTo(byActor, actorId, entry);
        grown.push(actorId);
      }
      for (const topicId of newly(namedTopics(latest), before ? namedTopics(before) : none)) {
        addTo(byTopic, topicId, entry);
      }
      const meetings = (state: DevelopmentState | undefined) => (state?.meeting ? [state.meeting.id] : none);
      for (const meetingId of newly(meetings(latest), meetings(before))) addTo(byMeeting, meetingId, entry);
    }
    const recordedAtMs = event.recordedAt.getTime();
    checkpoint = event.position;
    checkpointStamp = { position: event.position, recordedAtMs };
    logPositions.push(event.position);
    logRecordedAt.push(recordedAtMs);
    leaveSnapshots(grown.splice(0), hooks);
  };

  /**
   * Every `snapshotEvery` entries an actor's index gains, the projection leaves a snapshot of it as the log stands
   * now, folded from the one before: questions at any later knownAt start there until a change contradicts it.
   * Building one walks the entries gained since the one before; when corrections have closed the snapshots before
   * (the walk would start far back, or from scratch), it waits until the walk beyond the new entries is at most
   * `extraFoldsPerEntry` per new entry: rebuilding stays linear in the log, where building each snapshot from
   * scratch would be quadratic in the actor's history.
   */
  const leaveSnapshots = (actorIds: readonly string[], hooks: ApplyHooks | undefined): void => {
    for (const actorId of actorIds) {
      const count = (entriesSinceSnapshot.get(actorId) ?? 0) + 1;
      entriesSinceSnapshot.set(actorId, count);
      if (count < Math.max(snapshotEvery, foldWaits.get(actorId) ?? 0)) continue;
      // The walk only grows while the index does, so the next look is when the count has caught up with this one.
      const foldWait = Math.ceil(snapshotFoldLength(model, actorId) / (1 + extraFoldsPerEntry));
      if (foldWait > count) {
        foldWaits.set(actorId, foldWait);
        continue;
      }
      foldWaits.delete(actorId);
      const snapshot = hooks?.takeSnapshot ? hooks.takeSnapshot(actorId) : snapshotActorNow(model, actorId);
      if (snapshot) hooks?.onSnapshot?.(actorId, snapshot);
      let snapshots = actorSnapshots.get(actorId);
      if (!snapshots) actorSnapshots.set(actorId, (snapshots = []));
      const last = snapshots.at(-1);
      if (snapshot && (!last || compareEntries(snapshot.boundary, last.boundary) > 0)) snapshots.push(snapshot);
      entriesSinceSnapshot.set(actorId, 0);
    }
  };

  const lastPositionRecordedBefore = (time: Date): LogPosition | null => {
    let low = 0;
    let high = logRecordedAt.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (logRecordedAt[middle]! < time.getTime()) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? null : logPositions[low - 1]!;
  };

  const model: TimelineReadModel = {
    get checkpoint() {
      return checkpoint;
    },
    get checkpointStamp() {
      return checkpointStamp;
    },
    actorSnapshots: (id) => actorSnapshots.get(id) ?? none,
    apply,
    lastPositionRecordedBefore,
    actorEvents: (id) => actors.get(id)?.events ?? none,
    topicEvents: (id) => topics.get(id)?.events ?? none,
    developmentVersions: (id) => developments.get(id) ?? none,
    latestActor: (id) => actors.get(id)?.latest,
    latestTopic: (id) => topics.get(id)?.latest,
    latestDevelopment: (id) => developments.get(id)?.at(-1)?.state,
    actorIds: () => actors.keys(),
    topicIds: () => topics.keys(),
    meetingIds: () => byMeeting.keys(),
    developmentIds: () => developments.keys(),
    worldOrder: () => worldOrder,
    developmentsNamingActor: (id) => byActor.get(id) ?? NO_ENTRIES,
    developmentsNamingTopic: (id) => byTopic.get(id) ?? NO_ENTRIES,
    developmentsNamingMeeting: (id) => byMeeting.get(id) ?? NO_ENTRIES,
    subtopicIds: (parentId) => children.get(parentId) ?? none,
  };
  return model;
};
