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
  const rolesOf = new Set(development.participants.filter((p) => p.actorId === actorId).map((p) => p.role));
  const across = new Set<string>();
  for (const { actorId: otherId, role } of development.participants) {
    if (otherId === actorId) continue;
    if ((rolesOf.has('SOURCE') && role === 'TARGET') || (rolesOf.has('TARGET') && role === 'SOURCE')) {
      across.add(otherId);
    }
  }
  return [...across];
};

/** The pure reducer of one relation: the dealings with `otherId`, after one more development between the two. */
export const evolveRelation = (
  previous: RelationState | undefined,
  development: DevelopmentState,
  otherId: string,
): RelationState => {
  const tone = development.tone;
  return {
    otherId,
    developmentCount: (previous?.developmentCount ?? 0) + 1,
    toneSum: (previous?.toneSum ?? 0) + (tone ?? 0),
    toneCount: (previous?.toneCount ?? 0) + (tone === undefined ? 0 : 1),
    lastTone: tone ?? previous?.lastTone,
    lastDevelopmentId: development.id,
  };
};

/** Mean tone of the developments that carry one; null when none does. */
export const meanTone = (relation: RelationState): number | null =>
  relation.toneCount === 0 ? null : relation.toneSum / relation.toneCount;
