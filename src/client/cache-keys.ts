/**
 * How a normalizing client cache keys the timeline API's entities (docs/api.md, "Client caches"), for Apollo Client,
 * urql's Graphcache and Relay. It imports nothing, neither the server's code nor a client library, so that an app
 * takes it whatever it runs; each export has the shape its library documents.
 *
 * Every Actor, Topic, Meeting and Development answers `viewId`: its id for the live view, the id and the time point
 * the question named otherwise. Keyed on it, the live view is one entry that subscriptions update, and a view at
 * another time point is another entry that nothing else writes to. An object whose query did not select `viewId`
 * is kept inside its parent, never normalized: keyed on its id alone it would mix time points, which is the bug
 * these keys exist to prevent. withViewIds (with-view-ids.ts) selects it wherever `id` is.
 */

/** The types whose answers depend on a time point: every type of the API that has an id. */
export const VIEW_TYPES = ['Actor', 'Topic', 'Meeting', 'Development'] as const;

/**
 * The object types with no id, which every cache keeps inside their parent: Graphcache warns about each one that its
 * `keys` does not name. test/graphql/contract.test.ts holds both lists to the served schema.
 */
export const EMBEDDED_TYPES = [
  'ActorConnection',
  'ActorEdge',
  'ApiKeyInfo',
  'Correction',
  'DevelopmentConnection',
  'DevelopmentEdge',
  'MeetingConnection',
  'MeetingEdge',
  'PageInfo',
  'Participant',
  'Position',
  'Quote',
  'RecordedEvent',
  'RecordedEventConnection',
  'RecordedEventEdge',
  'Relation',
  'Role',
  'ServerStatus',
  'Source',
  'TimelineChange',
  'TopicConnection',
  'TopicEdge',
  'Verification',
] as const;

type Answer = Readonly<Record<string, unknown>>;

const viewIdIn = (object: Answer): string | undefined =>
  typeof object.viewId === 'string' ? object.viewId : undefined;

const perViewType = <T>(make: (typename: string) => T): Record<string, T> =>
  Object.fromEntries(VIEW_TYPES.map((typename) => [typename, make(typename)]));

/**
 * Apollo Client's `new InMemoryCache({ typePolicies })`: a keyFields function may return the cache id itself, or
 * false for an object kept inside its parent. The live view's id is `Actor:vladimir-putin`, as Apollo's default.
 */
export const typePolicies = perViewType((typename) => ({
  keyFields: (object: Answer): string | false => {
    const viewId = viewIdIn(object);
    return viewId === undefined ? false : `${typename}:${viewId}`;
  },
}));

/** urql Graphcache's `cacheExchange({ keys })`: null keeps the object inside its parent (an embedded entity). */
export const keys: Record<string, (data: Answer) => string | null> = {
  ...Object.fromEntries(EMBEDDED_TYPES.map((typename) => [typename, () => null])),
  ...perViewType(() => (data: Answer) => viewIdIn(data) ?? null),
};

/**
 * Relay's `new Environment({ getDataID })`. Relay's ids are global and this API's are per type, so the type is part
 * of the key; a type without a view keeps Relay's default, and an undefined id makes Relay key by the path.
 */
export const getDataID = (fieldValue: Answer, typeName: string): unknown => {
  if (!(VIEW_TYPES as readonly string[]).includes(typeName)) return fieldValue.id;
  const viewId = viewIdIn(fieldValue);
  return viewId === undefined ? undefined : `${typeName}:${viewId}`;
};
