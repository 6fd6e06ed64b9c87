import {
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type TypeNode,
} from 'graphql';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';

// The package's ESM build imports graphql/index.mjs while everything else here loads graphql's CommonJS build,
// and graphql refuses types "from another module or realm": its CommonJS build shares our graphql.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof QueryComplexity;

export interface OperationLimits {
  readonly maxDepth: number;
  readonly maxComplexity: number;
  /** Fields asked for under another name: a thousand aliases of one costly field is the classic bomb. */
  readonly maxAliases: number;
  /**
   * Fields in the whole document. graphql-js's validation compares the fields of a selection pairwise, so a document
   * of many thousands of fields costs seconds to validate before any cost is known: counted first, on the parse.
   */
  readonly maxFields: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxComplexity: 50_000,
  maxAliases: 30,
  maxFields: 1_000,
};

const tooComplex = (message: string, extensions: Record<string, unknown>): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extensions, http: { status: 400 } } });

/** Every field node of a document, in every operation and fragment. */
const fieldsIn = (document: DocumentNode): number => {
  let count = 0;
  const walk = (selectionSet: SelectionSetNode | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) count += 1;
      if (selection.kind !== Kind.FRAGMENT_SPREAD) walk(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) {
      walk(definition.selectionSet);
    }
  }
  return count;
};

/**
 * What can be counted on the parsed document alone, before validation (whose cost grows with the square of the
 * fields of a selection): fields, aliases, depth. A document that passes still goes through checkOperationLimits
 * once validated, for its complexity.
 */
export const checkBeforeValidation = (
  document: DocumentNode,
  operationName: string | null | undefined,
  limits: OperationLimits = DEFAULT_LIMITS,
): GraphQLError | null => {
  const fields = fieldsIn(document);
  if (fields > limits.maxFields) {
    return tooComplex(`the document asks for ${fields} fields; the limit is ${limits.maxFields}`, {
      fields,
      maxFields: limits.maxFields,
    });
  }
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operationName == null ? operations[0] : operations.find((candidate) => candidate.name?.value === operationName);
  if (!operation) return null;
  const aliases = operationAliases(document, operation);
  if (aliases > limits.maxAliases) {
    return tooComplex(`the operation uses ${aliases} aliases; the limit is ${limits.maxAliases}`, {
      aliases,
      maxAliases: limits.maxAliases,
    });
  }
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    return tooComplex(`the operation nests ${depth} levels deep; the limit is ${limits.maxDepth}`, {
      depth,
      maxDepth: limits.maxDepth,
    });
  }
  return null;
};

const aliasesIn = (
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number => {
  if (!selectionSet) return 0;
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      count += (selection.alias ? 1 : 0) + aliasesIn(selection.selectionSet, fragments, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += aliasesIn(selection.selectionSet, fragments, seen);
    } else if (!seen.has(selection.name.value)) {
      // A fragment spread twice is counted once: its fields are asked for once.
      seen.add(selection.name.value);
      count += aliasesIn(fragments.get(selection.name.value)?.selectionSet, fragments, seen);
    }
  }
  return count;
};

const depthOf = (
  selectionSet: SelectionSetNode | undefined,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: ReadonlySet<string>,
): number => {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection's `ofType` unwraps a list or non-null type: a chain of single objects, which graphql-js's own
      // introspection query (and GraphiQL's) follows nine deep. It adds no depth; the field count still bounds it.
      const own = selection.name.value === 'ofType' ? 0 : 1;
      deepest = Math.max(deepest, selection.selectionSet ? own + depthOf(selection.selectionSet, fragments, seen) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      deepest = Math.max(deepest, depthOf(fragment?.selectionSet, fragments, new Set([...seen, selection.name.value])));
    }
  }
  return deepest;
};

/** How deeply an operation nests its fields, fragments spread in place. */
const fragmentsOf = (document: DocumentNode) =>
  new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );

const operationDepth = (document: DocumentNode, operation: OperationDefinitionNode): number =>
  depthOf(operation.selectionSet, fragmentsOf(document), new Set());

/** How many fields an operation asks for under an alias, fragments spread in place. */
const operationAliases = (document: DocumentNode, operation: OperationDefinitionNode): number =>
  aliasesIn(operation.selectionSet, fragmentsOf(document), new Set());

/**
 * The cost gate every operation passes before it runs, over HTTP and over WebSocket alike: a refused one gets
 * QUERY_TOO_COMPLEX and costs nothing more than this count.
 */
export const checkOperationLimits = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits = DEFAULT_LIMITS,
): GraphQLError | null => {
  let decisions = DECISIONS.get(document);
  if (!decisions) DECISIONS.set(document, (decisions = new Map()));
  const key = decisionKey(operation, variables, limits);
  let decision = decisions.get(key);
  // Allowed before with the same costly values: allowed again, whatever the rest, which the executor checks.
  if (decision === null) return null;
  // Variables that do not fit their types: the executor refuses the operation before any resolver runs, with
  // BAD_USER_INPUT naming the variable's path. getComplexity would throw that error without a code (a 500).
  if ('errors' in getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {})) return null;
  if (decision === undefined) {
    decision = decide(schema, document, operation, variables, limits);
    // Bounded per document: a client that pages with ever new sizes keeps only the latest decisions.
    if (decisions.size >= DECISIONS_PER_DOCUMENT) decisions.delete(decisions.keys().next().value!);
    decisions.set(key, decision);
  }
  // Each refusal its own error: what handles it downstream may change it.
  return decision && new GraphQLError(decision.message, { extensions: structuredClone(decision.extensions) });
};

/**
 * The decision on a document holds for every request that gives the same values to the variables a cost can depend
 * on: complexity hints read page sizes (Int arguments, common/complexity.ts) and graphql-query-complexity follows
 * @include and @skip (Booleans). Every variable counts but those of the types no hint or directive reads, ids,
 * strings and instants, which change with nearly every request (an as-of question's id, asOf and knownAt).
 * Apollo hands out one parsed document per text, so decisions hang on it and go with it; graphql-ws parses each
 * subscription afresh, where this only costs a map.
 */
const COSTLESS_TYPES = new Set(['ID', 'String', 'DateTime']);
const DECISIONS_PER_DOCUMENT = 64;
const DECISIONS = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

const decisionKey = (
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): string =>
  JSON.stringify([
    operation.name?.value ?? null,
    limits.maxAliases,
    limits.maxDepth,
    limits.maxComplexity,
    ...(operation.variableDefinitions ?? [])
      .filter((definition) => !COSTLESS_TYPES.has(namedType(definition.type)))
      .map((definition) => variables?.[definition.variable.name.value] ?? null),
  ]);

const decide = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): GraphQLError | null => {
  const aliases = operationAliases(document, operation);
  if (aliases > limits.maxAliases) {
    return new GraphQLError(`the operation uses ${aliases} aliases; the limit is ${limits.maxAliases}`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', aliases, maxAliases: limits.maxAliases, http: { status: 400 } },
    });
  }
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    return new GraphQLError(`the operation nests ${depth} levels deep; the limit is ${limits.maxDepth}`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', depth, maxDepth: limits.maxDepth, http: { status: 400 } },
    });
  }
  const complexity = getComplexity({
    schema,
    query: document,
    operationName: operation.name?.value,
    variables,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (complexity > limits.maxComplexity) {
    return new GraphQLError(`the operation costs ${complexity}; the limit is ${limits.maxComplexity}`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', complexity, maxComplexity: limits.maxComplexity, http: { status: 400 } },
    });
  }
  return null;
};
