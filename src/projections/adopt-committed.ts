import { isActorEvent, isDevelopmentEvent, isTopicEvent, type TimelineEvent } from '../../events/index.js';
import { namedActors, namedTopics, type DevelopmentState } from '../domain/development.js';
import type { CachedReader, ChangedRecords } from '../read-store/cached-reader.js';
import type { IndexRef, ReadModelReader, StoredVersion } from '../read-store/read-model-store.js';
import { versionsAround } from '../time-travel/known-state.js';
import type { DevelopmentChange } from './project-batch.js';

/** What the events a follower learns of changed: everything the cache may hold of them. */
const changedBy = (
  events: readonly TimelineEvent[],
  changes: ReadonlyMap<TimelineEvent, DevelopmentChange>,
  checkpoint: ChangedRecords['checkpoint'],
): ChangedRecords => {
  const versions: { kind: 'actor' | 'topic' | 'development'; id: string }[] = [];
  const indexes: IndexRef[] = [{ kind: 'world', id: '' }];
  const actors = new Set<string>();
  const parents: string[] = [];
  for (const event of events) {
    if (isActorEvent(event)) {
      versions.push({ kind: 'actor', id: event.type === 'ActorRegistered' ? event.data.id : event.data.actorId });
      continue;
    }
    if (isTopicEvent(event)) {
      if (event.type === 'TopicOpened') {
        versions.push({ kind: 'topic', id: event.data.id });
        if (event.data.parentId !== undefined) parents.push(event.data.parentId);
      } else {
        versions.push({ kind: 'topic', id: event.data.topicId });
      }
      continue;
    }
    versions.push({ kind: 'development', id: event.data.id });
    const change = changes.get(event);
    for (const state of [change?.before, change?.after]) {
      if (!state) continue;
      for (const id of namedActors(state)) {
        // Its changes index too: a correction or a late arrival lists itself there.
        indexes.push({ kind: 'actor', id }, { kind: 'changes', id }, { kind: 'superseded', id });
        actors.add(id);
      }
      for (const id of namedTopics(state)) indexes.push({ kind: 'topic', id });
      if (state.meeting) indexes.push({ kind: 'meeting', id: state.meeting.id });
    }
  }
  return { versions, indexes, snapshotActors: [...actors], subtopicParents: parents, checkpoint };
};

/**
 * Takes events that another writer already committed to the read models (an elected leader, or another embedded
 * process on the same files): the cache forgets what they changed, and each development event gets the versions
 * around it from the store, for live listeners. Returns those changes.
 */
export const adoptCommitted = async (
  store: ReadModelReader,
  reads: CachedReader,
  events: readonly TimelineEvent[],
): Promise<Map<TimelineEvent, DevelopmentChange>> => {
  const developments = events.filter(isDevelopmentEvent);
  const versions = await store.versions('development', [...new Set(developments.map((event) => event.data.id))]);
  const changes = new Map<TimelineEvent, DevelopmentChange>();
  for (const event of developments) {
    const list = versions.get(event.data.id) as StoredVersion<DevelopmentState>[] | undefined;
    const [before, after] = versionsAround(list, event.position);
    if (after) changes.set(event, { before, after });
  }
  const last = events.at(-1);
  if (last)
    reads.forget(changedBy(events, changes, { position: last.position, recordedAtMs: last.recordedAt.getTime() }));
  return changes;
};
