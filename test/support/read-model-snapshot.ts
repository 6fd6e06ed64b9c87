import type { TimePoint } from '../../src/domain/time-point.js';
import type { IndexEntry, IndexRef, ReadModelReader, VersionKind } from '../../src/read-store/read-model-store.js';
import { actorActivityAt, actorAt } from '../../src/time-travel/actor-at.js';
import { knownDevelopment } from '../../src/time-travel/known-state.js';
import { actorsAt, meetingsAt, topicsAt } from '../../src/time-travel/listings.js';
import { meetingAt } from '../../src/time-travel/meeting-at.js';
import { timelineAt } from '../../src/time-travel/timeline.js';
import { subtopicsAt, topicActivityAt, topicAt } from '../../src/time-travel/topic-at.js';

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

/** Every entry of an index, whatever knownAt, in world order, each field as plain data. */
const entriesOf = async (reads: ReadModelReader, index: IndexRef) =>
  (await reads.entries(index, { knownAtMs: Infinity })).map((entry: IndexEntry) => ({
    occurredAtMs: entry.occurredAtMs,
    recordPosition: entry.recordPosition,
    developmentId: entry.developmentId,
    addedAtMs: entry.addedAtMs,
    addedPosition: entry.addedPosition,
    earliestAddedFromMs: entry.earliestAddedFromMs,
  }));

/** Each id's versions in log order: position, recordedAt and the state after the event. */
const versionsOf = async (reads: ReadModelReader, kind: VersionKind, ids: readonly string[]) => {
  const found = await reads.versions(kind, ids);
  return ids.map((id) => [
    id,
    (found.get(id) ?? []).map((version) => [version.position, version.recordedAtMs, version.state]),
  ]);
};

/**
 * Everything a read model answers, as plain data: its checkpoint, every index's entries, every entity's versions,
 * the subtopics, the clock and every entity's state (and the listings and timeline) at each time point. Two read
 * models that give equal snapshots answer every query alike.
 *
 * Snapshots of actor indexes are left out on purpose: they are a cache of answers, and where they fall depends on
 * how the log was cut into batches; what they answer is in the states.
 */
export const snapshotReadModel = async (reads: ReadModelReader, points: readonly TimePoint[]) => {
  const [actorIds, topicIds, meetingIds] = await Promise.all(
    (['actor', 'topic', 'meeting'] as const).map(async (kind) => sorted(await reads.ids(kind))),
  );
  const world = await entriesOf(reads, { kind: 'world', id: '' });
  // Every development has an entry in the world index from its first recording.
  const developmentIds = sorted(world.map((entry) => entry.developmentId));
  const entriesById = (kind: 'actor' | 'topic' | 'meeting', ids: readonly string[]) =>
    Promise.all(ids.map(async (id) => [id, await entriesOf(reads, { kind, id })]));

  return {
    checkpoint: await reads.checkpoint(),
    indexes: {
      world,
      actors: await entriesById('actor', actorIds!),
      topics: await entriesById('topic', topicIds!),
      meetings: await entriesById('meeting', meetingIds!),
    },
    versions: {
      actors: await versionsOf(reads, 'actor', actorIds!),
      topics: await versionsOf(reads, 'topic', topicIds!),
      developments: await versionsOf(reads, 'development', developmentIds),
    },
    subtopics: await Promise.all(topicIds!.map(async (id) => [id, sorted(await reads.subtopicIds(id))])),
    states: await Promise.all(
      points.map(async (at) => ({
        at,
        recordedBefore: await reads.positionRecordedBefore(at.knownAt.getTime()),
        actors: await Promise.all(
          actorIds!.map(async (id) => {
            const activity = await actorActivityAt(reads, id, at);
            return {
              id,
              actor: await actorAt(reads, id, at),
              // The activity with its developments and meetings read: a function compares by identity only.
              activity: {
                ...activity,
                developments: await activity.developments(),
                meetings: await activity.meetings(),
              },
            };
          }),
        ),
        topics: await Promise.all(
          topicIds!.map(async (id) => ({
            id,
            topic: await topicAt(reads, id, at),
            activity: await topicActivityAt(reads, id, at),
            subtopics: await subtopicsAt(reads, id, at),
          })),
        ),
        meetings: await Promise.all(meetingIds!.map(async (id) => [id, await meetingAt(reads, id, at)])),
        developments: await Promise.all(
          developmentIds.map(async (id) => [id, await knownDevelopment(reads, id, at.knownAt)]),
        ),
        listings: {
          actors: await actorsAt(reads, {}, at),
          topics: await topicsAt(reads, {}, at),
          meetings: await meetingsAt(reads, {}, at),
          timeline: await timelineAt(reads, { includeRetracted: true }, at.knownAt),
        },
      })),
    ),
  };
};
