import type { ApolloServer } from '@apollo/server';
import accepts from 'accepts';
import bodyParser from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from 'proxy-addr';
import vary from 'vary';
import type { KeyRing, Principal } from '../../auth/api-keys.js';
import type { CorsOrigins } from '../../config/environment.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { OperationLimits } from '../../graphql/operation-limits.js';
import type { observeHttpOperations } from '../../observability/http-operations.js';
import { runInRequestScope } from '../../observability/request-log.js';
import { crossOrigin } from '../cross-origin.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { RateLimitSettings } from '../rate-limit/rate-limits.js';
import { answerWithApollo } from './apollo-answer.js';
import type { Exchange } from './exchange.js';
import { earlyLimitsGuard, rateLimitGuard, timeoutGuard, type Guard } from './guards.js';
import { refuse } from './refusals.js';

export interface GraphQLEndpointOptions {
  readonly apollo: ApolloServer<GraphQLContext>;
  readonly keys: KeyRing;
  readonly contextFor: (principal: Principal, correlationId: string) => GraphQLContext;
  /** The known queries' lane, tried before Apollo; null: every request goes to Apollo. */
  readonly knownQueries: { answer(exchange: Exchange): Promise<boolean> } | null;
  readonly observed: ReturnType<typeof observeHttpOperations>;
  readonly origins: CorsOrigins;
  readonly rateLimits?: { readonly settings: RateLimitSettings; readonly limiter: RateLimiter };
  /** Take the client's address from X-Forwarded-For (a proxy you trust sets it). */
  readonly trustProxy: boolean;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly limits: OperationLimits;
}

type Next = (error?: unknown) => void;
type Middleware = (request: IncomingMessage, response: ServerResponse, next: Next) => void;

const trustEveryHop = () => true;

/**
 * What every answer of /graphql starts with, before the cache policy (cache-policy.ts) decides on a GraphQL answer:
 * never stored, as Apollo's refusals that no plugin sees (a batch); the GraphiQL page, which Apollo's hooks do not
 * reach either, revalidated. Every answer varies with Accept, which picks its media type.
 */
const answerDefaults = (request: IncomingMessage, response: ServerResponse): void => {
  const page = request.method === 'GET' && accepts(request).type(['application/json', 'text/html']) === 'text/html';
  response.setHeader('Cache-Control', page ? 'no-cache' : 'no-store');
  vary(response, 'Accept');
};

/** The body parser's refusals (too large, not JSON) as GraphQL-shaped errors rather than its own. */
const bodyRefused = (exchange: Exchange, error: unknown, maxBodyBytes: number): void => {
  const { type, message, status } = error as { type?: string; message?: string; status?: number };
  if (type === 'entity.too.large') {
    refuse(exchange, 413, `the request body is larger than ${maxBodyBytes} bytes`, {
      code: 'PAYLOAD_TOO_LARGE',
      maxBodyBytes,
    });
  } else if (type === 'entity.parse.failed') {
    refuse(exchange, 400, `the request body is not JSON: ${message}`, { code: 'BAD_REQUEST' });
  } else {
    refuse(exchange, status && status >= 400 && status < 500 ? status : 400, `the request body: ${message}`, {
      code: 'BAD_REQUEST',
    });
  }
};

const readBody = (parse: Middleware, exchange: Exchange): Promise<unknown> =>
  new Promise((resolve) =>
    parse(exchange.request, exchange.response, (error) => {
      exchange.body = (exchange.request as { body?: unknown }).body;
      resolve(error);
    }),
  );

/**
 * POST and GET /graphql on node:http, with no router around it (docs/performance.md, "GraphQL throughput"): CORS,
 * the request's id and log line, the rate limit, the time limit, the body, the early cost limits, then
 * the known queries' lane (known-queries.ts) or Apollo Server; every answer compressed as the client accepts
 * (answer-body.ts). Each guard is a plain function of the exchange that answers or lets it go on; the connect-style
 * packages (cors, body-parser) run as they would under express.
 */
export const graphqlEndpoint = (options: GraphQLEndpointOptions) => {
  const { apollo, keys, observed } = options;
  const allowOrigins = crossOrigin(options.origins) as unknown as Middleware;
  const parseJson = bodyParser.json({ limit: options.maxBodyBytes }) as Middleware;
  const addressOf = (exchange: Exchange) =>
    options.trustProxy ? proxyAddr(exchange.request, trustEveryHop) : exchange.request.socket.remoteAddress;
  const beforeBody: Guard[] = [
    ...(options.rateLimits ? [rateLimitGuard(options.rateLimits.limiter, options.rateLimits.settings, addressOf)] : []),
    timeoutGuard(options.timeoutMs),
  ];
  const afterBody: Guard[] = [earlyLimitsGuard(options.limits)];

  const pass = async (guards: readonly Guard[], exchange: Exchange): Promise<boolean> => {
    for (const guard of guards) if (!(await guard(exchange))) return false;
    return true;
  };

  const serve = async (exchange: Exchange): Promise<void> => {
    if (!(await pass(beforeBody, exchange))) return;
    const bodyError = await readBody(parseJson, exchange);
    if (bodyError) return bodyRefused(exchange, bodyError, options.maxBodyBytes);
    if (!(await pass(afterBody, exchange))) return;
    if (options.knownQueries && (await options.knownQueries.answer(exchange))) return;
    await answerWithApollo(apollo, exchange, async () =>
      options.contextFor(exchange.principal, exchange.correlationId),
    );
  };

  return (request: IncomingMessage, response: ServerResponse): void => {
    allowOrigins(request, response, () => {
      answerDefaults(request, response);
      const principal = keys.identify(request.headers.authorization);
      const errorCodes: unknown[] = [];
      const { scope, correlationId } = observed.begin(request, response, principal, errorCodes);
      const exchange: Exchange = { request, response, scope, correlationId, principal, errorCodes };
      runInRequestScope(scope, () =>
        serve(exchange).catch((error: unknown) => {
          scope.logger.error({ err: error }, 'graphql request failed');
          if (!response.headersSent) {
            refuse(exchange, 500, 'the server could not answer', { code: 'INTERNAL_SERVER_ERROR' });
          } else response.destroy();
        }),
      );
    });
  };
};
