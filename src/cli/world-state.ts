import type { ActorKind, MeetingStatus, Stance, TopicStatus } from '../../events/index.js';
import { rolesAt } from '../domain/actor.js';
import type { PositionState } from '../domain/positions.js';
import { meanTone } from '../domain/relations.js';
import type { TimePoint } from '../domain/time-point.js';
import { actorActivityAt } from '../time-travel/actor-at.js';
import type { ReadModelReader } from '../read-store/read-model-store.js';
import { actorsAt, meetingsAt, topicsAt } from '../time-travel/listings.js';
import { subtopicsAt, topicActivityAt } from '../time-travel/topic-at.js';
import { formatPosition } from './fold-log.js';

/**
 * The whole world state at a time point, as `timeline replay` writes it. Every list is sorted by a code-unit
 * comparison of ids (not by locale), and absent optional fields are null rather than missing, so that two runs, on
 * two machines, diff line by line.
 */
export interface WorldState {
  readonly asOf: string;
  readonly knownAt: string;
  /** The log position the read model was rebuilt up to; null for an empty log. */
  readonly checkpoint: string | null;
  readonly actors: readonly ActorSnapshot[];
  readonly topics: readonly TopicSnapshot[];
  readonly meetings: readonly MeetingSnapshot[];
}

interface RoleSnapshot {
  readonly title: string;
  readonly organizationId: string | null;
  readonly since: string;
  readonly until: string | null;
}

interface PositionSnapshot {
  readonly actorId: string;
  readonly topicId: string;
  readonly stance: Stance;
  readonly summary: string | null;
  readonly since: string;
  readonly developmentId: string;
}

interface RelationSnapshot {
  readonly otherId: string;
  readonly developmentCount: number;
  /** Mean tone of the developments that carry one; null when none does. */
  readonly meanTone: number | null;
  readonly lastTone: number | null;
  readonly lastDevelopmentId: string;
}

interface ActorSnapshot {
  readonly id: string;
  readonly name: string;
  readonly kind: ActorKind;
  readonly aliases: readonly string[];
  readonly cameoCode: string | null;
  readonly country: string | null;
  /** Roles held at asOf. */
  readonly roles: readonly RoleSnapshot[];
  readonly positions: readonly PositionSnapshot[];
  readonly relations: readonly RelationSnapshot[];
  /** Ids of the meetings it takes part in. */
  readonly meetings: readonly string[];
  readonly developmentCount: number;
  readonly lastActiveAt: string | null;
}

interface TopicSnapshot {
  readonly id: string;
  readonly title: string;
  readonly status: TopicStatus;
  readonly parentId: string | null;
  readonly openedAt: string;
  /** Ids of the subtopics open at asOf. */
  readonly subtopics: readonly string[];
  readonly positions: readonly PositionSnapshot[];
  /** Ids of the actors taking part in developments on the topic (those that exist at the time point). */
  readonly actors: readonly string[];
  readonly developmentCount: number;
  readonly firstDevelopmentAt: string | null;
  readonly lastDevelopmentAt: string | null;
}

interface MeetingSnapshot {
  readonly id: string;
  readonly title: string;
  readonly status: MeetingStatus;
  readonly location: string | null;
  readonly scheduledFor: string | null;
  readonly participantIds: readonly string[];
  readonly topicIds: readonly string[];
  /** The developments that named the meeting, oldest first. */
  readonly developmentIds: readonly string[];
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byKey =
  <T>(...keys: ((item: T) => string)[]) =>
  (a: T, b: T): number => {
    for (const key of keys) {
      const order = compareIds(key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  };

const position = ({ actorId, topicId, stance, summary, since, developmentId }: PositionState): PositionSnapshot => ({
  actorId,
  topicId,
  stance,
  summary: summary ?? null,
  since,
  developmentId,
});

const positions = (states: readonly PositionState[]): PositionSnapshot[] =>
  states.map(position).sort(
    byKey(
      (p) => p.topicId,
      (p) => p.actorId,
    ),
  );

/** Each in turn, not all at once: a world of many actors would otherwise hold every fold in the heap together. */
const eachInTurn = async <T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> => {
  const done: R[] = [];
  for (const item of items) done.push(await work(item));
  return done;
};

export const worldStateAt = async (reads: ReadModelReader, at: TimePoint): Promise<WorldState> => {
  const actors: ActorSnapshot[] = await eachInTurn(
    (await actorsAt(reads, {}, at)).sort(byKey((actor) => actor.id)),
    async (actor) => {
      const activity = await actorActivityAt(reads, actor.id, at);
      return {
        id: actor.id,
        name: actor.name,
        kind: actor.kind,
        aliases: actor.aliases,
        cameoCode: actor.cameoCode ?? null,
        country: actor.country ?? null,
        roles: rolesAt(actor, at.asOf).map(({ title, organizationId, since, until }) => ({
          title,
          organizationId: organizationId ?? null,
          since,
          until: until ?? null,
        })),
        positions: positions(activity.positions),
        relations: activity.relations
          .map((relation) => ({
            otherId: relation.otherId,
            developmentCount: relation.developmentCount,
            meanTone: meanTone(relation),
            lastTone: relation.lastTone ?? null,
            lastDevelopmentId: relation.lastDevelopmentId,
          }))
          .sort(byKey((relation) => relation.otherId)),
        meetings: (await activity.meetings()).map((meeting) => meeting.id).sort(compareIds),
        developmentCount: (await activity.developments()).length,
        lastActiveAt: activity.lastActiveAt,
      };
    },
  );
  const actorIds = new Set(actors.map((actor) => actor.id));

  const topics: TopicSnapshot[] = await eachInTurn(
    (await topicsAt(reads, {}, at)).sort(byKey((topic) => topic.id)),
    async (topic) => {
      const activity = await topicActivityAt(reads, topic.id, at);
      return {
        id: topic.id,
        title: topic.title,
        status: topic.status,
        parentId: topic.parentId ?? null,
        openedAt: topic.openedAt,
        subtopics: (await subtopicsAt(reads, topic.id, at)).map((child) => child.id).sort(compareIds),
        positions: positions(activity.positions),
        actors: activity.actorIds.filter((id) => actorIds.has(id)).sort(compareIds),
        developmentCount: activity.developments.length,
        firstDevelopmentAt: activity.firstDevelopmentAt,
        lastDevelopmentAt: activity.lastDevelopmentAt,
      };
    },
  );

  const meetings: MeetingSnapshot[] = (await meetingsAt(reads, {}, at))
    .sort(byKey((meeting) => meeting.id))
    .map((meeting) => ({
      id: meeting.id,
      title: meeting.title,
      status: meeting.status,
      location: meeting.location ?? null,
      scheduledFor: meeting.scheduledFor ?? null,
      participantIds: meeting.participantIds,
      topicIds: meeting.topicIds,
      developmentIds: meeting.developmentIds,
    }));

  return {
    asOf: at.asOf.toISOString(),
    knownAt: at.knownAt.toISOString(),
    checkpoint: formatPosition((await reads.checkpoint())?.position ?? null),
    actors,
    topics,
    meetings,
  };
};
