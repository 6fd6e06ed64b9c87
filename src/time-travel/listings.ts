import type { ActorKind, MeetingStatus, TopicStatus } from '../../events/index.js';
import type { ActorState } from '../domain/actor.js';
import type { MeetingState } from '../domain/meeting.js';
import type { TimePoint } from '../domain/time-point.js';
import type { TopicState } from '../domain/topic.js';
import type { ReadModelReader, StoredVersion } from '../read-store/read-model-store.js';
import { actorNode, type ActorAt } from './actor-at.js';
import { knownVersion } from './known-state.js';
import { meetingAt } from './meeting-at.js';
import { isOpenAt, topicStatusAt } from '../domain/topic.js';
import type { TopicAt } from './topic-at.js';

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

/** Every entity of a kind as known at knownAt: one read of all their versions. */
const knownAll = async <S>(reads: ReadModelReader, kind: 'actor' | 'topic', knownAt: Date): Promise<S[]> => {
  const versions = await reads.versions(kind, await reads.ids(kind));
  const known: S[] = [];
  for (const list of versions.values()) {
    const version = knownVersion(list as StoredVersion<S>[], knownAt.getTime());
    if (version) known.push(version.state);
  }
  return known;
};

/** Actors registered as of knownAt that match the filter, by name then id. */
export const actorsAt = async <P extends TimePoint>(
  reads: ReadModelReader,
  filter: ActorFilter,
  at: P,
): Promise<ActorAt<P>[]> =>
  (await knownAll<ActorState>(reads, 'actor', at.knownAt))
    .filter(
      (actor) =>
        (!filter.kinds?.length || filter.kinds.includes(actor.kind)) &&
        (!filter.country || actor.country === filter.country.toUpperCase()) &&
        (!filter.text || includesText([actor.name, ...actor.aliases], filter.text)),
    )
    .map((actor) => actorNode(actor, at))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

export interface TopicFilter {
  readonly statuses?: readonly TopicStatus[] | null;
  readonly parentId?: string | null;
  readonly text?: string | null;
}

/** Topics open at asOf as known at knownAt that match the filter, by openedAt then id. */
export const topicsAt = async <P extends TimePoint>(
  reads: ReadModelReader,
  filter: TopicFilter,
  at: P,
): Promise<TopicAt<P>[]> =>
  (await knownAll<TopicState>(reads, 'topic', at.knownAt))
    .filter((topic) => isOpenAt(topic, at.asOf))
    .map((topic): TopicAt<P> => ({ ...topic, at, status: topicStatusAt(topic, at.asOf) }))
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
export const meetingsAt = async (
  reads: ReadModelReader,
  filter: MeetingFilter,
  at: TimePoint,
): Promise<MeetingState[]> =>
  (await Promise.all((await reads.ids('meeting')).map((id) => meetingAt(reads, id, at))))
    .filter(present)
    .filter(
      (meeting) =>
        (!filter.statuses?.length || filter.statuses.includes(meeting.status)) &&
        (!filter.actorIds?.length || filter.actorIds.every((id) => meeting.participantIds.includes(id))) &&
        (!filter.topicIds?.length || filter.topicIds.some((id) => meeting.topicIds.includes(id))),
    )
    .sort((a, b) => scheduledMs(a) - scheduledMs(b) || a.id.localeCompare(b.id));
