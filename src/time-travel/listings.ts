import type { ActorKind, MeetingStatus, TopicStatus } from '../../events/index.js';
import type { MeetingState } from '../domain/meeting.js';
import type { TimePoint } from '../domain/time-point.js';
import { actorAt, type ActorAt } from './actor-at.js';
import type { EntityHistory } from './entity-history.js';
import { meetingAt } from './meeting-at.js';
import { topicAt, type TopicAt } from './topic-at.js';

export interface ActorFilter {
  readonly kinds?: readonly ActorKind[] | null;
  readonly country?: string | null;
  readonly text?: string | null;
}

const includesText = (values: readonly string[], text: string): boolean => {
  const needle = text.toLocaleLowerCase();
  return values.some((value) => value.toLocaleLowerCase().includes(needle));
};

const present = <T>(value: T | null): value is T => value !== null;

/** Actors registered as of knownAt that match the filter, by name then id. */
export const actorsAt = (history: EntityHistory, filter: ActorFilter, at: TimePoint): ActorAt[] =>
  [...history.actorIds()]
    .map((id) => actorAt(history, id, at))
    .filter(present)
    .filter(
      (actor) =>
        (!filter.kinds?.length || filter.kinds.includes(actor.kind)) &&
        (!filter.country || actor.country === filter.country.toUpperCase()) &&
        (!filter.text || includesText([actor.name, ...actor.aliases], filter.text)),
    )
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

export interface TopicFilter {
  readonly statuses?: readonly TopicStatus[] | null;
  readonly parentId?: string | null;
  readonly text?: string | null;
}

/** Topics open at asOf as known at knownAt that match the filter, by openedAt then id. */
export const topicsAt = (history: EntityHistory, filter: TopicFilter, at: TimePoint): TopicAt[] =>
  [...history.topicIds()]
    .map((id) => topicAt(history, id, at))
    .filter(present)
    .filter(
      (topic) =>
        (!filter.statuses?.length || filter.statuses.includes(topic.status)) &&
        (!filter.parentId || topic.parentId === filter.parentId) &&
        (!filter.text || includesText([topic.title, topic.description ?? ''], filter.text)),
    )
    .sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt) || a.id.localeCompare(b.id));

export interface MeetingFilter {
  readonly statuses?: readonly MeetingStatus[] | null;
  /** Meetings with all of these participants. */
  readonly actorIds?: readonly string[] | null;
  /** Meetings on any of these topics. */
  readonly topicIds?: readonly string[] | null;
}

const scheduledMs = (meeting: MeetingState): number =>
  meeting.scheduledFor === undefined ? Number.POSITIVE_INFINITY : Date.parse(meeting.scheduledFor);

/** Meetings that exist at the time point, soonest scheduledFor first, unscheduled last, then by id. */
export const meetingsAt = (history: EntityHistory, filter: MeetingFilter, at: TimePoint): MeetingState[] =>
  [...history.meetingIds()]
    .map((id) => meetingAt(history, id, at))
    .filter(present)
    .filter(
      (meeting) =>
        (!filter.statuses?.length || filter.statuses.includes(meeting.status)) &&
        (!filter.actorIds?.length || filter.actorIds.every((id) => meeting.participantIds.includes(id))) &&
        (!filter.topicIds?.length || filter.topicIds.some((id) => meeting.topicIds.includes(id))),
    )
    .sort((a, b) => scheduledMs(a) - scheduledMs(b) || a.id.localeCompare(b.id));
