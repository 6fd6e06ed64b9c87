import { encodePosition } from '../../store/position-cursor.js';
import type { TimelineChangeItem } from '../../live/timeline-changes.js';

/**
 * The ticks two subscribers share: a change of the timeline feed (its log position), or the event behind an
 * entity's tick. Anything else (the marker that ends a slow subscriber) is nobody else's.
 */
export const tickKeyOf = (payload: unknown): string | null => {
  if (typeof payload !== 'object' || payload === null || !('position' in payload)) return null;
  const { position, phase } = payload as Pick<TimelineChangeItem, 'position'> & Partial<TimelineChangeItem>;
  // The same change reaches one subscriber in its replay and another live: the phase is part of the answer.
  return phase === undefined ? encodePosition(position) : `${encodePosition(position)}:${phase}`;
};
