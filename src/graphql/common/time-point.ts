import type { TimePoint } from '../../domain/time-point.js';
import type { GraphQLContext } from '../context.js';

/** asOf and knownAt default to the request's now. */
export const timePoint = (context: GraphQLContext, asOf?: Date | null, knownAt?: Date | null): TimePoint => ({
  asOf: asOf ?? context.now,
  knownAt: knownAt ?? context.now,
});

/** Something served at a time point: nested fields inherit it. */
export interface AtTimePoint {
  readonly at: TimePoint;
}

export const at = <T extends object>(value: T, point: TimePoint): T & AtTimePoint => ({ ...value, at: point });
