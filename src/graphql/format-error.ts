import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { requestLogger } from '../observability/request-log.js';
import { ProjectionTimeoutError } from '../projections/projector.js';
import { StoreUnavailableError } from '../store/event-store.js';

const isClientError = (error: unknown): boolean => {
  const status =
    error instanceof GraphQLError ? (error.extensions.http as { status?: unknown } | undefined)?.status : 0;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * Errors without a code of ours are bugs or outages: logged whole, answered without internals. Apollo calls this
 * without the request, so the request's logger (with its id) comes from the request scope.
 */
export const formatError =
  (serverLogger: Logger) =>
  (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code !== 'INTERNAL_SERVER_ERROR') return formatted;
    const original = unwrapResolverError(error);
    // Apollo's own refusals of a request without a code (a persisted query's hash that is not its text's) carry the
    // 4xx status they are answered with: the client's mistake, told as it is.
    if (isClientError(original)) return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
    const logger = requestLogger(serverLogger);
    if (original instanceof StoreUnavailableError || original instanceof ProjectionTimeoutError) {
      logger.warn({ err: original }, 'service unavailable');
      return { ...formatted, message: original.message, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { ...formatted, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
