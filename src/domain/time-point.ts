/** A point on both time axes: asOf is valid time (world), knownAt is transaction time (log). */
export interface TimePoint {
  readonly asOf: Date;
  readonly knownAt: Date;
}

export const instantMs = (iso: string): number => Date.parse(iso);
