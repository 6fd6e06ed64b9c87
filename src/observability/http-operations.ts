import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../auth/api-keys.js';
import type { TimelineMetrics } from './metrics.js';
import {
  currentRequestScope,
  keyNameOf,
  REQUEST_ID_HEADER,
  requestIdFor,
  runInRequestScope,
  saneId,
  type RequestScope,
} from './request-log.js';

/** The longest operation name a log line repeats; names are the client's choice. */
const LOGGED_NAME_LENGTH = 128;

export interface HttpObservationOptions {
  readonly logger: Logger;
  readonly metrics: TimelineMetrics;
  /** Who sent the request, for the log line (by the key's name). */
  readonly identify: (authorization: string | undefined) => Principal;
}

interface Observed {
  readonly scope: RequestScope;
  readonly correlationId: string;
}

const observedOf = (response: Response): Observed | undefined => response.locals.observed as Observed | undefined;

/** The id the request's events carry in their metadata: the client's x-correlation-id, else the request id. */
export const correlationIdOf = (response: Response): string | undefined => observedOf(response)?.correlationId;

/**
 * Error codes of a GraphQL-shaped JSON body. Apollo writes `errors` first in every response that has them, and so
 * do the refusals made before Apollo, so only those bodies are parsed: a large answer without errors costs nothing.
 */
const errorCodesIn = (body: unknown): unknown[] => {
  const text = Buffer.isBuffer(body) ? body.toString('utf8', 0, 16) : body;
  if (typeof text !== 'string' || !text.startsWith('{"errors":')) return [];
  try {
    const { errors } = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : text) as { errors?: unknown };
    if (!Array.isArray(errors)) return [];
    return errors.map((error) => (error as { extensions?: { code?: unknown } } | null)?.extensions?.code);
  } catch {
    return [];
  }
};

/**
 * Request ids, the per-request logger, one log line per finished operation, and its metrics, for /graphql.
 *
 * - `start` goes first, before the guards, so that their refusals are timed, counted and logged too; the rest of
 *   the chain runs in the request's scope, where `requestLogger()` and `plugin` find the request.
 * - `bind` goes right before Apollo and enters the scope again, so that formatError's lines keep their id even if
 *   a middleware in between resumes in another async context (stream callbacks run in the socket's).
 * - `plugin` tells the log line what GraphQL resolved the request to.
 */
export const observeHttpOperations = ({ logger, metrics, identify }: HttpObservationOptions) => {
  const start: RequestHandler = (request, response, next) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdFor(request.header(REQUEST_ID_HEADER));
    const correlationId = saneId(request.header('x-correlation-id')) ?? requestId;
    const scope: RequestScope = {
      requestId,
      logger: logger.child(correlationId === requestId ? { requestId } : { requestId, correlationId }),
    };
    response.locals.observed = { scope, correlationId } satisfies Observed;
    response.setHeader(REQUEST_ID_HEADER, requestId);

    // Every answer leaves through send (express's json calls it too): Apollo's, the guards', the body parser's.
    const codes: unknown[] = [];
    const send = response.send;
    response.send = function sendObserved(this: Response, body?: unknown) {
      if (!this.headersSent) codes.push(...errorCodesIn(body));
      return send.call(this, body);
    } as Response['send'];

    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const { operation } = scope;
      metrics.operationFinished({ type: operation?.type, name: operation?.name, seconds });
      metrics.rejected(codes);
      const errorCodes = [...new Set(codes.map((code) => (typeof code === 'string' ? code : 'NO_CODE')))];
      scope.logger.info(
        {
          operationName: operation?.name ?? null,
          operationType: operation?.type ?? null,
          durationMs: Math.round(seconds * 1e4) / 10,
          status: response.statusCode,
          ...(errorCodes.length > 0 ? { errorCodes } : {}),
          keyName: keyNameOf(identify(request.headers.authorization)),
          // The client left before the whole answer was written.
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        'graphql operation',
      );
    });
    // The guards' lines (a rate limit Redis could not check) carry the id too.
    runInRequestScope(scope, next);
  };

  const bind: RequestHandler = (_request, response, next) => {
    const observed = observedOf(response);
    if (observed === undefined) return next();
    runInRequestScope(observed.scope, next);
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

  return { start, bind, plugin };
};
