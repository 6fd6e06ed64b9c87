import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import Negotiator from 'negotiator';
import { authorize, type Operation } from '../../auth/api-keys.js';
import { accessOf } from '../../graphql/access.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { checkOperationLimits, type OperationLimits } from '../../graphql/operation-limits.js';
import type { CompiledExecution } from '../compiled-execution.js';
import { sendBody } from './answer-body.js';
import type { Exchange } from './exchange.js';

/**
 * The known queries' lane: a POST of a query whose text Apollo Server has already parsed and validated is answered
 * here, without Apollo's per-request pipeline (hashing the text, looking it up, the plugins' hooks, its HTTP
 * plumbing), by the same gates and the same executor, in the same words. Apollo's pipeline costs more than executing
 * a typical query (docs/performance.md, "GraphQL throughput"); a client asks the same few documents over and over.
 *
 * Only what is sure to get Apollo's own answer is answered here: a successful query, with every gate passed. Anything
 * else goes on to Apollo untouched: a text Apollo has not validated, a mutation, a GET, a batch, persisted-query or
 * other extensions, an Accept Apollo would refuse or answer otherwise, a refused key or cost, and any answer with an
 * error (a query reads only, so Apollo running it again changes nothing but the cost of that one answer).
 * test/server/known-queries.int.test.ts compares the two lanes answer for answer, headers included.
 */

/** What a document Apollo validated may weigh here: the same bounds as the subscriptions' documents. */
const MAX_DOCUMENTS = 1_000;
const MAX_TOTAL_CHARACTERS = 250_000;
const MAX_DOCUMENT_CHARACTERS = 25_000;

/** Apollo's media types for a single answer (its MEDIA_TYPES), in the order it offers them to the negotiation. */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';
const OFFERED = [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, 'application/json; callbackSpec=1.0; charset=utf-8'];

const BODY_FIELDS = new Set(['query', 'variables', 'operationName']);

export interface KnownQueriesOptions {
  readonly schema: GraphQLSchema;
  readonly limits: OperationLimits;
  readonly readersRequired: boolean;
  readonly execute: CompiledExecution;
  readonly contextFor: (exchange: Exchange) => GraphQLContext;
  /** Told of every answer the lane gives (a metric). */
  readonly onAnswered?: () => void;
}

interface PostedQuery {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

/** A body Apollo takes as it is (runHttpQuery's checks), with nothing but the query, variables and name. */
const postedQuery = (body: unknown): PostedQuery | null => {
  if (!isRecord(body) || typeof body.query !== 'string') return null;
  for (const field in body) if (!BODY_FIELDS.has(field)) return null;
  const { variables, operationName } = body;
  if (variables != null && !isRecord(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  return {
    query: body.query,
    variables: variables ?? undefined,
    operationName: operationName ?? undefined,
  };
};

/** The media type Apollo picks for a single answer, or null where it would refuse (406) or answer otherwise. */
const contentTypeFor = (accept: string | undefined): string | null => {
  if (!accept) return APPLICATION_JSON;
  const preferred = new Negotiator({ headers: { accept } }).mediaType(OFFERED);
  return preferred === APPLICATION_JSON || preferred === GRAPHQL_RESPONSE_JSON ? preferred : null;
};

export const knownQueries = (options: KnownQueriesOptions) => {
  const documents = new LRUCache<string, DocumentNode>({
    max: MAX_DOCUMENTS,
    maxSize: MAX_TOTAL_CHARACTERS,
    sizeCalculation: (_document, text) => text.length,
  });
  // Clients send a handful of Accept headers, each negotiated once.
  const contentTypes = new LRUCache<string, { type: string | null }>({ max: 100 });
  const accessByOperation = new WeakMap<OperationDefinitionNode, Operation>();

  /** Learns each text Apollo has parsed and validated: its document, the very object Apollo keeps for it. */
  const plugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const text = request.query;
          if (typeof text === 'string' && text.length <= MAX_DOCUMENT_CHARACTERS && !documents.has(text)) {
            documents.set(text, document);
          }
        },
      };
    },
  };

  const contentTypeOf = (accept: string | undefined): string | null => {
    if (!accept) return APPLICATION_JSON;
    let known = contentTypes.get(accept);
    if (!known) contentTypes.set(accept, (known = { type: contentTypeFor(accept) }));
    return known.type;
  };

  const accessOfOperation = (document: DocumentNode, operation: OperationDefinitionNode): Operation => {
    let access = accessByOperation.get(operation);
    if (access === undefined) accessByOperation.set(operation, (access = accessOf(document, operation)));
    return access;
  };

  /** Answers the request and says so, or says it is Apollo's to answer (having written nothing). */
  const answer = async (exchange: Exchange): Promise<boolean> => {
    const { request, response } = exchange;
    if (request.method !== 'POST') return false;
    const posted = postedQuery(exchange.body);
    if (!posted) return false;
    const document = documents.get(posted.query);
    if (!document) return false;
    const operation = getOperationAST(document, posted.operationName);
    if (operation?.operation !== 'query') return false;
    const contentType = contentTypeOf(request.headers.accept);
    if (contentType === null) return false;
    if (!authorize(exchange.principal, accessOfOperation(document, operation), options.readersRequired).ok) {
      return false;
    }
    if (checkOperationLimits(options.schema, document, operation, posted.variables, options.limits)) return false;

    exchange.scope.operation = { type: 'query', name: operation.name?.value.slice(0, 128) };
    const result = await options.execute({
      document,
      operationName: posted.operationName ?? null,
      operationType: 'query',
      contextValue: options.contextFor(exchange),
      variables: posted.variables,
    });
    if (result.errors?.length || result.data == null || response.headersSent) return false;
    // Apollo's own serialisation of a single answer: its fields in the order errors, data, extensions, and a newline.
    const text = JSON.stringify({ data: result.data, extensions: result.extensions }) + '\n';
    response.statusCode = 200;
    response.setHeader('Content-Type', contentType);
    response.setHeader('Cache-Control', 'no-cache');
    await sendBody(exchange, text);
    options.onAnswered?.();
    return true;
  };

  return { plugin, answer };
};
