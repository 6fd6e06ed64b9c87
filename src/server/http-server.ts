import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import compression from 'compression';
import express from 'express';
import type { Logger } from 'pino';
import type { KeyRing, Principal } from '../auth/api-keys.js';
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
import { compiledExecutionGateway, createCompiledExecution } from './compiled-execution.js';
import { knownQueries } from './graphql-endpoint/known-queries.js';
import { observeHttpOperations } from '../observability/http-operations.js';
import { createTimelineMetrics, type TimelineMetrics } from '../observability/metrics.js';
import { addMetricsRoute } from '../observability/metrics-route.js';
import type { RedisHealth } from '../observability/redis-health.js';
import { addHealthRoutes } from './health-routes.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { RateLimitSettings } from './rate-limit/rate-limits.js';
import { graphqlEndpoint } from './graphql-endpoint/endpoint.js';
import { pathOf } from './graphql-endpoint/exchange.js';
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
  /** Known queries answered without Apollo's pipeline (graphql-endpoint/known-queries.ts); on unless false. */
  readonly knownQueriesLane?: boolean;
  /** Queries compiled by graphql-jit from a document's second use (compiled-execution.ts); on unless false. */
  readonly compiledQueries?: boolean;
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

/** The path of the API: over HTTP (graphql-endpoint/) and, upgraded, over WebSocket (graphql-ws). */
const GRAPHQL_PATHS = new Set(['/graphql', '/graphql/']);

/** Apollo and graphql-ws on one http server and path, plus the health endpoint. */
export const startHttpServer = async (options: HttpServerOptions): Promise<RunningHttpServer> => {
  const { services, keys, live, logger } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const origins = options.corsOrigins ?? [];
  const explorer = graphiqlExplorer();
  const schema = await timelineSchema();
  const app = express();
  // /graphql goes straight to its endpoint (made below: Apollo drains this server), everything else (health, metrics,
  // the explorer) through express. Nothing is served before the server listens, once both exist.
  const httpServer = createServer((request, response) =>
    GRAPHQL_PATHS.has(pathOf(request)) ? answerGraphQL(request, response) : app(request, response),
  );

  const subscriptions = createSubscriptionCount();
  const metrics = options.metrics ?? createTimelineMetrics();
  metrics.watchReadModel(services);
  metrics.watchSubscriptions(subscriptions.open);
  const observed = observeHttpOperations({ logger, metrics });
  const liveSettings: LiveSettings = { ...live, openSubscriptions: subscriptions.open };
  const contextWith = (principal: Principal, correlationId?: string): GraphQLContext => ({
    ...services,
    live: liveSettings,
    principal,
    keyRing: keys,
    serverRole: options.role ?? 'all',
    correlationId: correlationId ?? randomUUID(),
    now: new Date(),
    loaders: createLoaders(services.reads),
  });
  const contextFor = (authorization: string | undefined, correlationId?: string): GraphQLContext =>
    contextWith(keys.identify(authorization), correlationId);

  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const ws = startWebSocketServer({
    httpServer,
    maxMessageBytes: maxBodyBytes,
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
  // The schema, executed compiled once a query's document is asked again (compiled-execution.ts), by Apollo and by
  // the known queries' lane alike.
  const execute = createCompiledExecution(schema, {
    onCompiled: metrics.documentCompiled,
    ...(options.compiledQueries === false ? { compileOnUse: Number.POSITIVE_INFINITY } : {}),
  });
  const lane =
    options.knownQueriesLane === false
      ? null
      : knownQueries({
          schema,
          limits,
          readersRequired: keys.readersRequired,
          execute,
          contextFor: (exchange) => contextWith(exchange.principal, exchange.correlationId),
          onAnswered: metrics.knownQueryAnswered,
        });
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: compiledExecutionGateway(schema, execute),
    // The known queries' lane answers as these plugins would have on a successful query, without running them: a
    // plugin added here that changes such an answer must be followed there (known-queries.ts), and the test that
    // compares the two lanes tells when it is not.
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
      ...(lane ? [lane.plugin] : []),
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
  app.use(`/${GRAPHIQL_ASSETS_PATH}`, explorer.assets);
  const answerGraphQL = graphqlEndpoint({
    apollo,
    keys,
    contextFor: contextWith,
    knownQueries: lane,
    observed,
    origins,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    trustProxy: options.trustProxy ?? false,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBodyBytes,
    limits,
  });
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
