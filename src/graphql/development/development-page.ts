import type { DevelopmentState } from '../../domain/development.js';
import { compareKeys, paginate } from '../common/connection.js';
import { at, type ViewPoint } from '../common/time-point.js';

/** Positions as fixed-width strings, so that the cursor key compares as the numbers do. */
const padded = (value: bigint): string => value.toString().padStart(20, '0');

/**
 * A page of developments already sorted in world order (ASC) or its reverse (DESC). The cursor key is
 * (occurredAt, commit, prepare) of the first recording: world order itself.
 */
export const developmentPage = (
  developments: readonly DevelopmentState[],
  point: ViewPoint,
  order: 'ASC' | 'DESC',
  first: number | null | undefined,
  after: string | null | undefined,
) => {
  const direction = order === 'ASC' ? 1 : -1;
  return paginate(
    developments.map((development) => at(development, point)),
    {
      first,
      after,
      keyOf: (d) => [Date.parse(d.occurredAt), padded(d.recordPosition.commit), padded(d.recordPosition.prepare)],
      compare: compareKeys([direction, direction, direction]),
    },
  );
};
