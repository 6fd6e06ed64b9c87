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

/** The pure reducer of one relation: the dealings with `otherId`, after one more development between the two. */
export const evolveRelation = (
  previous: RelationState | undefined,
  development: DevelopmentState,
  otherId: string,
): RelationState => mergeRelation(previous, development, otherId, { isLatest: true });

/**
 * One more development between the two, in any order: `isLatest` says whether it comes after every development the
 * relation holds in world order, and so decides the last development; its tone is the last tone if `isLatestTone`
 * (by default: when it is the latest and carries one).
 */
export const mergeRelation = (
  previous: RelationState | undefined,
  development: DevelopmentState,
  otherId: string,
  { isLatest, isLatestTone = isLatest }: { isLatest: boolean; isLatestTone?: boolean },
): RelationState => {
  const tone = development.tone;
  return {
    otherId,
    developmentCount: (previous?.developmentCount ?? 0) + 1,
    toneSum: (previous?.toneSum ?? 0) + (tone ?? 0),
    toneCount: (previous?.toneCount ?? 0) + (tone === undefined ? 0 : 1),
    lastTone: tone !== undefined && isLatestTone ? tone : previous?.lastTone,
    lastDevelopmentId: isLatest || previous === undefined ? development.id : previous.lastDevelopmentId,
  };
};

/** Mean tone of the developments that carry one; null when none does. */
export const meanTone = (relation: RelationState): number | null =>
  relation.toneCount === 0 ? null : relation.toneSum / relation.toneCount;
