import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/api-keys.js';
import type { AppServices, GraphQLContext, LiveSettings } from '../graphql/context.js';
import { formatError } from '../graphql/format-error.js';
import { gatePlugin } from '../graphql/gate-plugin.js';
import { createLoaders } from '../graphql/loaders.js';
import { DEFAULT_LIMITS, type OperationLimits } from '../graphql/operation-limits.js';
import { timelineSchema } from '../graphql/schema.js';
import { startWebSocketServer } from './websocket-server.js';

/** How long /readyz waits for the log's head before it says the store is not there. */
const READY_STORE_TIMEOUT_MS = 2_000;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

export interface HttpServerOptions {
  readonly services: AppServices;
  readonly keys: KeyRing;
  readonly live: LiveSettings;
  readonly limits?: OperationLimits;
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql; ws:// on the same path for subscriptions. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Apollo and graphql-ws on one http server and path, plus the health endpoint. */
export const startHttpServer = async (options: HttpServerOptions): Promise<RunningHttpServer> => {
  const { services, keys, live, logger } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const schema = await timelineSchema();
  const app = express();
  const httpServer = createServer(app);

  const contextFor = (authorization: string | undefined, correlationId?: string): GraphQLContext => ({
    ...services,
    live,
    principal: keys.identify(authorization),
    correlationId: correlationId ?? randomUUID(),
    now: new Date(),
    loaders: createLoaders(services.history),
  });

  const ws = startWebSocketServer({ httpServer, schema, keys, limits, contextFor, logger });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: ws.dispose }) },
      gatePlugin(keys.readersRequired, limits),
    ],
    formatError: formatError(logger),
    introspection: true,
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.get('/healthz', async (_request, response) => {
    const caughtUp = await services.projector.isCaughtUp().catch(() => false);
    const checkpoint = services.projector.model.checkpoint;
    response.status(caughtUp ? 200 : 503).json({
      status: caughtUp ? 'ok' : 'catching-up',
      checkpoint: checkpoint === null ? null : checkpoint.commit.toString(),
      ...(services.projector.failure ? { error: services.projector.failure.message } : {}),
    });
  });
  // Ready to take traffic: the log answers in time and the read models hold all of it. While the store is away the
  // server goes on answering reads from the read models, but says so here, for a load balancer to route writes away.
  app.get('/readyz', async (_request, response) => {
    const store = await withTimeout(services.store.headPosition(), READY_STORE_TIMEOUT_MS).then(
      () => 'ok' as const,
      (error: unknown) => (error as Error).message,
    );
    const caughtUp = store === 'ok' && (await services.projector.isCaughtUp().catch(() => false));
    const failure = services.projector.failure?.message;
    const ready = store === 'ok' && caughtUp && !failure;
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      store,
      readModels: failure ? `failed: ${failure}` : caughtUp ? 'caught-up' : 'catching-up',
    });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req.headers.authorization, req.header('x-correlation-id')),
    }),
  );

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
