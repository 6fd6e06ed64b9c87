import type { TimePoint } from '../../domain/time-point.js';

/**
 * A time point as the question named it. An axis the question named (here or anywhere up the tree) is fixed; one it
 * left out is "now", which moves: the view a client's cache keeps depends on which (view-id.ts).
 */
export interface ViewPoint extends TimePoint {
  readonly asked: { readonly asOf: boolean; readonly knownAt: boolean };
}

/**
 * asOf and knownAt default to the request's now. Only the context's now is read: the context's loaders key on a
 * ViewPoint, and this module importing the context's type would close a circle.
 */
export const timePoint = (context: { readonly now: Date }, asOf?: Date | null, knownAt?: Date | null): ViewPoint => ({
  asOf: asOf ?? context.now,
  knownAt: knownAt ?? context.now,
  asked: { asOf: asOf !== undefined && asOf !== null, knownAt: knownAt !== undefined && knownAt !== null },
});

/** The live view at `now`: what a subscription's tick and a mutation's answer serve. */
export const livePoint = (now: Date): ViewPoint => ({
  asOf: now,
  knownAt: now,
  asked: { asOf: false, knownAt: false },
});

/** The same view with another valid time that no longer moves with now (a date the answer itself chose). */
export const fixedAsOf = (point: ViewPoint, asOf: Date): ViewPoint => ({
  ...point,
  asOf,
  asked: { ...point.asked, asOf: true },
});

/** Something served at a time point: nested fields inherit it. */
export interface AtTimePoint {
  readonly at: ViewPoint;
}

export const at = <T extends object>(value: T, point: ViewPoint): T & AtTimePoint => ({ ...value, at: point });
