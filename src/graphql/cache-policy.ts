import type { ApolloServerPlugin } from '@apollo/server';
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { GraphQLContext } from './context.js';

/** A year, the longest a cache is asked to keep anything (RFC 9111 lets a cache cap it there). */
const A_YEAR_S = 31_536_000;

/** The questions a time point fixes: every other field (the raw log, admin, introspection) can change any time. */
const TIME_TRAVEL_FIELDS = new Set([
  'actor',
  'actors',
  'topic',
  'topics',
  'meeting',
  'meetings',
  'development',
  'timeline',
]);

/**
 * States computed as of an instant. Under `development` and `timeline`, which take no asOf, they are computed as of
 * the request's now (a role's end, a stance dated later, a meeting's date all pass with it).
 */
const STATES_AS_OF = new Set(['Actor', 'Topic', 'Meeting']);

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/** Whether a selection under `type` reaches a state computed as of some instant (through fragments too). */
const reachesStateAsOf = (
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Fragments,
): boolean =>
  (selectionSet?.selections ?? []).some((selection) => {
    if (selection.kind === Kind.FIELD) {
      if (!isObjectType(type) && !isInterfaceType(type)) return false;
      const field = type.getFields()[selection.name.value];
      if (!field) return false;
      const named = getNamedType(field.type);
      return STATES_AS_OF.has(named.name) || reachesStateAsOf(schema, named, selection.selectionSet, fragments);
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
    if (!fragment) return false;
    const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
    return condition ? reachesStateAsOf(schema, condition, fragment.selectionSet, fragments) : false;
  });

/**
 * The latest knownAt (ms) an operation asks about when every time point in it is fixed, else null. A state is a
 * function of (asOf, knownAt) and of what the log had recorded by knownAt: with both instants explicit, the answer
 * cannot change once the log has recorded anything after knownAt (recordedAt never decreases along the log). A
 * missing asOf is now, which moves; `development` and `timeline` take none, so they are fixed only when they reach
 * no state computed as of now. A fragment spread twice is walked twice: documents are small, and it cannot loop
 * (validation refuses cycles).
 */
export const fixedKnownAt = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number | null => {
  const queryType = schema.getQueryType();
  if (operation.operation !== 'query' || !queryType) return null;
  // The variables as JSON sent them: coerced as execution will (a DateTime becomes a Date), or not fixed at all.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return null;
  const fragments: Fragments = new Map(
    document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  let latest = Number.NEGATIVE_INFINITY;
  const fixed = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind !== Kind.FIELD) {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        return fragment !== undefined && fixed(fragment.selectionSet);
      }
      const name = selection.name.value;
      if (name === '__typename') return true;
      const field = queryType.getFields()[name];
      if (!field || !TIME_TRAVEL_FIELDS.has(name)) return false;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, selection, coerced.coerced);
      } catch {
        return false;
      }
      if (!(args.knownAt instanceof Date)) return false;
      const takesAsOf = field.args.some((arg) => arg.name === 'asOf');
      if (takesAsOf && !(args.asOf instanceof Date)) return false;
      if (!takesAsOf && reachesStateAsOf(schema, getNamedType(field.type), selection.selectionSet, fragments)) {
        return false;
      }
      latest = Math.max(latest, args.knownAt.getTime());
      return true;
    });
  return fixed(operation.selectionSet) && Number.isFinite(latest) ? latest : null;
};

/**
 * Cache-Control for every GraphQL answer. A query fetched by GET (persisted queries, or a plain GET) whose time
 * points are all fixed and in the past of the read models is kept for a year as immutable: by any cache when reads
 * are public, by the client's own only when they need a key. Any other query answer is revalidated (`no-cache`: the
 * ETag express sets makes it a 304 when it has not changed). Mutations and errors are never stored.
 *
 * The read models' checkpoint is read before the operation runs: the answer holds at least what it held, so a knownAt
 * before its recordedAt saw everything it ever will.
 */
export const cachePolicyPlugin = (readersRequired: boolean): ApolloServerPlugin<GraphQLContext> => ({
  async requestDidStart({ request }) {
    let immutable = false;
    return {
      async didResolveOperation({ contextValue, document, operation, schema }) {
        if (request.http?.method !== 'GET' || !operation) return;
        const knownAt = fixedKnownAt(schema, document, operation, request.variables);
        if (knownAt === null) return;
        const checkpoint = await contextValue.reads.checkpoint();
        immutable = checkpoint !== null && knownAt < checkpoint.recordedAtMs;
      },
      async willSendResponse({ response, operation }) {
        const failed = response.body.kind !== 'single' || (response.body.singleResult.errors?.length ?? 0) > 0;
        const policy =
          failed || operation?.operation !== 'query'
            ? 'no-store'
            : immutable
              ? `${readersRequired ? 'private' : 'public'}, max-age=${A_YEAR_S}, immutable`
              : 'no-cache';
        response.http.headers.set('cache-control', policy);
      },
    };
  },
});
