import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
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
  /** The use of a document at which it is compiled. */
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
  readonly operationType: 'query' | 'mutation' | 'subscription';
  readonly contextValue: unknown;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

interface Plan {
  uses: number;
  /** Null once compiling failed: graphql-js runs it, as it always can. */
  compiled?: CompiledQuery | null;
}

const createCompiledExecution = (schema: GraphQLSchema, options: CompiledExecutionOptions = {}) => {
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
      const compiled = compileQuery(schema, request.document, request.operationName ?? undefined);
      plan.compiled = isCompiledQuery(compiled) ? compiled : null;
      if (plan.compiled) options.onCompiled?.();
    }
    return plan.compiled ?? null;
  };

  return async (request: ExecutionRequest): Promise<ExecutionResult> => {
    const compiled = compiledFor(request);
    if (compiled) {
      const result = await compiled.query(undefined, request.contextValue, request.variables ?? {});
      // No data at all: the variables were refused before anything ran. graphql-js says why in the words (and the
      // error class) that Apollo knows as BAD_USER_INPUT; graphql-jit's own errors would go out as internal ones.
      if (result.data !== undefined || !result.errors?.length) return result;
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
 * the schema as it is and executes with createCompiledExecution. Apollo's own pipeline (parsing, validation, the
 * plugins' guards) runs before it as before.
 */
export const compiledExecutionGateway = (schema: GraphQLSchema, options: CompiledExecutionOptions = {}): Gateway => {
  const run = createCompiledExecution(schema, options);
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
            operationName: requestContext.operationName,
            operationType: requestContext.operation.operation,
            contextValue: requestContext.context,
            variables: requestContext.request.variables,
          }),
      };
    },
    stop: async () => {},
  };
};
