import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Operation } from '../auth/api-keys.js';
import { accessOf } from '../graphql/access.js';
import { graphQLError } from '../graphql/common/errors.js';
import { checkBeforeValidation, type OperationLimits } from '../graphql/operation-limits.js';

/**
 * What graphql-ws's onSubscribe knows of a document before it looks at who sends it: refused (parse, cost before
 * validation, validation, no operation to run) or its operation and what that needs a key for. Apollo keeps one
 * parsed document per text for HTTP; graphql-ws has no such store, so every subscribe message parsed and validated
 * afresh, and checkOperationLimits' decisions, which hang on the document object, were never found again.
 */

interface PreparedOperation {
  /** The same object for the same text while the cache holds it: per-document caches downstream hit. */
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly access: Operation;
}

type Preparation = { readonly refused: readonly GraphQLError[] } | { readonly prepared: PreparedOperation };

export interface PreparedDocumentsOptions {
  readonly maxEntries?: number;
  /** Of the texts held, in characters. */
  readonly maxCharacters?: number;
  /** A longer text is prepared for its message and not kept: one such document must not push out all the others. */
  readonly maxEntryCharacters?: number;
  /** Told of every text parsed (a metric): once per distinct text while it stays in the cache. */
  readonly onPrepared?: () => void;
}

/**
 * A parsed document held costs about 80 bytes of heap per character of its text (the AST, and the lexer's tokens its
 * locations keep: measured on subscription documents of 250 characters), so 250,000 characters hold about 20 MB,
 * well inside what heap-fit.ts leaves beside the read-model cache, for 1,000 documents of a typical size.
 */
const DEFAULTS = { maxEntries: 1_000, maxCharacters: 250_000, maxEntryCharacters: 25_000 };

/** An operation name the document does not have: every such name meets the same refusals, so they share one. */
const UNMATCHED = Symbol('unmatched operation name');

interface Parsed {
  readonly document: DocumentNode;
  readonly names: ReadonlySet<string>;
  /** Run on the first operation that passes checkBeforeValidation: never for a document too costly to validate. */
  validation?: readonly GraphQLError[];
  /** At most one per operation of the document, and one for every other name: bounded by the text. */
  readonly outcomes: Map<string | symbol | null, Preparation>;
}

type Entry = { readonly refused: readonly GraphQLError[] } | Parsed;

const withCode = (error: GraphQLError, code: string): GraphQLError =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });

/** Each message its own errors, as checkOperationLimits gives them: what handles a refusal may change it. */
const copyOf = (error: GraphQLError): GraphQLError =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: structuredClone(error.extensions),
  });

const handedOut = (preparation: Preparation): Preparation =>
  'refused' in preparation ? { refused: preparation.refused.map(copyOf) } : preparation;

// The same codes Apollo gives these over HTTP: every refusal carries one.
const parsed = (text: string): Entry => {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    return {
      refused: [
        withCode(error instanceof GraphQLError ? error : new GraphQLError(String(error)), 'GRAPHQL_PARSE_FAILED'),
      ],
    };
  }
  const names = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
  }
  return { document, names, outcomes: new Map() };
};

/** The checks of onSubscribe that read the document alone, in the order it has always run them. */
const prepare = (
  schema: GraphQLSchema,
  limits: OperationLimits,
  entry: Parsed,
  operationName: string | null | undefined,
): Preparation => {
  const { document } = entry;
  const tooCostlyToValidate = checkBeforeValidation(document, operationName, limits);
  if (tooCostlyToValidate) return { refused: [tooCostlyToValidate] };
  entry.validation ??= validate(schema, document).map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
  if (entry.validation.length > 0) return { refused: entry.validation };
  const operation = getOperationAST(document, operationName);
  if (!operation) return { refused: [graphQLError('BAD_USER_INPUT', 'no operation to run in this document')] };
  return { prepared: { document, operation, access: accessOf(document, operation) } };
};

const outcomeKey = (entry: Parsed, operationName: string | null | undefined): string | symbol | null => {
  if (operationName == null) return null;
  return entry.names.has(operationName) ? operationName : UNMATCHED;
};

/**
 * Documents sent over graphql-ws, prepared once per distinct text and operation name, in a cache bounded by entries
 * and by the characters of their texts. Only what the text alone decides is kept: the rate limit, the key's
 * decision and the cost of the variables stay with each message.
 */
export const preparedDocuments = (
  schema: GraphQLSchema,
  limits: OperationLimits,
  options: PreparedDocumentsOptions = {},
) => {
  const { maxEntries, maxCharacters, maxEntryCharacters } = { ...DEFAULTS, ...options };
  const entries = new LRUCache<string, Entry>({
    max: maxEntries,
    maxSize: maxCharacters,
    maxEntrySize: maxEntryCharacters,
    // The text is the key, and what is held grows with it; an empty text still takes a place.
    sizeCalculation: (_entry, text) => Math.max(text.length, 1),
  });
  const entryFor = (text: string): Entry => {
    let entry = entries.get(text);
    if (!entry) {
      entry = parsed(text);
      options.onPrepared?.();
      // Not kept past maxEntryCharacters: lru-cache drops it rather than evict others for it.
      entries.set(text, entry);
    }
    return entry;
  };
  return {
    /** Refused, with the same errors and codes as ever, or the operation to run. */
    prepare: (text: string, operationName: string | null | undefined): Preparation => {
      const entry = entryFor(text);
      if ('refused' in entry) return handedOut(entry);
      const key = outcomeKey(entry, operationName);
      let outcome = entry.outcomes.get(key);
      if (!outcome) entry.outcomes.set(key, (outcome = prepare(schema, limits, entry, operationName)));
      return handedOut(outcome);
    },
    /** How many texts are held (tests). */
    size: () => entries.size,
  };
};
