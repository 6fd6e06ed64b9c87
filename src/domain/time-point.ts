import { comparePositions, type LogPosition } from '../../events/envelope.js';

/** A point on both time axes: asOf is valid time (world), knownAt is transaction time (log). */
export interface TimePoint {
  readonly asOf: Date;
  readonly knownAt: Date;
}

export const isKnownAt = (event: { readonly recordedAt: Date }, knownAt: Date): boolean =>
  event.recordedAt.getTime() <= knownAt.getTime();

export const instantMs = (iso: string): number => Date.parse(iso);

export const occurredBy = (item: { readonly occurredAt: string }, asOf: Date): boolean =>
  instantMs(item.occurredAt) <= asOf.getTime();

/** World order: by occurredAt, then by the log position at which the development was first recorded. */
export const compareWorldOrder = (
  a: { readonly occurredAt: string; readonly recordPosition: LogPosition },
  b: { readonly occurredAt: string; readonly recordPosition: LogPosition },
): number => instantMs(a.occurredAt) - instantMs(b.occurredAt) || comparePositions(a.recordPosition, b.recordPosition);
