import { comparePositions, type LogPosition } from '../../events/envelope.js';
import type { DevelopmentState } from '../domain/development.js';
import type { ReadModelReader, StoredVersion, VersionKind } from '../read-store/read-model-store.js';

/**
 * recordedAt never decreases along the log, so the version of an entity known at knownAt is the last one recorded
 * by then: the fold of the events known then, kept by the projection so that no question folds them again.
 */
export const knownVersion = <S>(versions: readonly StoredVersion<S>[] | undefined, knownAtMs: number) => {
  if (versions === undefined) return null;
  for (let index = versions.length - 1; index >= 0; index--) {
    if (versions[index]!.recordedAtMs <= knownAtMs) return versions[index]!;
  }
  return null;
};

const knownState = async <S>(reads: ReadModelReader, kind: VersionKind, id: string, knownAt: Date) => {
  const versions = (await reads.versions(kind, [id])).get(id) as StoredVersion<S>[] | undefined;
  return knownVersion(versions, knownAt.getTime())?.state ?? null;
};

export const knownDevelopment = (reads: ReadModelReader, id: string, knownAt: Date) =>
  knownState<DevelopmentState>(reads, 'development', id, knownAt);

/** The newest state of an entity, known or not: what "now" folds skip to. */
export const latestState = async <S>(reads: ReadModelReader, kind: VersionKind, id: string): Promise<S | null> =>
  ((await reads.versions(kind, [id])).get(id)?.at(-1)?.state as S | undefined) ?? null;

export type VersionsAround = [before: DevelopmentState | null, after: DevelopmentState | null];

/** The development just before and just after its event at `position` (null where there is none). */
export const versionsAround = (
  versions: readonly StoredVersion<DevelopmentState>[] | undefined,
  position: LogPosition,
): VersionsAround => {
  const list = versions ?? [];
  let at = list.length - 1;
  while (at >= 0 && comparePositions(list[at]!.position, position) > 0) at--;
  return [list[at - 1]?.state ?? null, list[at]?.state ?? null];
};

/** Every development's versions at once: one read for a page of index entries, not one per entry. */
export const developmentVersions = async (
  reads: ReadModelReader,
  ids: Iterable<string>,
): Promise<Map<string, StoredVersion<DevelopmentState>[]>> => {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return (await reads.versions('development', unique)) as Map<string, StoredVersion<DevelopmentState>[]>;
};
