/** A point on both time axes: asOf is valid time (world), knownAt is transaction time (log). */
export interface TimePoint {
  readonly asOf: Date;
  readonly knownAt: Date;
}

export const isKnownAt = (event: { readonly recordedAt: Date }, knownAt: Date): boolean =>
  event.recordedAt.getTime() <= knownAt.getTime();

export const instantMs = (iso: string): number => Date.parse(iso);
