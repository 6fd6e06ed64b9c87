import type { DevelopmentState } from './development.js';

export interface RelationState {
  readonly otherId: string;
  readonly developmentCount: number;
  /** In millionths (`toneUnits`). */
  readonly toneSum: number;
  readonly toneCount: number;
  readonly lastTone?: number;
  readonly lastDevelopmentId: string;
}

/** The actors a development puts across from `actorId`: SOURCE against TARGET, either way. */
export const counterparts = (development: DevelopmentState, actorId: string): string[] => {
  // Plain loops: folds call this for every development of an actor's history.
  let isSource = false;
  let isTarget = false;
  for (const { actorId: id, role } of development.participants) {
    if (id !== actorId) continue;
    if (role === 'SOURCE') isSource = true;
    else if (role === 'TARGET') isTarget = true;
  }
  const across: string[] = [];
  if (!isSource && !isTarget) return across;
  for (const { actorId: otherId, role } of development.participants) {
    if (otherId === actorId || across.includes(otherId)) continue;
    if ((isSource && role === 'TARGET') || (isTarget && role === 'SOURCE')) across.push(otherId);
  }
  return across;
};

/**
 * A tone as a whole number of millionths. Tones are summed so, because a sum of floats depends on the order it was
 * added in, and a relation's sum is added to and taken from in any order (corrections, retractions, snapshots
 * brought up to date): in whole numbers every order gives the same sum, and every path the same mean.
 */
export const toneUnits = (tone: number): number => Math.round(tone * 1e6);

/** Mean tone of the developments that carry one, to the millionth; null when none does. */
export const meanTone = (relation: RelationState): number | null =>
  relation.toneCount === 0 ? null : Math.round(relation.toneSum / relation.toneCount) / 1e6 || 0;
