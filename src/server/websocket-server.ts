import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import proxyAddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import { authorize, type KeyRing } from '../auth/api-keys.js';
import { graphQLError } from '../graphql/common/errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { TimelineMetrics } from '../observability/metrics.js';
import { keyNameOf } from '../observability/request-log.js';
import { observeSubscriptions } from '../observability/subscription-log.js';
import { checkOperationLimits, type OperationLimits } from '../graphql/operation-limits.js';
import { preparedDocuments } from './prepared-documents.js';
import { sharingSubscribe } from './shared-subscription-results.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { checkRate, retryAfterSeconds, type RateLimitSettings } from './rate-limit/rate-limits.js';
import type { SubscriptionCount } from './subscription-count.js';
import { tickKeyOf } from '../graphql/live/tick-key.js';
import type { CorsOrigins } from '../config/environment.js';
import { webSocketOriginAllowed } from './cross-origin.js';

export interface WebSocketOptions {
  readonly httpServer: Server;
  /**
   * The largest message a client may send, as TIMELINE_MAX_BODY_BYTES bounds a request's body: a larger one closes
   * the socket with 1009 (message too big) before it is read whole (ws's own default is 100 MiB).
   */
  readonly maxMessageBytes: number;
  readonly schema: GraphQLSchema;
  readonly keys: KeyRing;
  readonly limits: OperationLimits;
  /** Builds a request context for a principal, as the HTTP side does; the request id is its correlation id. */
  readonly contextFor: (authorization: string | undefined, correlationId: string) => GraphQLContext;
  readonly logger: Logger;
  readonly subscriptions: SubscriptionCount;
  /** Refused subscriptions are counted by code. */
  readonly metrics: TimelineMetrics;
  /** Every subscribe message spends from the budget of subscriptions (rate-limits.ts), not from the requests'. */
  readonly rateLimits?: { readonly settings: RateLimitSettings; readonly limiter: RateLimiter };
  /** The origins whose pages may open a socket, besides the server's own (cross-origin.ts). */
  readonly origins: CorsOrigins;
  /** Take the client's address from X-Forwarded-For, as express does for HTTP with `trust proxy`. */
  readonly trustProxy: boolean;
}

const trustEveryHop = () => true;

/** The address a subscription pays from: the one express would give `req.ip` for the same request. */
const addressOf = (request: IncomingMessage | undefined, trustProxy: boolean): string | undefined => {
  if (!request) return undefined;
  return trustProxy ? proxyAddr(request, trustEveryHop) : request.socket.remoteAddress;
};

/**
 * A message over maxMessageBytes: ws stops reading it and closes the socket with 1009 itself, then emits the error.
 * graphql-ws would print that to stderr as an internal error of ours, outside the JSON log: it is the client's, told
 * at warn in the log instead. Registered before graphql-ws's listeners, so it sees the error first.
 */
const tellOversizeMessages = (socket: WebSocket, logger: Logger): void => {
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    const error = args[0] as { code?: unknown } | undefined;
    if (event !== 'error' || error?.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return emit(event, ...args);
    logger.warn({ code: error.code }, 'a WebSocket message over TIMELINE_MAX_BODY_BYTES: socket closed (1009)');
    return true;
  }) as WebSocket['emit'];
};

/** connection_init may carry the key as `authorization` (or `Authorization`): "Bearer <key>". */
const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
};

/**
 * graphql-ws on the HTTP server's port and path. Apollo's plugins never see these operations, so the same gates
 * run here in onSubscribe: who may run it, then what it may cost. A refusal is an error message with a code; the
 * socket stays open for the client's next operation.
 */
export const startWebSocketServer = ({
  httpServer,
  maxMessageBytes,
  schema,
  keys,
  limits,
  contextFor,
  logger,
  subscriptions,
  metrics,
  rateLimits,
  origins,
  trustProxy,
}: WebSocketOptions) => {
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: maxMessageBytes,
    // A page of an origin not allowed gets 403 to its handshake, as its fetch gets no CORS headers.
    verifyClient: ({ req }, done) =>
      webSocketOriginAllowed(origins, req) ? done(true) : done(false, 403, 'origin not allowed'),
  });
  wsServer.on('connection', (socket) => tellOversizeMessages(socket, logger));
  const observed = observeSubscriptions({ logger, metrics });
  const documents = preparedDocuments(schema, limits, { onPrepared: metrics.documentPrepared });
  const keyNameFor = (ctx: Context) => keyNameOf(keys.identify(authorizationOf(ctx.connectionParams)));
  const server = useServer(
    {
      schema,
      subscribe: subscriptions.counting(sharingSubscribe(tickKeyOf)),
      // Each subscribe message gets a request id: its context's correlation id, bound into its log lines.
      onSubscribe: observed.gated(keyNameFor, async (ctx, _id, payload, requestId) => {
        // Parsed, checked before validation, validated and its operation found once per distinct text.
        const preparation = documents.prepare(payload.query, payload.operationName);
        if ('refused' in preparation) return [...preparation.refused];
        const { document, operation, access } = preparation.prepared;
        const contextValue = contextFor(authorizationOf(ctx.connectionParams), requestId);
        if (rateLimits) {
          const address = addressOf((ctx.extra as { request?: IncomingMessage }).request, trustProxy);
          const check = await checkRate(
            rateLimits.limiter,
            rateLimits.settings,
            contextValue.principal,
            address,
            // A query or mutation sent over the socket spends from the requests' budget, as it would over HTTP.
            operation.operation === 'subscription' ? 'subscription' : 'request',
          );
          if (check && !check.decision.allowed) {
            const seconds = retryAfterSeconds(check.decision);
            return [
              graphQLError('RATE_LIMITED', `too many requests; try again in ${seconds} s`, {
                retryAfterSeconds: seconds,
              }),
            ];
          }
        }
        const decision = authorize(contextValue.principal, access, keys.readersRequired);
        if (!decision.ok) return [graphQLError(decision.code, decision.message)];
        const tooComplex = checkOperationLimits(schema, document, operation, payload.variables ?? undefined, limits);
        if (tooComplex) return [tooComplex];
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      }),
      // Never the payload or the connection params in a log: variables may hold anything, the params hold the key.
      onError: (ctx, id, _payload, errors) => observed.failed(ctx, id, errors),
      onComplete: (ctx, id) => observed.ended(ctx, id),
    },
    wsServer,
  );
  return {
    /** Ends every subscription and closes the sockets: part of Apollo's drain. */
    dispose: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
    clientCount: () => wsServer.clients.size,
  };
};
