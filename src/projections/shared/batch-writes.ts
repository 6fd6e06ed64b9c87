import type { ChainableCommander } from 'ioredis';
import { isActorEvent, isTopicEvent, type TimelineEvent } from '../../../events/index.js';
import { namedActors, namedTopics } from '../../domain/development.js';
import type { EntityHistory } from '../../time-travel/entity-history.js';
import { meetingAt } from '../../time-travel/meeting-at.js';
import { encodeCheckpoint, type CheckpointRecord } from './checkpoint-record.js';
import { encodeRecord } from '../../read-store/record-codec.js';
import type { ReadModelKeys } from './read-model-keys.js';

/** The latest state of a meeting: every development that names it counted, at the end of time on both axes. */
export const END_OF_TIME = new Date(8.64e15);

/** The ids whose latest state and index entries a batch of events changed. */
export interface Touched {
  readonly actors: Set<string>;
  readonly topics: Set<string>;
  readonly developments: Set<string>;
}

export const touchedBy = (events: readonly TimelineEvent[]): Touched => {
  const touched: Touched = { actors: new Set(), topics: new Set(), developments: new Set() };
  for (const event of events) {
    if (isActorEvent(event)) {
      touched.actors.add(event.type === 'ActorRegistered' ? event.data.id : event.data.actorId);
    } else if (isTopicEvent(event)) {
      touched.topics.add(event.type === 'TopicOpened' ? event.data.id : event.data.topicId);
    } else {
      touched.developments.add(event.data.id);
    }
  }
  return touched;
};

/**
 * Queues what a batch changed in the shared read models, then the checkpoint, into one transaction: the state and
 * the checkpoint move together or not at all.
 *
 * - latest:<kind>: the state after the batch of every entity it touched;
 * - index:<kind>:<id> and index:world: every development that ever named the entity, scored by its occurredAt now;
 * - snapshots: the snapshot records the batch left, in log order.
 */
export const queueBatchWrites = (
  multi: ChainableCommander,
  keys: ReadModelKeys,
  history: EntityHistory,
  touched: Touched,
  snapshotRecords: readonly string[],
  checkpoint: CheckpointRecord,
): void => {
  // One command per key with all its fields or members: a batch touches many entities of few keys, and each
  // command costs the client far more than each argument.
  const hashes = new Map<string, string[]>();
  const sortedSets = new Map<string, (string | number)[]>();
  const hset = (key: string, field: string, value: unknown) => {
    let pairs = hashes.get(key);
    if (!pairs) hashes.set(key, (pairs = []));
    pairs.push(field, encodeRecord(value));
  };
  const zadd = (key: string, score: number, member: string) => {
    let pairs = sortedSets.get(key);
    if (!pairs) sortedSets.set(key, (pairs = []));
    pairs.push(score, member);
  };

  for (const id of touched.actors) hset(keys.latest('actor'), id, history.latestActor(id));
  for (const id of touched.topics) hset(keys.latest('topic'), id, history.latestTopic(id));
  const meetings = new Set<string>();
  for (const id of touched.developments) {
    const versions = history.developmentVersions(id);
    const latest = versions.at(-1);
    if (!latest) continue;
    hset(keys.latest('development'), id, latest.state);
    const score = latest.occurredAtMs;
    zadd(keys.worldIndex, score, id);
    const actors = new Set<string>();
    const topics = new Set<string>();
    const named = new Set<string>();
    for (const { state } of versions) {
      for (const actorId of namedActors(state)) actors.add(actorId);
      for (const topicId of namedTopics(state)) topics.add(topicId);
      if (state.meeting) named.add(state.meeting.id);
    }
    for (const actorId of actors) zadd(keys.index('actor', actorId), score, id);
    for (const topicId of topics) zadd(keys.index('topic', topicId), score, id);
    for (const meetingId of named) {
      zadd(keys.index('meeting', meetingId), score, id);
      meetings.add(meetingId);
    }
  }
  const end = { asOf: END_OF_TIME, knownAt: END_OF_TIME };
  for (const id of meetings) hset(keys.latest('meeting'), id, meetingAt(history, id, end));

  for (const [key, pairs] of hashes) multi.hset(key, ...pairs);
  for (const [key, pairs] of sortedSets) multi.zadd(key, ...pairs);
  if (snapshotRecords.length > 0) multi.rpush(keys.snapshots, ...snapshotRecords);
  multi.set(keys.checkpoint, encodeCheckpoint(checkpoint));
  multi.publish(keys.checkpointMoved, String(checkpoint.token));
};
