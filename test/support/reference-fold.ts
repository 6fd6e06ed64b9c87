import type { DevelopmentContent } from '../../events/fields.js';
import type { RecordedEvent, TimelineEvent, VerificationStatus } from '../../events/index.js';
import { meanTone, toneUnits } from '../../src/domain/relations.js';
import type { EventStore } from '../../src/store/event-store.js';

/**
 * The reference semantics of docs/architecture.md ("Time: two axes"), written the slow and obvious way: every
 * question reads the whole log and folds it again. It shares no code with src/domain or src/time-travel on purpose,
 * so that the property test comparing the two finds the mistakes of either.
 *
 * - knownAt (transaction time): only events with recordedAt <= knownAt count, in log order.
 * - a development's version at knownAt: DevelopmentRecorded, then the corrections (patches: a value sets a field,
 *   null removes it), verifications and retraction known by then.
 * - asOf (valid time): the developments known, not retracted, with occurredAt <= asOf, in world order: occurredAt,
 *   then the log position of their DevelopmentRecorded.
 */

export interface ReferencePoint {
  readonly asOf: Date;
  readonly knownAt: Date;
}

/** Every event of the log, read page by page from the start. */
export const readWholeLog = async (store: EventStore, pageSize = 50): Promise<TimelineEvent[]> => {
  const log: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: log.at(-1)?.position ?? null, maxCount: pageSize });
    if (page.length === 0) return log as TimelineEvent[];
    log.push(...page);
  }
};

export interface ReferenceDevelopment {
  readonly id: string;
  content: DevelopmentContent;
  /** Where its DevelopmentRecorded sits in the log: the tie-break of world order. */
  readonly recordIndex: number;
  revision: number;
  status: VerificationStatus;
  retracted: boolean;
  readonly verifications: string[];
  readonly corrections: string[][];
}

const isKnown = (event: TimelineEvent, knownAt: Date): boolean => event.recordedAt.getTime() <= knownAt.getTime();

/** Each development as known at knownAt, keyed by id. */
const knownDevelopments = (log: readonly TimelineEvent[], knownAt: Date): Map<string, ReferenceDevelopment> => {
  const known = new Map<string, ReferenceDevelopment>();
  for (let index = 0; index < log.length; index++) {
    const event = log[index]!;
    if (!isKnown(event, knownAt)) continue;
    if (event.type === 'DevelopmentRecorded') {
      const { id, ...content } = event.data;
      known.set(id, {
        id,
        content: structuredClone(content),
        recordIndex: index,
        revision: 0,
        status: 'REPORTED',
        retracted: false,
        verifications: [],
        corrections: [],
      });
      continue;
    }
    if (event.type === 'DevelopmentCorrected') {
      const development = known.get(event.data.id)!;
      const content = development.content as unknown as Record<string, unknown>;
      for (const [field, value] of Object.entries(event.data.patch)) {
        if (value === undefined) continue;
        if (value === null) delete content[field];
        else content[field] = structuredClone(value);
      }
      development.revision += 1;
      development.corrections.push([...event.data.changedFields]);
      continue;
    }
    if (event.type === 'DevelopmentVerified') {
      const development = known.get(event.data.id)!;
      development.revision += 1;
      development.verifications.push(event.data.status);
      if (!development.retracted) development.status = event.data.status;
      continue;
    }
    if (event.type === 'DevelopmentRetracted') {
      const development = known.get(event.data.id)!;
      development.revision += 1;
      development.retracted = true;
      development.status = 'RETRACTED';
    }
  }
  return known;
};

const worldOrder = (a: ReferenceDevelopment, b: ReferenceDevelopment): number =>
  Date.parse(a.content.occurredAt) - Date.parse(b.content.occurredAt) || a.recordIndex - b.recordIndex;

/** The developments that count at the point, oldest first in world order. */
const visibleAt = (log: readonly TimelineEvent[], point: ReferencePoint): ReferenceDevelopment[] =>
  [...knownDevelopments(log, point.knownAt).values()]
    .filter((d) => !d.retracted && Date.parse(d.content.occurredAt) <= point.asOf.getTime())
    .sort(worldOrder);

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

interface ReferencePosition {
  readonly actorId: string;
  readonly topicId: string;
  readonly stance: string;
  readonly summary: string | null;
  readonly since: string;
  readonly developmentId: string;
}

/** The latest stance per (actor, topic) among the visible developments, for the pairs `keep` selects. */
const latestPositions = (
  visible: readonly ReferenceDevelopment[],
  keep: (actorId: string, topicId: string) => boolean,
): ReferencePosition[] => {
  const latest = new Map<string, ReferencePosition>();
  for (const development of visible) {
    for (const position of development.content.positions) {
      if (!keep(position.actorId, position.topicId)) continue;
      latest.set(`${position.actorId} ${position.topicId}`, {
        actorId: position.actorId,
        topicId: position.topicId,
        stance: position.stance,
        summary: position.summary ?? null,
        since: development.content.occurredAt,
        developmentId: development.id,
      });
    }
  }
  return [...latest.values()].sort((a, b) => `${a.actorId} ${a.topicId}`.localeCompare(`${b.actorId} ${b.topicId}`));
};

export interface ReferenceMeeting {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly location: string | null;
  readonly scheduledFor: string | null;
  readonly participantIds: string[];
  readonly topicIds: string[];
  /** Oldest first, in world order. */
  readonly developmentIds: string[];
}

const foldMeeting = (visible: readonly ReferenceDevelopment[], id: string): ReferenceMeeting | null => {
  let meeting: ReferenceMeeting | null = null;
  for (const development of visible) {
    const step = development.content.meeting;
    if (step?.id !== id) continue;
    const previous = meeting as ReferenceMeeting | null;
    // Each step sets what it gives; the first one falls back on its development (participants other than
    // MENTIONED, topics, title), and what a later one leaves out stays as it was.
    const participantIds: string[] =
      step.participantIds ??
      previous?.participantIds ??
      development.content.participants.filter((p) => p.role !== 'MENTIONED').map((p) => p.actorId);
    const topicIds: string[] = step.topicIds ?? previous?.topicIds ?? development.content.topicIds;
    meeting = {
      id,
      title: step.title ?? previous?.title ?? development.content.title,
      status: step.status,
      location: step.location ?? previous?.location ?? null,
      scheduledFor: step.scheduledFor ?? previous?.scheduledFor ?? null,
      participantIds: sorted(participantIds),
      topicIds: sorted(topicIds),
      developmentIds: [...(previous?.developmentIds ?? []), development.id],
    };
  }
  return meeting;
};

/** Every meeting named by a visible development, as it stands at the point. */
const meetingsOf = (visible: readonly ReferenceDevelopment[]): ReferenceMeeting[] =>
  sorted(visible.flatMap((d) => (d.content.meeting ? [d.content.meeting.id] : []))).map((id) =>
    foldMeeting(visible, id)!,
  );

export const referenceMeeting = (
  log: readonly TimelineEvent[],
  id: string,
  point: ReferencePoint,
): ReferenceMeeting | null => foldMeeting(visibleAt(log, point), id);

/** Meetings that exist at the point, soonest scheduledFor first, unscheduled last, then by id. */
export const referenceMeetingList = (log: readonly TimelineEvent[], point: ReferencePoint): string[] =>
  meetingsOf(visibleAt(log, point))
    .sort(
      (a, b) =>
        (a.scheduledFor === null ? Infinity : Date.parse(a.scheduledFor)) -
          (b.scheduledFor === null ? Infinity : Date.parse(b.scheduledFor)) || a.id.localeCompare(b.id),
    )
    .map((meeting) => meeting.id);

interface ReferenceRelation {
  readonly otherId: string;
  readonly developmentCount: number;
  readonly tone: number | null;
  readonly lastTone: number | null;
  readonly lastDevelopmentId: string;
}

export interface ReferenceActor {
  readonly registered: boolean;
  readonly positions: ReferencePosition[];
  /** Developments it takes part in (as a participant), newest first. */
  readonly developmentIds: string[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
  readonly relations: ReferenceRelation[];
  readonly meetingIds: string[];
}

export const referenceActor = (log: readonly TimelineEvent[], id: string, point: ReferencePoint): ReferenceActor => {
  const registered = log.some(
    (event) => event.type === 'ActorRegistered' && event.data.id === id && isKnown(event, point.knownAt),
  );
  const visible = visibleAt(log, point);
  const takingPart = visible.filter((d) => d.content.participants.some((p) => p.actorId === id));

  const dealings = new Map<string, { count: number; tones: number[]; lastDevelopmentId: string }>();
  for (const development of takingPart) {
    const participants = development.content.participants;
    const mine = participants.filter((p) => p.actorId === id).map((p) => p.role);
    const others = new Set<string>();
    for (const other of participants) {
      if (other.actorId === id) continue;
      const across =
        (mine.includes('SOURCE') && other.role === 'TARGET') || (mine.includes('TARGET') && other.role === 'SOURCE');
      if (across) others.add(other.actorId);
    }
    for (const otherId of others) {
      const dealing = dealings.get(otherId) ?? { count: 0, tones: [], lastDevelopmentId: development.id };
      dealing.count += 1;
      if (development.content.tone !== undefined) dealing.tones.push(development.content.tone);
      dealing.lastDevelopmentId = development.id;
      dealings.set(otherId, dealing);
    }
  }
  const relations = [...dealings.entries()]
    .map(([otherId, dealing]) => ({
      otherId,
      developmentCount: dealing.count,
      tone:
        dealing.tones.length === 0
          ? null
          : meanTone({
              otherId,
              developmentCount: dealing.count,
              toneSum: dealing.tones.reduce((sum, t) => sum + toneUnits(t), 0),
              toneCount: dealing.tones.length,
              lastDevelopmentId: dealing.lastDevelopmentId,
            }),
      lastTone: dealing.tones.at(-1) ?? null,
      lastDevelopmentId: dealing.lastDevelopmentId,
    }))
    .sort((a, b) => a.otherId.localeCompare(b.otherId));

  return {
    registered,
    positions: latestPositions(visible, (actorId) => actorId === id),
    developmentIds: takingPart.map((d) => d.id).reverse(),
    developmentCount: takingPart.length,
    lastActiveAt: takingPart.at(-1)?.content.occurredAt ?? null,
    relations,
    meetingIds: meetingsOf(visible)
      .filter((meeting) => meeting.participantIds.includes(id))
      .map((meeting) => meeting.id),
  };
};

export interface ReferenceTopicActivity {
  readonly positions: ReferencePosition[];
  readonly actorIds: string[];
  /** Developments on the topic (topicIds), newest first. */
  readonly developmentIds: string[];
  readonly developmentCount: number;
  readonly firstDevelopmentAt: string | null;
  readonly lastDevelopmentAt: string | null;
  readonly meetingIds: string[];
}

export const referenceTopicActivity = (
  log: readonly TimelineEvent[],
  id: string,
  point: ReferencePoint,
): ReferenceTopicActivity => {
  const visible = visibleAt(log, point);
  const onTopic = visible.filter((d) => d.content.topicIds.includes(id));
  return {
    positions: latestPositions(visible, (_actorId, topicId) => topicId === id),
    actorIds: sorted(onTopic.flatMap((d) => d.content.participants.map((p) => p.actorId))),
    developmentIds: onTopic.map((d) => d.id).reverse(),
    developmentCount: onTopic.length,
    firstDevelopmentAt: onTopic[0]?.content.occurredAt ?? null,
    lastDevelopmentAt: onTopic.at(-1)?.content.occurredAt ?? null,
    meetingIds: meetingsOf(visible)
      .filter((meeting) => meeting.topicIds.includes(id))
      .map((meeting) => meeting.id),
  };
};

/** The timeline as known at knownAt, in world order: every known development, retracted ones only when asked. */
export const referenceTimeline = (
  log: readonly TimelineEvent[],
  knownAt: Date,
  options: { readonly includeRetracted?: boolean; readonly to?: Date } = {},
): string[] =>
  [...knownDevelopments(log, knownAt).values()]
    .filter((d) => options.includeRetracted || !d.retracted)
    .filter((d) => options.to === undefined || Date.parse(d.content.occurredAt) <= options.to.getTime())
    .sort(worldOrder)
    .map((d) => d.id);

export interface ReferenceDevelopmentVersion {
  readonly occurredAt: string;
  readonly revision: number;
  readonly status: VerificationStatus;
  readonly retracted: boolean;
  readonly verifications: string[];
  readonly corrections: string[][];
  readonly tone: number | null;
  readonly meetingId: string | null;
}

/** A development as known at knownAt, or null before it was recorded. */
export const referenceDevelopment = (
  log: readonly TimelineEvent[],
  id: string,
  knownAt: Date,
): ReferenceDevelopmentVersion | null => {
  const development = knownDevelopments(log, knownAt).get(id);
  if (development === undefined) return null;
  return {
    occurredAt: development.content.occurredAt,
    revision: development.revision,
    status: development.status,
    retracted: development.retracted,
    verifications: [...development.verifications],
    corrections: development.corrections.map((fields) => [...fields]),
    tone: development.content.tone ?? null,
    meetingId: development.content.meeting?.id ?? null,
  };
};
