import type { DevelopmentState } from '../domain/development.js';
import type { MeetingState } from '../domain/meeting.js';
import { foldPositions, type PositionState } from '../domain/positions.js';
import type { TimePoint } from '../domain/time-point.js';
import { isOpenAt, topicStatusAt, type TopicState } from '../domain/topic.js';
import type { TopicStatus } from '../../events/index.js';
import type { EntityHistory } from './entity-history.js';
import { knownTopic } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { isOnTopic, visibleDevelopments } from './visible-developments.js';

export interface TopicAt extends TopicState {
  readonly at: TimePoint;
  readonly status: TopicStatus;
}

/** A topic exists from its openedAt (valid time) once its opening is known; null otherwise. */
export const topicAt = (history: EntityHistory, id: string, at: TimePoint): TopicAt | null => {
  const topic = knownTopic(history, id, at.knownAt);
  if (topic === null || !isOpenAt(topic, at.asOf)) return null;
  return { ...topic, at, status: topicStatusAt(topic, at.asOf) };
};

export const subtopicsAt = (history: EntityHistory, id: string, at: TimePoint): TopicAt[] =>
  [...history.subtopicIds(id)]
    .map((childId) => topicAt(history, childId, at))
    .filter((child): child is TopicAt => child !== null)
    .sort((a, b) => a.id.localeCompare(b.id));

export interface TopicActivity {
  readonly actorIds: readonly string[];
  readonly positions: readonly PositionState[];
  readonly meetings: readonly MeetingState[];
  /** The developments on the topic, newest first. */
  readonly developments: readonly DevelopmentState[];
  readonly firstDevelopmentAt: string | null;
  readonly lastDevelopmentAt: string | null;
}

export const topicActivityAt = (history: EntityHistory, id: string, at: TimePoint): TopicActivity => {
  const named = visibleDevelopments(history, history.developmentsNamingTopic(id), at);
  const actorIds = new Set<string>();
  const meetingIds = new Set<string>();
  const onTopic: DevelopmentState[] = [];
  for (const development of named) {
    if (development.meeting) meetingIds.add(development.meeting.id);
    if (!isOnTopic(development, id)) continue;
    for (const participant of development.participants) actorIds.add(participant.actorId);
    onTopic.push(development);
  }
  const meetings = [...meetingIds]
    .map((meetingId) => meetingAt(history, meetingId, at))
    .filter((meeting): meeting is MeetingState => meeting !== null && meeting.topicIds.includes(id));
  return {
    actorIds: [...actorIds],
    positions: foldPositions(named, (position) => position.topicId === id),
    meetings,
    developments: [...onTopic].reverse(),
    firstDevelopmentAt: onTopic[0]?.occurredAt ?? null,
    lastDevelopmentAt: onTopic.at(-1)?.occurredAt ?? null,
  };
};
