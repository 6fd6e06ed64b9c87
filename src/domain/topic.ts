import { comparePositions, type LogPosition } from '../../events/envelope.js';
import type { TopicEvent, TopicStatus } from '../../events/index.js';

interface StatusChangeRecord {
  readonly status: TopicStatus;
  readonly at: string;
  readonly reason?: string;
  readonly position: LogPosition;
}

export interface TopicState {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly parentId?: string;
  readonly openedAt: string;
  readonly statusChanges: readonly StatusChangeRecord[];
}

/** The pure reducer of a topic stream, in revision order. */
export const evolveTopic = (state: TopicState | null, event: TopicEvent): TopicState => {
  if (event.type === 'TopicOpened') return { ...event.data, statusChanges: [] };
  if (state === null) throw new Error(`${event.type} at ${event.streamId} precedes TopicOpened`);
  const { status, at, reason } = event.data;
  return { ...state, statusChanges: [...state.statusChanges, { status, at, reason, position: event.position }] };
};

export const isOpenAt = (topic: TopicState, asOf: Date): boolean => Date.parse(topic.openedAt) <= asOf.getTime();

/** EMERGING until the first status change; then the latest change at or before asOf, in world order. */
export const topicStatusAt = (topic: TopicState, asOf: Date): TopicStatus => {
  const effective = topic.statusChanges
    .filter((change) => Date.parse(change.at) <= asOf.getTime())
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || comparePositions(a.position, b.position));
  return effective.at(-1)?.status ?? 'EMERGING';
};
