import type { Stance } from '../../events/index.js';
import type { DevelopmentState } from './development.js';

export interface PositionState {
  readonly actorId: string;
  readonly topicId: string;
  readonly stance: Stance;
  readonly summary?: string;
  /** The occurredAt of the development that asserted it. */
  readonly since: string;
  readonly developmentId: string;
}

const positionKey = (actorId: string, topicId: string): string => `${actorId}\u0000${topicId}`;

/** The stances a development asserts, as positions. */
export const assertedPositions = (development: DevelopmentState): PositionState[] =>
  development.positions.map((stance) => assertedPosition(development, stance));

/** One stance of a development, as a position. */
const assertedPosition = (
  development: DevelopmentState,
  { actorId, topicId, stance, summary }: DevelopmentState['positions'][number],
): PositionState => ({
  actorId,
  topicId,
  stance,
  summary,
  since: development.occurredAt,
  developmentId: development.id,
});

/**
 * The positions that hold after developments fed in world order: the latest stance of an actor on a topic wins.
 * `keep` narrows the positions of interest (one actor's, one topic's). Pure: the map lives and dies inside.
 */
export const foldPositions = (
  developments: Iterable<DevelopmentState>,
  keep: (position: PositionState) => boolean = () => true,
): PositionState[] => {
  const latest = new Map<string, PositionState>();
  for (const development of developments) {
    for (const position of assertedPositions(development)) {
      if (keep(position)) latest.set(positionKey(position.actorId, position.topicId), position);
    }
  }
  return [...latest.values()];
};
