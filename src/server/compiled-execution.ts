import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute,
  getOperationAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Queries run compiled (graphql-jit) once their document is asked again; everything else as graphql-js runs it.
 *
 * graphql-js walks the document and the schema afresh for every object of an answer, so a busy actor's 2,000
 * relations cost it about twice the time the compiled query takes (docs/architecture.md, "Answering"). Compiling
 * costs about a millisecond, so a document is compiled on its second use, never for a one-off. Only queries:
 * mutations are few per document and must run their fields in order, and subscriptions are served by graphql-ws.
 */

type Gateway = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];

export interface CompiledExecutionOptions {
  /** The use of a document at which it is compiled; Infinity: never (every query runs through graphql-js). */
  readonly compileOnUse?: number;
  /** Told of every document compiled (a metric). */
  readonly onCompiled?: () => void;
}

interface ExecutionRequest {
  /**
   * Apollo keeps one parsed document per text in its bounded document store and hands out that same object: plans
   * hang on it, so they last as long as it does and take no bound of their own.
   */
  readonly document: DocumentNode;
  readonly operationName: string | null;
  /**
   * Undefined when the document has no operation of the name asked for: Apollo goes on to execution all the same,
   * and graphql-js answers "Unknown operation named …" as a request error.
   */
  readonly operationType: 'query' | 'mutation' | 'subscription' | undefined;
  readonly contextValue: unknown;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

interface Plan {
  uses: number;
  /** Null once compiling failed: graphql-js runs it, as it always can. */
  compiled?: CompiledQuery | null;
}

/**
 * graphql-jit hands a variable's default value to the resolvers as written, not parsed by its scalar (a DateTime
 * default arrives as a string, where graphql-js gives a Date): an operation with a default runs as graphql-js runs it.
 */
const defaultsVariables = (request: ExecutionRequest): boolean =>
  (getOperationAST(request.document, request.operationName)?.variableDefinitions ?? []).some(
    (definition) => definition.defaultValue !== undefined,
  );

/**
 * graphql-jit's error for a resolver that threw something other than a GraphQLError has no `extensions`, where
 * graphql-js gives `{}`; Apollo reads its code from there and, failing, answers "Internal server error" without our
 * formatError ever seeing it (no log line, no SERVICE_UNAVAILABLE for an outage). Its own properties cannot be
 * changed, so the error is seen through an object that adds them.
 */
const withExtensions = (error: GraphQLError): GraphQLError =>
  error.extensions ? error : (Object.create(error, { extensions: { value: {}, enumerable: false } }) as GraphQLError);

export type CompiledExecution = (request: ExecutionRequest) => Promise<ExecutionResult>;

export const createCompiledExecution = (
  schema: GraphQLSchema,
  options: CompiledExecutionOptions = {},
): CompiledExecution => {
  const compileOnUse = options.compileOnUse ?? 2;
  const plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  const compiledFor = (request: ExecutionRequest): CompiledQuery | null => {
    if (request.operationType !== 'query') return null;
    let byOperation = plans.get(request.document);
    if (!byOperation) plans.set(request.document, (byOperation = new Map()));
    const operation = request.operationName ?? '';
    let plan = byOperation.get(operation);
    if (!plan) byOperation.set(operation, (plan = { uses: 0 }));
    plan.uses += 1;
    if (plan.compiled === undefined && plan.uses >= compileOnUse) {
      if (defaultsVariables(request)) {
        plan.compiled = null;
      } else {
        const compiled = compileQuery(schema, request.document, request.operationName ?? undefined);
        plan.compiled = isCompiledQuery(compiled) ? compiled : null;
        if (plan.compiled) options.onCompiled?.();
      }
    }
    return plan.compiled ?? null;
  };

  return async (request: ExecutionRequest): Promise<ExecutionResult> => {
    const compiled = compiledFor(request);
    if (compiled) {
      const result = await compiled.query(undefined, request.contextValue, request.variables ?? {});
      // No data at all: the variables were refused before anything ran. graphql-js says why in the words (and the
      // error class) that Apollo knows as BAD_USER_INPUT; graphql-jit's own errors would go out as internal ones.
      if (result.data !== undefined || !result.errors?.length) {
        return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
      }
    }
    return execute({
      schema,
      document: request.document,
      contextValue: request.contextValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
  };
};

/**
 * Apollo Server runs operations with an executor of one's own only through its gateway interface: this one serves
 * the schema as it is and executes with `run` (createCompiledExecution, shared with the known queries' lane, so that
 * a document is compiled once for both). Apollo's own pipeline (parsing, validation, the plugins' guards) runs
 * before it as before.
 */
export const compiledExecutionGateway = (schema: GraphQLSchema, run: CompiledExecution): Gateway => {
  let onLoad: ((schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | null = null;
  return {
    onSchemaLoadOrUpdate: (callback) => {
      onLoad = callback;
      return () => {
        onLoad = null;
      };
    },
    load: async () => {
      onLoad?.({ apiSchema: schema, coreSupergraphSdl: '' });
      return {
        executor: (requestContext) =>
          run({
            document: requestContext.document,
            // The name the client asked for, not the one Apollo resolved (null when none matched): graphql-js must
            // refuse a name the document does not have rather than run its only operation.
            operationName: requestContext.request.operationName ?? null,
            operationType: requestContext.operation?.operation,
            contextValue: requestContext.context,
            variables: requestContext.request.variables,
          }),
      };
    },
    stop: async () => {},
  };
};
