import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import compression from 'compression';
import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/api-keys.js';
import type { CorsOrigins } from '../config/environment.js';
import { GRAPHIQL_ASSETS_PATH, graphiqlExplorer } from '../explorer/graphiql-page.js';
import { serveExplorer } from '../explorer/serve-explorer.js';
import type { AppServices, GraphQLContext, LiveSettings } from '../graphql/context.js';
import { cachePolicyPlugin } from '../graphql/cache-policy.js';
import { formatError } from '../graphql/format-error.js';
import { gatePlugin } from '../graphql/gate-plugin.js';
import { createLoaders } from '../graphql/loaders.js';
import { DEFAULT_LIMITS, type OperationLimits } from '../graphql/operation-limits.js';
import { timelineSchema } from '../graphql/schema.js';
import { compiledExecutionGateway } from './compiled-execution.js';
import { correlationIdOf, observeHttpOperations } from '../observability/http-operations.js';
import { createTimelineMetrics, type TimelineMetrics } from '../observability/metrics.js';
import { addMetricsRoute } from '../observability/metrics-route.js';
import type { RedisHealth } from '../observability/redis-health.js';
import { addHealthRoutes } from './health-routes.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { RateLimitSettings } from './rate-limit/rate-limits.js';
import { crossOrigin } from './cross-origin.js';
import { bodyErrors, earlyLimitsGuard, rateLimitGuard, timeoutGuard } from './request-guards.js';
import { createSubscriptionCount } from './subscription-count.js';
import { startWebSocketServer } from './websocket-server.js';

export interface HttpServerOptions {
  readonly services: AppServices;
  readonly keys: KeyRing;
  readonly live: Omit<LiveSettings, 'openSubscriptions'>;
  /** TIMELINE_ROLE, for serverStatus. */
  readonly role?: string;
  /** Budgets of requests per key and per address; absent: no limits (tests of other things). */
  readonly rateLimits?: { readonly settings: RateLimitSettings; readonly limiter: RateLimiter };
  /** Take the client's address from X-Forwarded-For (a proxy you trust sets it). */
  readonly trustProxy?: boolean;
  /** How long an operation over HTTP may run before the client is told so. */
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly introspection?: boolean;
  /** Origins whose pages may call the API and open its socket, besides the server's own; absent: none. */
  readonly corsOrigins?: CorsOrigins;
  /** Error answers carry stack traces (NODE_ENV=development only: they show the server's files). */
  readonly stackTraces?: boolean;
  readonly limits?: OperationLimits;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  /** Where /metrics reads from and requests are counted; absent: a registry of this server's own. */
  readonly metrics?: TimelineMetrics;
  /** With REDIS_URL: /readyz says whether Redis answers. */
  readonly redisHealth?: Pick<RedisHealth, 'check'>;
}

export interface RunningHttpServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql; ws:// on the same path for subscriptions. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * What every answer of /graphql starts with, before the cache policy (cache-policy.ts) decides on a GraphQL answer:
 * never stored, as Apollo's refusals that no plugin sees (a batch); the GraphiQL page, which Apollo's hooks do not
 * reach either, revalidated. Every answer varies with Accept, which picks its media type.
 */
const answerDefaults: RequestHandler = (request, response, next) => {
  const page = request.method === 'GET' && request.accepts(['application/json', 'text/html']) === 'text/html';
  response.set('Cache-Control', page ? 'no-cache' : 'no-store').vary('Accept');
  next();
};

/** Apollo and graphql-ws on one http server and path, plus the health endpoint. */
export const startHttpServer = async (options: HttpServerOptions): Promise<RunningHttpServer> => {
  const { services, keys, live, logger } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const origins = options.corsOrigins ?? [];
  const explorer = graphiqlExplorer();
  const schema = await timelineSchema();
  const app = express();
  const httpServer = createServer(app);

  const subscriptions = createSubscriptionCount();
  const metrics = options.metrics ?? createTimelineMetrics();
  metrics.watchReadModel(services);
  metrics.watchSubscriptions(subscriptions.open);
  const observed = observeHttpOperations({
    logger,
    metrics,
    identify: (authorization) => keys.identify(authorization),
  });
  const liveSettings: LiveSettings = { ...live, openSubscriptions: subscriptions.open };
  const contextFor = (authorization: string | undefined, correlationId?: string): GraphQLContext => ({
    ...services,
    live: liveSettings,
    principal: keys.identify(authorization),
    keyRing: keys,
    serverRole: options.role ?? 'all',
    correlationId: correlationId ?? randomUUID(),
    now: new Date(),
    loaders: createLoaders(services.reads),
  });

  const ws = startWebSocketServer({
    httpServer,
    schema,
    keys,
    limits,
    contextFor,
    logger,
    subscriptions,
    metrics,
    origins,
    trustProxy: options.trustProxy ?? false,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  const apollo = new ApolloServer<GraphQLContext>({
    // The schema, executed compiled once a query's document is asked again (compiled-execution.ts).
    gateway: compiledExecutionGateway(schema, { onCompiled: metrics.documentCompiled }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The schema sets no cache hints and the HTTP layer decides Cache-Control itself; the default plugin would wrap
      // every field's resolver to collect hints (a large share of the CPU and garbage of a list of thousands).
      ApolloServerPluginCacheControlDisabled(),
      { serverWillStart: async () => ({ drainServer: ws.dispose }) },
      observed.plugin,
      gatePlugin(keys.readersRequired, limits),
      cachePolicyPlugin(keys.readersRequired),
      explorer.plugin,
    ],
    formatError: formatError(logger),
    introspection: options.introspection ?? true,
    // Apollo's own handler would stop the server on SIGTERM and then kill the process with the signal again (exit
    // 143) before our shutdown closed the rest: run-timeline.ts handles the signals, and closes everything.
    stopOnTerminationSignals: false,
    // Stack traces name the server's files: only in development, whatever the default of NODE_ENV being unset.
    includeStacktraceInErrorResponses: options.stackTraces ?? false,
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  // gzip or brotli (quality 4: the large answers are made on the fly) for whoever accepts it, above 1 kB. WebSocket
  // upgrades never pass through express; a streamed answer is flushed through it chunk by chunk.
  app.use(compression());
  addHealthRoutes(app, { ...services, ...(options.redisHealth ? { redis: options.redisHealth } : {}) });
  addMetricsRoute(app, metrics, logger);
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  app.use(`/${GRAPHIQL_ASSETS_PATH}`, explorer.assets);
  app.use(
    '/graphql',
    crossOrigin(origins),
    answerDefaults,
    observed.start,
    ...(options.rateLimits ? [rateLimitGuard(keys, options.rateLimits.limiter, options.rateLimits.settings)] : []),
    timeoutGuard(options.timeoutMs ?? 10_000),
    express.json({ limit: maxBodyBytes }),
    bodyErrors(maxBodyBytes),
    earlyLimitsGuard(limits),
    observed.bind,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => contextFor(req.headers.authorization, correlationIdOf(res)),
    }),
  );
  // The explorer page at / (static files built by Vite); after the API routes, so it never answers for them.
  app.use(serveExplorer());

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
};
