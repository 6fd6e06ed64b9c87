import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Principal } from '../auth/api-keys.js';
import type { TimelineMetrics } from './metrics.js';
import {
  currentRequestScope,
  keyNameOf,
  REQUEST_ID_HEADER,
  requestIdFor,
  requestScope,
  saneId,
  type RequestScope,
} from './request-log.js';

/** The longest operation name a log line repeats; names are the client's choice. */
const LOGGED_NAME_LENGTH = 128;

export interface HttpObservationOptions {
  readonly logger: Logger;
  readonly metrics: TimelineMetrics;
}

export interface ObservedRequest {
  readonly scope: RequestScope;
  /** The id the request's events carry in their metadata: the client's x-correlation-id, else the request id. */
  readonly correlationId: string;
}

const headerOf = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Request ids, one log line per finished operation, and its metrics, for /graphql.
 *
 * - `begin` runs first, before the guards, so that their refusals are timed, counted and logged too. The request's
 *   logger (with its id bound) is made only when something logs through it; the line at the end is written with the
 *   ids as fields of its own, which reads the same.
 * - `plugin` tells the log line what GraphQL resolved the request to.
 */
export const observeHttpOperations = ({ logger, metrics }: HttpObservationOptions) => {
  const begin = (
    request: IncomingMessage,
    response: ServerResponse,
    principal: Principal,
    errorCodes: readonly unknown[],
  ): ObservedRequest => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdFor(headerOf(request, REQUEST_ID_HEADER));
    const correlationId = saneId(headerOf(request, 'x-correlation-id')) ?? requestId;
    const ids = correlationId === requestId ? { requestId } : { requestId, correlationId };
    const scope = requestScope(logger, ids);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const { operation } = scope;
      metrics.operationFinished({ type: operation?.type, name: operation?.name, seconds });
      metrics.rejected(errorCodes);
      const codes = [...new Set(errorCodes.map((code) => (typeof code === 'string' ? code : 'NO_CODE')))];
      logger.info(
        {
          ...ids,
          operationName: operation?.name ?? null,
          operationType: operation?.type ?? null,
          durationMs: Math.round(seconds * 1e4) / 10,
          status: response.statusCode,
          ...(codes.length > 0 ? { errorCodes: codes } : {}),
          keyName: keyNameOf(principal),
          // The client left before the whole answer was written.
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        'graphql operation',
      );
    });
    return { scope, correlationId };
  };

  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName }) {
          const scope = currentRequestScope();
          if (scope && operation) {
            scope.operation = { type: operation.operation, name: operationName?.slice(0, LOGGED_NAME_LENGTH) };
          }
        },
      };
    },
  };

  return { begin, plugin };
};
