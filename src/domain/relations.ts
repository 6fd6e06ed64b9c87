import type { DevelopmentState } from './development.js';

export interface RelationState {
  readonly otherId: string;
  readonly developmentCount: number;
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

/** Mean tone of the developments that carry one; null when none does. */
export const meanTone = (relation: RelationState): number | null =>
  relation.toneCount === 0 ? null : relation.toneSum / relation.toneCount;
