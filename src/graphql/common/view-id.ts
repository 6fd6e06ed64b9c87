import type { ViewPoint } from './time-point.js';

/**
 * What a normalizing client cache keys an entity on (docs/api.md, "Client caches"): the id alone for the live view
 * (no time point named anywhere up the tree), so that every "now" answer and every subscription tick is one entry;
 * the id and the named time point otherwise, so that no view at one time point overwrites another. An axis left
 * out reads "now": such a view is one entry too, as fresh as its last answer. Ids are slugs with no "@", ";" or
 * "=" (events/fields.ts, EntityId), so a view id never reads as another entity's.
 */
export const viewIdOf = (id: string, point: ViewPoint): string => {
  if (!point.asked.asOf && !point.asked.knownAt) return id;
  const asOf = point.asked.asOf ? point.asOf.toISOString() : 'now';
  const knownAt = point.asked.knownAt ? point.knownAt.toISOString() : 'now';
  return `${id}@asOf=${asOf};knownAt=${knownAt}`;
};

/** The schema's description of viewId on the type that `what` names ("actor", "topic"…). */
export const viewIdDescription = (what: string): string =>
  `What a normalizing cache keys this ${what} on: its id in the live view (no asOf or knownAt named anywhere above ` +
  'it), id@asOf=…;knownAt=… otherwise ("now" for an axis left out). See the API guide, "Client caches".';
