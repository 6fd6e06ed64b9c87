import { GraphQLError } from 'graphql';
import { TimelineError, type ErrorCode } from '../../application/errors.js';

/** A GraphQL error with the contract's code; `path` (in extensions) names the offending input field. */
export const graphQLError = (code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError =>
  new GraphQLError(message, { extensions: { code, ...details } });

export const toGraphQLError = (error: TimelineError): GraphQLError =>
  graphQLError(error.code, error.message, {
    ...(error.path ? { path: error.path } : {}),
    ...(error.details ?? {}),
  });

/** Runs a resolver body, turning the application's refusals into GraphQL errors with their code. */
export const refusals = async <T>(body: () => Promise<T> | T): Promise<T> => {
  try {
    return await body();
  } catch (error) {
    if (error instanceof TimelineError) throw toGraphQLError(error);
    throw error;
  }
};
