import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { foldPositions, type PositionState } from '../domain/positions.js';
import type { TimePoint } from '../domain/time-point.js';
import { isOpenAt, topicStatusAt, type TopicState } from '../domain/topic.js';
import type { TopicStatus } from '../../events/index.js';
import type { ReadModelReader, StoredVersion } from '../read-store/read-model-store.js';
import { knownVersion } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { isOnTopic, visibleDevelopments } from './visible-developments.js';

/** `at` is the point the question gave, kept as given (as ActorAt's). */
export interface TopicAt<P extends TimePoint = TimePoint> extends TopicState {
  readonly at: P;
  readonly status: TopicStatus;
}

const openAt = <P extends TimePoint>(topic: TopicState | null, at: P): TopicAt<P> | null =>
  topic === null || !isOpenAt(topic, at.asOf) ? null : { ...topic, at, status: topicStatusAt(topic, at.asOf) };

/** Topics at one time point in one read: a busy actor's positions name hundreds. */
export const topicsByIdAt = async <P extends TimePoint>(
  reads: ReadModelReader,
  ids: readonly string[],
  at: P,
): Promise<Map<string, TopicAt<P>>> => {
  const knownAtMs = at.knownAt.getTime();
  const found = new Map<string, TopicAt<P>>();
  for (const [id, versions] of await reads.versions('topic', ids)) {
    const topic = openAt(knownVersion(versions as readonly StoredVersion<TopicState>[], knownAtMs)?.state ?? null, at);
    if (topic) found.set(id, topic);
  }
  return found;
};

/** A topic exists from its openedAt (valid time) once its opening is known; null otherwise. */
export const topicAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<TopicAt | null> =>
  (await topicsByIdAt(reads, [id], at)).get(id) ?? null;

export const subtopicsAt = async <P extends TimePoint>(
  reads: ReadModelReader,
  id: string,
  at: P,
): Promise<TopicAt<P>[]> => {
  const children = await topicsByIdAt(reads, await reads.subtopicIds(id), at);
  return [...children.values()].sort((a, b) => a.id.localeCompare(b.id));
};

export interface TopicActivity {
  readonly actorIds: readonly string[];
  readonly positions: readonly PositionState[];
  readonly meetings: readonly MeetingState[];
  /** The developments on the topic, newest first. */
  readonly developments: readonly DevelopmentState[];
  readonly firstDevelopmentAt: string | null;
  readonly lastDevelopmentAt: string | null;
}

export const topicActivityAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<TopicActivity> => {
  const named = await visibleDevelopments(reads, { kind: 'topic', id }, at);
  const actorIds = new Set<string>();
  const meetingIds = new Set<string>();
  const onTopic: DevelopmentState[] = [];
  for (const development of named) {
    if (development.meeting) meetingIds.add(development.meeting.id);
    if (!isOnTopic(development, id)) continue;
    for (const participant of development.participants) actorIds.add(participant.actorId);
    onTopic.push(development);
  }
  const meetings = await Promise.all([...meetingIds].map((meetingId) => meetingAt(reads, meetingId, at)));
  return {
    actorIds: [...actorIds],
    positions: foldPositions(named, (position) => position.topicId === id),
    meetings: meetings.filter((meeting): meeting is MeetingState => meeting !== null && meeting.topicIds.includes(id)),
    developments: [...onTopic].reverse(),
    firstDevelopmentAt: onTopic[0]?.occurredAt ?? null,
    lastDevelopmentAt: onTopic.at(-1)?.occurredAt ?? null,
  };
};
