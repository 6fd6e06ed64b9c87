import { comparePositions, type LogPosition } from '../../events/envelope.js';
import type { DevelopmentVersion, EntityHistory } from './entity-history.js';
import { foldActor, type ActorState } from '../domain/actor.js';
import type { DevelopmentState } from '../domain/development.js';
import { isKnownAt } from '../domain/time-point.js';
import { foldTopic, type TopicState } from '../domain/topic.js';

/**
 * An entity as known at knownAt: the fold of the events recorded by then. The store keeps recordedAt
 * non-decreasing along the log, so the known events are a prefix of the entity's history, and when the newest
 * one is known the projected latest state is that fold already.
 */
const knownFold = <E extends { recordedAt: Date }, S>(
  events: readonly E[],
  knownAt: Date,
  latest: S | undefined,
  fold: (events: readonly E[]) => S | null,
): S | null => {
  const newest = events.at(-1);
  if (newest === undefined) return null;
  if (isKnownAt(newest, knownAt) && latest !== undefined) return latest;
  const known = events.filter((event) => isKnownAt(event, knownAt));
  return known.length === 0 ? null : fold(known);
};

export const knownActor = (history: EntityHistory, id: string, knownAt: Date): ActorState | null =>
  knownFold(history.actorEvents(id), knownAt, history.latestActor(id), foldActor);

export const knownTopic = (history: EntityHistory, id: string, knownAt: Date): TopicState | null =>
  knownFold(history.topicEvents(id), knownAt, history.latestTopic(id), foldTopic);

/** recordedAt never decreases along the log, so the version known at knownAt is the last one recorded by then. */
export const knownVersion = (history: EntityHistory, id: string, knownAtMs: number): DevelopmentVersion | null => {
  const versions = history.developmentVersions(id);
  for (let index = versions.length - 1; index >= 0; index--) {
    if (versions[index]!.recordedAtMs <= knownAtMs) return versions[index]!;
  }
  return null;
};

export const knownDevelopment = (history: EntityHistory, id: string, knownAt: Date): DevelopmentState | null =>
  knownVersion(history, id, knownAt.getTime())?.state ?? null;

/** The development just before and just after the event at `position` (null where there is none). */
export const versionsAround = (
  history: EntityHistory,
  id: string,
  position: LogPosition,
): [before: DevelopmentState | null, after: DevelopmentState | null] => {
  const versions = history.developmentVersions(id);
  let at = versions.length - 1;
  while (at >= 0 && comparePositions(versions[at]!.position, position) > 0) at--;
  return [versions[at - 1]?.state ?? null, versions[at]?.state ?? null];
};
