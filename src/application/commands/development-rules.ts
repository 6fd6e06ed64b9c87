import type { DevelopmentContent } from '../../../events/fields.js';
import { streamId, type TopicEvent } from '../../../events/index.js';
import type { DevelopmentState } from '../../domain/development.js';
import type { OtherStreams } from '../decider.js';
import { badInput, conflict, notFound, type FieldPath } from '../errors.js';
import { actorRef, lookedAt, topicRef, type Reference } from '../references.js';

/** Every actor and topic a development names, with the path that names it. */
export const developmentReferences = (content: Partial<DevelopmentContent>, root: FieldPath): Reference[] => [
  ...(content.participants ?? []).flatMap((p, i) => actorRef(p.actorId, ...root, 'participants', i, 'actorId')),
  ...(content.topicIds ?? []).flatMap((id, i) => topicRef(id, ...root, 'topicIds', i)),
  ...(content.quotes ?? []).flatMap((q, i) => actorRef(q.speakerId, ...root, 'quotes', i, 'speakerId')),
  ...(content.positions ?? []).flatMap((p, i) => [
    ...actorRef(p.actorId, ...root, 'positions', i, 'actorId'),
    ...topicRef(p.topicId, ...root, 'positions', i, 'topicId'),
  ]),
  ...(content.meeting?.participantIds ?? []).flatMap((id, i) => actorRef(id, ...root, 'meeting', 'participantIds', i)),
  ...(content.meeting?.topicIds ?? []).flatMap((id, i) => topicRef(id, ...root, 'meeting', 'topicIds', i)),
];

/** Rules a schema cannot say: no actor twice in the same role, no two stances of one actor on one topic. */
export const checkDevelopmentRules = (content: Partial<DevelopmentContent>, root: FieldPath): void => {
  const participants = new Set<string>();
  content.participants?.forEach((p, i) => {
    const key = `${p.actorId}\u0000${p.role}`;
    if (participants.has(key)) {
      throw badInput(`${p.actorId} is listed twice as ${p.role}`, [...root, 'participants', i]);
    }
    participants.add(key);
  });
  const stances = new Set<string>();
  content.positions?.forEach((p, i) => {
    const key = `${p.actorId}\u0000${p.topicId}`;
    if (stances.has(key)) {
      throw badInput(`two stances of ${p.actorId} on ${p.topicId}`, [...root, 'positions', i]);
    }
    stances.add(key);
  });
};

/** A command that changes a development needs it to exist, be unretracted and be at the expected revision. */
export const requireChangeable = (
  state: DevelopmentState | null,
  id: string,
  expectedRevision: number | undefined,
): DevelopmentState => {
  if (state === null) throw notFound(`development "${id}" does not exist`, ['input', 'id']);
  if (state.retracted) throw conflict(`development "${id}" is retracted`, ['input', 'id']);
  if (expectedRevision !== undefined && expectedRevision !== state.revision) {
    throw conflict(
      `development "${id}" is at revision ${state.revision}, not ${expectedRevision}`,
      ['input', 'expectedRevision'],
      { expectedRevision, actualRevision: state.revision },
    );
  }
  return state;
};

/** The topics a development puts itself on, with the path (relative to its content) that names each. */
const topicMentions = (content: Partial<DevelopmentContent>): { id: string; path: FieldPath }[] => [
  ...(content.topicIds ?? []).map((id, i) => ({ id, path: ['topicIds', i] })),
  ...(content.positions ?? []).map((p, i) => ({ id: p.topicId, path: ['positions', i, 'topicId'] })),
  ...(content.meeting?.topicIds ?? []).map((id, i) => ({ id, path: ['meeting', 'topicIds', i] })),
];

/** The topic streams a development puts itself on: what findTopicOpenedAfter looks at. */
export const mentionedTopicStreams = (content: Partial<DevelopmentContent>): string[] =>
  topicMentions(content).map((mention) => streamId('topic', mention.id));

/**
 * A development cannot be on a topic that opens after it occurred: the topic would not exist in the very state the
 * development shapes. Returns the first offending mention, with the path relative to the content.
 */
export const findTopicOpenedAfter = (
  content: Partial<DevelopmentContent> & { occurredAt: string },
  others: OtherStreams,
): { path: FieldPath; message: string } | null => {
  const occurred = Date.parse(content.occurredAt);
  for (const mention of topicMentions(content)) {
    const opened = lookedAt(others, streamId('topic', mention.id)) as TopicEvent | null;
    if (opened?.type === 'TopicOpened' && Date.parse(opened.data.openedAt) > occurred) {
      return {
        path: mention.path,
        message: `topic "${mention.id}" opens at ${opened.data.openedAt}, after the development occurred (${content.occurredAt})`,
      };
    }
  }
  return null;
};
