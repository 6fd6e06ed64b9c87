import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { requestLogger } from '../observability/request-log.js';
import { ProjectionTimeoutError } from '../projections/projector.js';
import { StoreUnavailableError } from '../store/event-store.js';

/**
 * Errors without a code of ours are bugs or outages: logged whole, answered without internals. Apollo calls this
 * without the request, so the request's logger (with its id) comes from the request scope.
 */
export const formatError =
  (serverLogger: Logger) =>
  (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code !== 'INTERNAL_SERVER_ERROR') return formatted;
    const logger = requestLogger(serverLogger);
    const original = unwrapResolverError(error);
    if (original instanceof StoreUnavailableError || original instanceof ProjectionTimeoutError) {
      logger.warn({ err: original }, 'service unavailable');
      return { ...formatted, message: original.message, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { ...formatted, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
