import type { ActorEvent, LogPosition, TopicEvent } from '../../events/index.js';
import type { ActorState } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import type { TopicState } from '../domain/topic.js';
import type { ActorSummary } from './actor-at.js';
import type { Snapshot } from './snapshots.js';
import type { IndexedEntries } from './world-index.js';

/**
 * A development as it stood right after one of its events. The read model keeps these instead of the development's
 * events: a version shares all it did not change with the one before, and most developments have one event, whose
 * version is their latest state, so their event bodies need not stay in memory at all.
 */
export interface DevelopmentVersion {
  readonly position: LogPosition;
  readonly recordedAtMs: number;
  readonly state: DevelopmentState;
  /** state.occurredAt as a number, parsed once: folds compare it with index entries all the time. */
  readonly occurredAtMs: number;
}

/**
 * What the time-travel engine reads: each entity's events (its history) and indexes from an entity to the
 * developments that ever named it, in any version. The projections keep it; the engine folds it at a time point.
 */
export interface EntityHistory {
  readonly checkpoint: LogPosition | null;
  /** The checkpoint with its recordedAt: what a snapshot built now has seen. */
  readonly checkpointStamp: { readonly position: LogPosition; readonly recordedAtMs: number } | null;
  /** The actor's snapshots (see snapshots.ts), by boundary. */
  actorSnapshots(id: string): readonly Snapshot<ActorSummary>[];
  actorEvents(id: string): readonly ActorEvent[];
  topicEvents(id: string): readonly TopicEvent[];
  /** The development after each of its events, in log order (the last is latestDevelopment). */
  developmentVersions(id: string): readonly DevelopmentVersion[];
  /** The state after the entity's newest event, to skip the fold when knownAt is past it. */
  latestActor(id: string): ActorState | undefined;
  latestTopic(id: string): TopicState | undefined;
  latestDevelopment(id: string): DevelopmentState | undefined;
  actorIds(): Iterable<string>;
  topicIds(): Iterable<string>;
  meetingIds(): Iterable<string>;
  developmentIds(): Iterable<string>;
  /** Every development in world order, one entry per occurredAt any of its versions had. */
  worldOrder(): IndexedEntries;
  /** Developments that named the actor anywhere (participant, speaker, position, meeting participant). */
  developmentsNamingActor(id: string): IndexedEntries;
  /** Developments that named the topic anywhere (topics, positions, meeting topics). */
  developmentsNamingTopic(id: string): IndexedEntries;
  developmentsNamingMeeting(id: string): IndexedEntries;
  subtopicIds(parentId: string): Iterable<string>;
  /**
   * The position of the last event recorded before `time`, null when none was: where a replay of everything
   * recorded at or after `time` starts. recordedAt never decreases along the log, so this is a binary search.
   */
  lastPositionRecordedBefore(time: Date): LogPosition | null;
}
